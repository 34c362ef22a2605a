package dev.atlas.web;

/**
 * A request body that is not UTF-8 (thrown while it is read, by {@link StrictUtf8InputStream}); answered 400
 * with the problem type {@code invalid-utf8} by {@link InvalidUtf8Mapper}. The message says what and where.
 */
public final class InvalidUtf8Exception extends RuntimeException {
    public InvalidUtf8Exception(String what) {
        super(what, null, false, false);
    }
}
