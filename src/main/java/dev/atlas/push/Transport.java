package dev.atlas.push;

import java.util.function.Consumer;

/**
 * The wire under a {@link SessionWriter}: a WebSocket connection, or an Engine.IO session that may be polling.
 * Implementations must not block the caller of {@link #send} beyond handing the frame over.
 */
public interface Transport {
    /**
     * Starts sending one message ({@link Frame#text()}, or on a WebSocket its ready {@link Frame#websocket()}
     * bytes). {@code done} is called exactly once, with null on success or the failure, possibly on another
     * thread and possibly before this method returns.
     */
    void send(Frame frame, Consumer<Throwable> done);

    /** Closes the connection with a WebSocket close code and reason. Idempotent; must not block the caller. */
    void close(int code, String reason);
}
