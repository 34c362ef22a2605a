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
        context.setInputStream(new StrictUtf8InputStream(context.getInputStream()));
        return context.proceed();
    }
}
