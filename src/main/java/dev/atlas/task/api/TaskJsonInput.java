package dev.atlas.task.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atlas.task.FieldError;
import dev.atlas.task.Priority;
import dev.atlas.task.ValidationException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads a task request body field by field, so that every wrong type, unknown field and absent-versus-null
 * distinction is reported with the field's name. One instance per request; not thread-safe.
 */
final class TaskJsonInput {
    static final Set<String> FIELDS = Set.of("title", "description", "agentWallet", "priority", "dueAt");

    private final JsonNode body;
    private final List<FieldError> errors = new ArrayList<>();

    TaskJsonInput(JsonNode body) {
        if (body == null || body.isMissingNode() || body.isNull()) {
            throw new ValidationException("body", "a JSON object is required");
        }
        if (!body.isObject()) {
            throw new ValidationException("body", "must be a JSON object");
        }
        this.body = body;
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!FIELDS.contains(name)) {
                errors.add(new FieldError(name, "is not a known field (known: title, description, agentWallet, priority, dueAt)"));
            }
        }
    }

    boolean has(String field) {
        return body.has(field);
    }

    /** The string value, null when absent or JSON null; an error when it is another type. */
    String string(String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            errors.add(new FieldError(field, "must be a string"));
            return null;
        }
        return n.textValue();
    }

    /**
     * The priority, or null when absent; JSON null is accepted as "the default" when {@code nullAllowed}
     * (create) and refused otherwise (an edit cannot clear the priority).
     */
    Priority priority(boolean nullAllowed) {
        JsonNode n = body.get("priority");
        if (n == null || (n.isNull() && nullAllowed)) {
            return null;
        }
        Priority p = n.isTextual() ? Priority.fromWireName(n.textValue()) : null;
        if (p == null) {
            errors.add(new FieldError("priority", "must be one of low, normal, high"));
        }
        return p;
    }

    Instant dueAt() {
        String s = string("dueAt");
        if (s == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant().truncatedTo(ChronoUnit.MILLIS);
        } catch (DateTimeParseException e) {
            errors.add(new FieldError("dueAt", "must be an ISO-8601 date-time with an offset, e.g. 2026-12-01T17:00:00Z"));
            return null;
        }
    }

    /** Throws the collected type errors, if any (the service then checks the values' rules). */
    void done() {
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
    }
}
