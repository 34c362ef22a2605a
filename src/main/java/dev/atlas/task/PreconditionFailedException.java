package dev.atlas.task;

/** The task changed since the caller read it: its {@code If-Match} does not name the current version (412). */
public class PreconditionFailedException extends RuntimeException {
    public PreconditionFailedException(long id, long current) {
        super("Task " + id + " is at version " + current + ", not the one If-Match names");
    }
}
