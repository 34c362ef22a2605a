package dev.atlas.push.websocket;

import java.nio.charset.StandardCharsets;

/**
 * Encodes server-to-client WebSocket frames (RFC 6455 §5.2): never masked, FIN set, RSV bits 0 (no extension
 * is ever negotiated). Each method returns a fresh array holding one complete frame, header and payload, so
 * one event's frame can be built once and the same array written to every socket, as long as nobody
 * modifies it.
 *
 * <p>Stateless and thread-safe. Also holds the rule of which close codes may appear on the wire (the codes are
 * in {@link dev.atlas.push.CloseCodes}).
 */
public final class Frames {
    /** Opcodes (RFC 6455 §5.2). */
    static final int OP_CONTINUATION = 0x0;
    static final int OP_TEXT = 0x1;
    static final int OP_BINARY = 0x2;
    static final int OP_CLOSE = 0x8;
    static final int OP_PING = 0x9;
    static final int OP_PONG = 0xA;

    /** The largest payload of a control frame (close, ping, pong). */
    static final int MAX_CONTROL_PAYLOAD = 125;
    /** The largest close reason in UTF-8 bytes: the control payload less the 2-byte status code. */
    static final int MAX_CLOSE_REASON = MAX_CONTROL_PAYLOAD - 2;

    private static final int FIN = 0x80;
    private static final int MAX_HEADER = 10;
    private static final byte[] EMPTY = new byte[0];

    private Frames() {
    }

    /**
     * One text frame (FIN set) carrying the given bytes, which the caller guarantees are valid UTF-8. The
     * header is 2 bytes for a payload under 126 bytes, 4 bytes (length 126 and a 16-bit length) under 65536,
     * and 10 bytes (length 127 and a 64-bit length) above.
     *
     * @param utf8Payload the message, UTF-8 encoded; copied, not retained
     * @return a new array holding the whole frame
     * @throws IllegalArgumentException if the frame would not fit in a Java array
     */
    public static byte[] text(byte[] utf8Payload) {
        return frame(OP_TEXT, utf8Payload, utf8Payload.length);
    }

    /**
     * One text frame (FIN set) carrying the message encoded in UTF-8 (a lone surrogate, which has no UTF-8
     * form, is encoded as {@code ?}); see {@link #text(byte[])}.
     *
     * @param message the message text
     * @return a new array holding the whole frame
     */
    public static byte[] text(String message) {
        return text(message.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A close frame with the 2-byte status code followed by the reason in UTF-8. A reason longer than 123
     * bytes is cut to at most 123 bytes at a character boundary (a multi-byte character is never split).
     *
     * @param code   the status code; must be one an endpoint may send (1000-1003, 1007-1014, 3000-4999)
     * @param reason the reason, or null for none
     * @return a new array holding the whole frame (at most 127 bytes)
     * @throws IllegalArgumentException if the code may not appear in a close frame (for example 1005, 1006)
     */
    public static byte[] close(int code, String reason) {
        if (!isValidCloseCode(code)) {
            throw new IllegalArgumentException("close code " + code + " may not be sent");
        }
        byte[] utf8 = reason == null ? EMPTY : reason.getBytes(StandardCharsets.UTF_8);
        int n = truncatedLength(utf8, MAX_CLOSE_REASON);
        byte[] frame = new byte[4 + n];
        frame[0] = (byte) (FIN | OP_CLOSE);
        frame[1] = (byte) (2 + n);
        frame[2] = (byte) (code >>> 8);
        frame[3] = (byte) code;
        System.arraycopy(utf8, 0, frame, 4, n);
        return frame;
    }

    /**
     * A close frame with no payload (the peer reports status 1005).
     *
     * @return a new 2-byte array
     */
    public static byte[] emptyClose() {
        return new byte[] {(byte) (FIN | OP_CLOSE), 0};
    }

    /**
     * A ping frame.
     *
     * @param payload at most 125 bytes, copied
     * @return a new array holding the whole frame
     * @throws IllegalArgumentException if the payload is longer than 125 bytes
     */
    public static byte[] ping(byte[] payload) {
        return control(OP_PING, payload);
    }

    /**
     * A pong frame, normally echoing the payload of the ping it answers.
     *
     * @param payload at most 125 bytes, copied
     * @return a new array holding the whole frame
     * @throws IllegalArgumentException if the payload is longer than 125 bytes
     */
    public static byte[] pong(byte[] payload) {
        return control(OP_PONG, payload);
    }

    /**
     * Whether a close frame may carry this status code (RFC 6455 §7.4): 1000-1003, 1007-1014 (defined or
     * registered) and 3000-4999 (libraries, applications). 1004, 1005, 1006 and 1015 are reserved or must
     * never be sent; the rest of 1000-2999 is reserved for the protocol.
     */
    static boolean isValidCloseCode(int code) {
        return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    }

    /**
     * The number of leading bytes of a UTF-8 sequence to keep so that at most {@code max} bytes remain and no
     * character is split: backs off from the cut while the first byte left out is a continuation byte.
     */
    static int truncatedLength(byte[] utf8, int max) {
        if (utf8.length <= max) {
            return utf8.length;
        }
        int cut = max;
        while (cut > 0 && (utf8[cut] & 0xC0) == 0x80) {
            cut--;
        }
        return cut;
    }

    private static byte[] control(int opcode, byte[] payload) {
        if (payload.length > MAX_CONTROL_PAYLOAD) {
            throw new IllegalArgumentException("control frame payload of " + payload.length + " bytes exceeds "
                    + MAX_CONTROL_PAYLOAD);
        }
        return frame(opcode, payload, payload.length);
    }

    private static byte[] frame(int opcode, byte[] payload, int length) {
        if (length > Integer.MAX_VALUE - MAX_HEADER) {
            throw new IllegalArgumentException("payload too large for one frame array: " + length);
        }
        int header = length < 126 ? 2 : length < 65536 ? 4 : MAX_HEADER;
        byte[] frame = new byte[header + length];
        frame[0] = (byte) (FIN | opcode);
        if (header == 2) {
            frame[1] = (byte) length;
        } else if (header == 4) {
            frame[1] = 126;
            frame[2] = (byte) (length >>> 8);
            frame[3] = (byte) length;
        } else {
            frame[1] = 127;
            // bytes 2..5, the high half of the 64-bit length, stay 0: a Java array holds under 2^31 bytes
            frame[6] = (byte) (length >>> 24);
            frame[7] = (byte) (length >>> 16);
            frame[8] = (byte) (length >>> 8);
            frame[9] = (byte) length;
        }
        System.arraycopy(payload, 0, frame, header, length);
        return frame;
    }
}
