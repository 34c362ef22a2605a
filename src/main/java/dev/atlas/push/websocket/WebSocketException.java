package dev.atlas.push.websocket;

/**
 * A protocol violation found while decoding client frames, with the close status the server should answer
 * with (RFC 6455 §7.4) and a short reason for the close frame; {@link #getMessage()} returns that reason.
 *
 * <p>The reason is meant for {@link Frames#close(int, String)}, which truncates it to the 123 UTF-8 bytes a
 * close frame can carry; the reasons the decoder produces are short ASCII. Immutable, so it may be handed
 * between threads freely.
 */
public final class WebSocketException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int code;

    /**
     * @param code   the close status to send (for example 1002 for a protocol error)
     * @param reason a short human-readable reason, returned by {@link #getMessage()}
     */
    public WebSocketException(int code, String reason) {
        super(reason);
        this.code = code;
    }

    /** The close status code to send to the peer. */
    public int code() {
        return code;
    }
}
