package dev.atlas.task;

/** An Idempotency-Key reused with a different request body (422). */
public class IdempotencyConflictException extends RuntimeException {
    public IdempotencyConflictException() {
        super("This Idempotency-Key was used with a different request body");
    }
}
