package dev.atlas.web;

import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;
import java.io.IOException;

/**
 * Every request body under {@code /api} is read as strict UTF-8 (the only encoding of JSON, RFC 8259; a
 * {@code charset} parameter does not change it): invalid bytes are a 400 problem ({@link InvalidUtf8Mapper})
 * instead of reaching the parser, which would take overlong forms and encoded surrogates as text. Wraps the entity
 * stream after {@link BodyLimitFilter}'s, so the size limit still counts the raw bytes. What valid UTF-8 can
 * still carry — a JSON {@code \\ud800} escape, {@code \\u0000} — is the task rules' to refuse, per field.
 */
@Provider
public class StrictUtf8Interceptor implements ReaderInterceptor {
    @Override
    public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException {
        StrictUtf8InputStream body = new StrictUtf8InputStream(context.getInputStream());
        context.setInputStream(body);
        Object entity = context.proceed();
        // The parser may stop at the end of the JSON value: what follows is checked too (at most the 1 MiB limit),
        // so that a body ending in a cut sequence is refused like any other.
        body.skip(Long.MAX_VALUE);
        return entity;
    }
}
