package dev.atlas.web;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Anything unforeseen: 500 with an error id that is also in the log next to the stack trace. The body
 * never carries a stack trace, exception class or message.
 */
@Provider
public class UnexpectedErrorMapper implements ExceptionMapper<Throwable> {
    private static final Logger LOG = Logger.getLogger(UnexpectedErrorMapper.class.getName());

    @Override
    public Response toResponse(Throwable e) {
        String errorId = UUID.randomUUID().toString();
        LOG.log(Level.SEVERE, "Unexpected error " + errorId, e);
        return Problem.of("internal", "Internal Server Error", 500,
                        "An unexpected error occurred. Quote error id " + errorId + " when reporting it.")
                .withErrorId(errorId).toResponse();
    }
}
