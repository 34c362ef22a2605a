package dev.atlas.push;

/**
 * A message ready for the wire with its UTF-8 size, measured once. The dispatcher builds one Frame per
 * event and wire and offers the same instance to every session, so queue accounting costs nothing per
 * session. Immutable.
 */
public record Frame(String text, int bytes) {
    public static Frame of(String text) {
        return new Frame(text, Utf8.length(text));
    }
}
