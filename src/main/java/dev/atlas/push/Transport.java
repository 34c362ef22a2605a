package dev.atlas.push;

import java.util.function.Consumer;

/**
 * The wire under a {@link SessionWriter}: a WebSocket session (or, later, a long-polling exchange).
 * Implementations must not block the caller of {@link #send} beyond handing the text over.
 */
public interface Transport {
    /**
     * Starts sending one text message. {@code done} is called exactly once, with null on success or the
     * failure, possibly on another thread and possibly before this method returns.
     */
    void send(String text, Consumer<Throwable> done);

    /** Closes the connection with a WebSocket close code and reason. Idempotent; must not block the caller. */
    void close(int code, String reason);
}
