package dev.atlas.task.api;

import java.util.HashSet;
import java.util.Set;

/**
 * Reads an {@code If-Match} header into the task versions it accepts: null without the header, an empty set
 * for {@code *}. Weak tags never match (If-Match compares strongly), and anything that is not a quoted
 * version can match no task, so a malformed header fails the precondition rather than being ignored.
 */
final class IfMatch {
    private IfMatch() {
    }

    static Set<Long> parse(String header) {
        if (header == null) {
            return null;
        }
        String h = header.strip();
        if (h.equals("*")) {
            return Set.of();
        }
        Set<Long> versions = new HashSet<>();
        for (String part : h.split(",")) {
            String p = part.strip();
            if (p.length() > 2 && p.startsWith("\"") && p.endsWith("\"")) {
                try {
                    versions.add(Long.parseLong(p.substring(1, p.length() - 1)));
                } catch (NumberFormatException ignored) {
                    // not one of our tags: matches nothing
                }
            }
        }
        if (versions.isEmpty()) {
            versions.add(-1L); // matches no task
        }
        return versions;
    }
}
