package dev.atlas.push;

/** WebSocket close codes (RFC 6455 §7.4.1) that Atlas sends. */
public final class CloseCodes {
    public static final int GOING_AWAY = 1001;
    public static final int PROTOCOL_ERROR = 1002;
    public static final int POLICY_VIOLATION = 1008;
    public static final int TOO_BIG = 1009;
    public static final int INTERNAL_ERROR = 1011;
    /** Used for a client that stopped reading: its queue passed the bound. */
    public static final int TRY_AGAIN_LATER = 1013;

    private CloseCodes() {
    }
}
