package dev.atlas.web;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/**
 * A request body that is not valid UTF-8 (overlong forms, encoded surrogates, impossible or truncated
 * sequences, raw zero bytes): 400 {@code https://atlas.dev/problems/invalid-utf8}, with the offending bytes and
 * their offset in the detail. Nothing was parsed or stored.
 */
@Provider
public class InvalidUtf8Mapper implements ExceptionMapper<InvalidUtf8Exception> {
    @Override
    public Response toResponse(InvalidUtf8Exception e) {
        return Problem.of("invalid-utf8", "Invalid UTF-8", 400, "The request body is not valid UTF-8: "
                + e.getMessage() + ". Send JSON as UTF-8 (RFC 8259).").toResponse();
    }
}
