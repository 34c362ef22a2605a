package dev.atlas.web;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/**
 * HTTP-level refusals raised by JAX-RS itself or by filters (404 no such path, 405, 406, 413, 415 …):
 * same status, problem body. Headers of the original response (e.g. {@code Allow}) are kept.
 */
@Provider
public class HttpExceptionMapper implements ExceptionMapper<WebApplicationException> {
    @Override
    public Response toResponse(WebApplicationException e) {
        Response original = e.getResponse();
        int status = original.getStatus();
        if (status >= 500) {
            return new UnexpectedErrorMapper().toResponse(e);
        }
        Response.StatusType type = original.getStatusInfo();
        String detail = detailFor(status, e);
        Response r = Problem.of(Problem.slug(status), type.getReasonPhrase(), status, detail).toResponse();
        Response.ResponseBuilder b = Response.fromResponse(r);
        original.getHeaders().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("Content-Type") && !name.equalsIgnoreCase("Content-Length")) {
                values.forEach(v -> b.header(name, v));
            }
        });
        return b.build();
    }

    private static String detailFor(int status, WebApplicationException e) {
        return switch (status) {
            case 403 -> e.getMessage() != null && !e.getMessage().startsWith("HTTP 403") ? e.getMessage()
                    : "Your role does not allow this.";
            case 406 -> "The API answers with application/json only.";
            case 413 -> e.getMessage() != null && e.getMessage().startsWith("Request body")
                    ? e.getMessage() : "Request body too large.";
            case 415 -> "Send the body as application/json.";
            default -> Problem.detail(status, e.getResponse().getStatusInfo().getReasonPhrase());
        };
    }
}
