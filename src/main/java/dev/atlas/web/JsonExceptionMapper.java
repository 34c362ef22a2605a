package dev.atlas.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/**
 * A request body that is not well-formed JSON (or cannot be read as the expected shape): 400 with the
 * parser's own description and position, never a class name.
 */
@Provider
public class JsonExceptionMapper implements ExceptionMapper<JsonProcessingException> {
    @Override
    public Response toResponse(JsonProcessingException e) {
        String where = e.getLocation() == null ? ""
                : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
        String what = e.getOriginalMessage() == null ? "malformed JSON" : e.getOriginalMessage();
        if (what.length() > 300) {
            what = what.substring(0, 300) + "…";
        }
        return Problem.of("malformed-json", "Malformed JSON", 400, what + where).toResponse();
    }
}
