package dev.atlas.task.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atlas.task.FieldError;
import dev.atlas.task.ValidationException;
import java.io.UncheckedIOException;
import java.util.List;

/** Test helpers: JSON text to a tree, and the field names of a validation failure. */
final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    /** Parses JSON written with single quotes for readability ({@code 'title'} becomes {@code "title"}). */
    static JsonNode tree(String singleQuoted) {
        try {
            return MAPPER.readTree(singleQuoted.replace('\'', '"'));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> fields(ValidationException e) {
        return e.errors().stream().map(FieldError::field).toList();
    }
}
