package dev.atlas.push.socketio;

/**
 * The errors an Engine.IO server answers a bad long-polling (or WebSocket handshake) request with, with
 * the code, message and HTTP status of the reference server: body {@code {"code":1,"message":"Session ID
 * unknown"}} as {@code application/json}, status 400, except {@link #FORBIDDEN} which is 403.
 *
 * <p>These bodies deliberately do not use the {@code application/problem+json} shape of the REST API:
 * {@code socket.io-client} and the protocol's test suite expect exactly this format. (A POST body over
 * {@code maxPayload} is not one of these errors: the reference answers it with a bare 413.)
 *
 * <p>An enum of constants, so thread-safe.
 */
public enum EngineError {
    /** Missing or unknown {@code transport} query parameter. */
    UNKNOWN_TRANSPORT(0, "Transport unknown"),
    /** The {@code sid} is not (or no longer) a session of this server. */
    UNKNOWN_SID(1, "Session ID unknown"),
    /** A handshake (no {@code sid}) with a method other than GET. */
    BAD_HANDSHAKE_METHOD(2, "Bad handshake method"),
    /**
     * Anything else malformed: a bad packet, a second pending GET or POST, or a transport other than the
     * session's without an upgrade (polling on a session that moved to WebSocket).
     */
    BAD_REQUEST(3, "Bad request"),
    /** Refused by the application (for example the origin check). */
    FORBIDDEN(4, "Forbidden"),
    /** Missing {@code EIO} or a version other than 4 (an Engine.IO v3 / Socket.IO 2 client). */
    UNSUPPORTED_PROTOCOL_VERSION(5, "Unsupported protocol version");

    /** The content type of {@link #json()} bodies. */
    public static final String CONTENT_TYPE = "application/json";

    private final int code;
    private final String message;
    private final String json;

    EngineError(int code, String message) {
        this.code = code;
        this.message = message;
        this.json = "{\"code\":" + code + ",\"message\":" + JsonText.quote(message) + "}";
    }

    /** The numeric code in the body. */
    public int code() {
        return code;
    }

    /** The message in the body. */
    public String message() {
        return message;
    }

    /** The HTTP status to answer with: 403 for {@link #FORBIDDEN}, 400 for all others. */
    public int httpStatus() {
        return this == FORBIDDEN ? 403 : 400;
    }

    /** The response body, for example {@code {"code":1,"message":"Session ID unknown"}}. */
    public String json() {
        return json;
    }
}
