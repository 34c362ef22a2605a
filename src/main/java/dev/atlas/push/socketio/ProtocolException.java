package dev.atlas.push.socketio;

/**
 * A packet or payload received from a client does not follow Engine.IO v4 / Socket.IO v5 as Atlas speaks
 * it. The protocol's answer to every such case is the same: the server closes the session (HTTP 400 on
 * long-polling), so this is a checked exception that the endpoints must handle at the point of decoding.
 *
 * <p>The message names the rule that was broken; it never echoes more than a short excerpt of the input.
 * Immutable, so thread-safe.
 */
public final class ProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message);
    }

    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
