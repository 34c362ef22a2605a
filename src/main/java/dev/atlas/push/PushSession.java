package dev.atlas.push;

import java.time.Instant;

/**
 * One connected client, whatever its transport: an id, the transport name shown in counts, its
 * {@link Wire}, and the client's {@link SessionWriter}. Immutable apart from the writer, which is thread-safe.
 */
public final class PushSession {
    private final String id;
    private final String transport;
    private final Wire wire;
    private final SessionWriter writer;
    private final Instant openedAt = Instant.now();

    public PushSession(String id, String transport, Wire wire, SessionWriter writer) {
        this.id = id;
        this.transport = transport;
        this.wire = wire;
        this.writer = writer;
    }

    /** How events are framed for this session. */
    public Wire wire() {
        return wire;
    }

    public String id() {
        return id;
    }

    /** {@code ws} for {@code /ws}, {@code socket.io} for {@code /socket.io/}. */
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
