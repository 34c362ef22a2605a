package dev.atlas.task;

import java.time.Duration;

/**
 * An {@code Idempotency-Key} with the hash of the request it came with.
 *
 * @param key         the client's key (1–200 printable ASCII characters)
 * @param requestHash a hash of the request body, to tell a retry from a different request
 */
public record IdempotencyKey(String key, String requestHash) {
    /** How long a key is remembered. */
    public static final Duration LIFETIME = Duration.ofHours(24);

    public IdempotencyKey {
        if (key == null || key.isEmpty() || key.length() > 200 || !key.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) {
            throw new ValidationException("Idempotency-Key", "must be 1 to 200 printable ASCII characters without spaces");
        }
    }
}
