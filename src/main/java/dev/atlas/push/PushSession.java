package dev.atlas.push;

import java.time.Instant;

/**
 * One connected client, whatever its transport: an id, the transport name shown in counts, and the
 * client's {@link SessionWriter}. Immutable apart from the writer, which is thread-safe.
 */
public final class PushSession {
    private final String id;
    private final String transport;
    private final SessionWriter writer;
    private final Instant openedAt = Instant.now();

    public PushSession(String id, String transport, SessionWriter writer) {
        this.id = id;
        this.transport = transport;
        this.writer = writer;
    }

    public String id() {
        return id;
    }

    /** {@code ws} for {@code /ws}. */
    public String transport() {
        return transport;
    }

    public SessionWriter writer() {
        return writer;
    }

    public Instant openedAt() {
        return openedAt;
    }
}
