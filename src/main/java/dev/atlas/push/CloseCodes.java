package dev.atlas.push;

/** WebSocket close codes (RFC 6455 §7.4.1) that Atlas sends, receives or reports. */
public final class CloseCodes {
    public static final int NORMAL_CLOSURE = 1000;
    public static final int GOING_AWAY = 1001;
    public static final int PROTOCOL_ERROR = 1002;
    /** A data type the endpoint cannot accept: binary messages. */
    public static final int UNSUPPORTED_DATA = 1003;
    /** No status code was present: reported for an empty close frame, never sent. */
    public static final int NO_STATUS = 1005;
    /** The connection ended without a close frame: reported, never sent. */
    public static final int ABNORMAL = 1006;
    /** A text message (or close reason) that is not valid UTF-8. */
    public static final int INVALID_PAYLOAD = 1007;
    public static final int POLICY_VIOLATION = 1008;
    public static final int TOO_BIG = 1009;
    public static final int INTERNAL_ERROR = 1011;
    /** Used for a client that stopped reading: its queue passed the bound. */
    public static final int TRY_AGAIN_LATER = 1013;

    private CloseCodes() {
    }
}
