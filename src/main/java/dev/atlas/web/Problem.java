package dev.atlas.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.atlas.task.FieldError;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/**
 * The one error body of the API, RFC 9457 {@code application/problem+json}: type, title, status,
 * detail, and where they apply the offending fields or the id under which an unexpected error was logged.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"type", "title", "status", "detail", "errors", "errorId"})
public record Problem(String type, String title, int status, String detail, List<FieldError> errors,
                      String errorId) {
    public static final String MEDIA_TYPE = "application/problem+json";
    private static final String TYPE_BASE = "https://atlas.dev/problems/";

    /** A problem whose type is the slug under the Atlas problem namespace, e.g. {@code validation}. */
    public static Problem of(String slug, String title, int status, String detail) {
        return new Problem(TYPE_BASE + slug, title, status, detail, null, null);
    }

    /** The type slug of an HTTP-level refusal with this status. */
    static String slug(int status) {
        return switch (status) {
            case 400 -> "bad-request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 406 -> "not-acceptable";
            case 413 -> "payload-too-large";
            case 415 -> "unsupported-media-type";
            default -> "http-" + status;
        };
    }

    /** The detail of an HTTP-level refusal with this status when nothing more specific is known. */
    static String detail(int status, String reasonPhrase) {
        return switch (status) {
            case 400 -> "The request is malformed: its request line, path or a header could not be parsed, or is too"
                    + " large.";
            case 401 -> "A valid bearer token is required.";
            case 404 -> "No resource at this path.";
            case 405 -> "This method is not allowed here.";
            default -> reasonPhrase;
        };
    }

    public Problem withErrors(List<FieldError> fieldErrors) {
        return new Problem(type, title, status, detail, fieldErrors, errorId);
    }

    public Problem withErrorId(String id) {
        return new Problem(type, title, status, detail, errors, id);
    }

    public Response toResponse() {
        return Response.status(status).type(MediaType.valueOf(MEDIA_TYPE)).entity(this).build();
    }
}
