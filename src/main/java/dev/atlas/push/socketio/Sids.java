package dev.atlas.push.socketio;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * Session ids for Engine.IO sessions and Socket.IO sockets: 18 bytes (144 bits) from {@link SecureRandom},
 * base64url without padding, so 24 characters of {@code [A-Za-z0-9_-]} that need no escaping in a URL,
 * a JSON string or a log line. Ids carry no counter, time or node name: knowing one id tells nothing about
 * another. Uniqueness is probabilistic; at 144 bits a collision among even 10^12 ids has a probability
 * below 10^-18.
 *
 * <p>Thread-safe: {@link SecureRandom} is safe for concurrent use.
 */
public final class Sids {
    /** Length of every id {@link #next()} returns. */
    public static final int LENGTH = 24;

    private static final int BYTES = 18;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private Sids() {
    }

    /** A new random session id. */
    public static String next() {
        byte[] bytes = new byte[BYTES];
        RANDOM.nextBytes(bytes);
        return ENCODER.encodeToString(bytes);
    }

    /**
     * Whether a client-supplied {@code sid} could have come from {@link #next()}: a cheap check before
     * any lookup, so junk in the query string never reaches the session registry or the logs.
     */
    public static boolean isWellFormed(String sid) {
        if (sid == null || sid.length() != LENGTH) {
            return false;
        }
        for (int i = 0; i < LENGTH; i++) {
            char c = sid.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
