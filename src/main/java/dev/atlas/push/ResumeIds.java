package dev.atlas.push;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Reads the event id a client resumes from: a query parameter, a JSON number, or a JSON string of digits
 * (the envelope's {@code id} is a string). Absent gives null; anything else that is not a non-negative
 * whole number gives -1, which the dispatcher answers with a {@code resync}.
 */
public final class ResumeIds {
    private ResumeIds() {
    }

    public static Long parse(String raw) {
        if (raw == null || raw.isEmpty()) {
            return null;
        }
        if (raw.length() > 18 || !raw.chars().allMatch(Character::isDigit)) {
            return -1L;
        }
        return Long.parseLong(raw);
    }

    public static Long parse(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            long v = node.longValue();
            return v < 0 ? -1L : v;
        }
        if (node.isTextual()) {
            Long v = parse(node.textValue());
            return v == null ? -1L : v;
        }
        return -1L;
    }
}
