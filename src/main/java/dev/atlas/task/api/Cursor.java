package dev.atlas.task.api;

import dev.atlas.task.ValidationException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** The opaque list cursor: the id the next page starts below, base64url-encoded. */
final class Cursor {
    private static final String PREFIX = "before:";

    private Cursor() {
    }

    static String encode(Long beforeId) {
        if (beforeId == null) {
            return null;
        }
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((PREFIX + beforeId).getBytes(StandardCharsets.US_ASCII));
    }

    static Long decode(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return null;
        }
        try {
            String s = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
            if (s.startsWith(PREFIX)) {
                long id = Long.parseLong(s.substring(PREFIX.length()));
                if (id > 0) {
                    return id;
                }
            }
        } catch (IllegalArgumentException e) {
            // falls through to the error below (NumberFormatException is an IllegalArgumentException)
        }
        throw new ValidationException("cursor", "is not a cursor returned by this API");
    }
}
