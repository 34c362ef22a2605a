package dev.atlas.push.websocket;

import dev.atlas.push.CloseCodes;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Incremental decoder of the client-to-server frames of one connection (RFC 6455 §5), for a server that
 * negotiates no extension and accepts text messages only.
 *
 * <p>Bytes are fed as they are read from the socket and may be split anywhere: inside a header, the mask key
 * or a payload; one feed may also hold several frames. The decoder reports each complete text message (its
 * fragments joined) and each control frame to a {@link Handler}, in stream order; control frames that arrive
 * between the fragments of a message are reported at once.
 *
 * <p>Memory: an idle decoder is a handful of scalar fields. A payload buffer exists only while a frame or a
 * fragmented message is partly received; it grows as bytes arrive (never beyond what the frame headers
 * announced, and never beyond the message limit) and is dropped as soon as the message or control frame is
 * delivered, or the stream fails.
 *
 * <p>Not thread-safe: one thread at a time may call {@link #feed}; successive calls from different threads
 * need a happens-before edge between them (as a servlet container's read callbacks provide).
 */
public final class FrameDecoder {

    /**
     * Receives what {@link FrameDecoder#feed} decodes. Called on the thread calling {@code feed}, before it
     * returns. If a method throws, the exception propagates out of {@code feed}, the rest of that feed's
     * bytes are not decoded, and the decoder ignores every later feed (the stream position is lost).
     */
    public interface Handler {
        /**
         * One whole text message, all its fragments joined.
         *
         * @param message the message, decoded from valid UTF-8
         */
        void onText(String message);

        /**
         * A ping frame; the server should answer with a pong carrying the same payload.
         *
         * @param payload the unmasked payload (0 to 125 bytes), owned by the handler from now on
         */
        void onPing(byte[] payload);

        /**
         * A pong frame.
         *
         * @param payload the unmasked payload (0 to 125 bytes), owned by the handler from now on
         */
        void onPong(byte[] payload);

        /**
         * The close frame. It is the last call: the decoder ignores everything after it.
         *
         * @param code   the status code, or 1005 ({@link CloseCodes#NO_STATUS}) when the frame had no payload
         * @param reason the reason, or "" when there was none
         */
        void onClose(int code, String reason);
    }

    // States; the last two are final.
    private static final byte FIRST_BYTE = 0;
    private static final byte SECOND_BYTE = 1;
    private static final byte EXTENDED_LENGTH = 2;
    private static final byte MASK_KEY = 3;
    private static final byte PAYLOAD = 4;
    private static final byte CLOSED = 5;
    private static final byte FAILED = 6;

    private static final int FIN = 0x80;
    private static final int RSV = 0x70;
    private static final int MASKED = 0x80;
    private static final byte[] EMPTY = new byte[0];
    /** The smallest buffer allocated for a message whose frame announces more than has arrived yet. */
    private static final int MIN_GROWTH = 1024;

    private final int maxMessageBytes;
    private byte state = FIRST_BYTE;
    /** The first header byte of the current frame: FIN, RSV and opcode. */
    private byte head;
    /** Header bytes still to read in state EXTENDED_LENGTH or MASK_KEY. */
    private byte pending;
    /** The current frame's masking key, first key byte in the most significant position. */
    private int mask;
    /** The current frame's payload length. Checked to fit an int before any payload byte is read. */
    private long length;
    /** Payload bytes of the current frame already read; also the masking key index. */
    private int done;
    /** The current control frame's payload, while it is incomplete. */
    private byte[] control;
    /** The text message in progress (null while it has no byte yet); valid bytes: [0, messageLength). */
    private byte[] message;
    /** Bytes of the text message in progress, or -1 when no message is in progress. */
    private int messageLength = -1;

    /**
     * @param maxMessageBytes the largest text message accepted, in bytes, summed over its fragments; a larger
     *                        one fails with status 1009 ({@link CloseCodes#TOO_BIG})
     * @throws IllegalArgumentException if the limit is negative
     */
    public FrameDecoder(int maxMessageBytes) {
        if (maxMessageBytes < 0) {
            throw new IllegalArgumentException("maxMessageBytes must not be negative: " + maxMessageBytes);
        }
        this.maxMessageBytes = maxMessageBytes;
    }

    /**
     * Consumes {@code len} bytes from {@code buf[off..]} and calls the handler for each message and control
     * frame completed by them, in order. Bytes may be split anywhere and one call may complete several
     * frames. The bytes are read, never modified or retained.
     *
     * <p>Once a violation was thrown, a handler method threw, or a close frame was delivered, the call
     * returns at once without doing anything (bytes following a close frame in the same call are ignored
     * too). An empty slice allocates nothing.
     *
     * @param buf     the bytes read from the client
     * @param off     where they start
     * @param len     how many there are
     * @param handler receives the decoded messages and control frames
     * @throws WebSocketException        at the first protocol violation; its {@link WebSocketException#code()}
     *                                   is the close status to answer with
     * @throws IndexOutOfBoundsException if the slice is not within {@code buf}
     */
    public void feed(byte[] buf, int off, int len, Handler handler) throws WebSocketException {
        if (state >= CLOSED) {
            return;
        }
        Objects.checkFromIndexSize(off, len, buf.length);
        Objects.requireNonNull(handler, "handler");
        boolean ok = false;
        try {
            int end = off + len;
            int p = off;
            while (p < end && state < CLOSED) {
                switch (state) {
                    case FIRST_BYTE -> firstByte(buf[p++]);
                    case SECOND_BYTE -> secondByte(buf[p++]);
                    case EXTENDED_LENGTH -> {
                        length = (length << 8) | (buf[p++] & 0xFF);
                        if (--pending == 0) {
                            lengthKnown();
                        }
                    }
                    case MASK_KEY -> {
                        mask = (mask << 8) | (buf[p++] & 0xFF);
                        if (--pending == 0) {
                            maskKnown(handler);
                        }
                    }
                    default -> p = payload(buf, p, end, handler);
                }
            }
            ok = true;
        } finally {
            if (!ok) {
                fail();
            }
        }
    }

    /** Whether a close frame was received and delivered; the decoder then ignores further feeds. */
    public boolean closeReceived() {
        return state == CLOSED;
    }

    /** Whether a payload buffer is held (for tests: none while no frame or message is incomplete). */
    boolean holdsBuffer() {
        return control != null || message != null;
    }

    private void firstByte(byte b) throws WebSocketException {
        head = b;
        if ((b & RSV) != 0) {
            throw protocolError("reserved bits set without a negotiated extension");
        }
        int opcode = b & 0x0F;
        boolean fin = (b & FIN) != 0;
        switch (opcode) {
            case Frames.OP_CONTINUATION -> {
                if (messageLength < 0) {
                    throw protocolError("continuation frame without a message in progress");
                }
            }
            case Frames.OP_TEXT, Frames.OP_BINARY -> {
                if (messageLength >= 0) {
                    throw protocolError("new data frame while a fragmented message is in progress");
                }
                if (opcode == Frames.OP_BINARY) {
                    throw new WebSocketException(CloseCodes.UNSUPPORTED_DATA, "binary messages are not supported");
                }
                messageLength = 0;
            }
            case Frames.OP_CLOSE, Frames.OP_PING, Frames.OP_PONG -> {
                if (!fin) {
                    throw protocolError("fragmented control frame");
                }
            }
            default -> throw protocolError("reserved opcode " + opcode);
        }
        state = SECOND_BYTE;
    }

    private void secondByte(byte b) throws WebSocketException {
        if ((b & MASKED) == 0) {
            throw protocolError("client frame not masked");
        }
        int len7 = b & 0x7F;
        if (isControl() && len7 > Frames.MAX_CONTROL_PAYLOAD) {
            throw protocolError("control frame payload over 125 bytes");
        }
        if (len7 < 126) {
            length = len7;
            lengthKnown();
        } else {
            length = 0;
            pending = (byte) (len7 == 126 ? 2 : 8);
            state = EXTENDED_LENGTH;
        }
    }

    /** Validates the payload length of the current frame, before a byte of it is buffered. */
    private void lengthKnown() throws WebSocketException {
        if (length < 0) {
            throw protocolError("64-bit payload length with the most significant bit set");
        }
        if (isControl()) {
            if (opcode() == Frames.OP_CLOSE && length == 1) {
                throw protocolError("close frame payload of 1 byte");
            }
        } else if (length > maxMessageBytes - messageLength) {
            throw new WebSocketException(CloseCodes.TOO_BIG, "message exceeds " + maxMessageBytes + " bytes");
        }
        mask = 0;
        pending = 4;
        state = MASK_KEY;
    }

    private void maskKnown(Handler handler) throws WebSocketException {
        done = 0;
        if (length == 0) {
            frameComplete(handler);
        } else {
            if (isControl()) {
                control = new byte[(int) length];
            }
            state = PAYLOAD;
        }
    }

    /** Unmasks and stores the payload bytes available in buf[p, end); returns the position after them. */
    private int payload(byte[] buf, int p, int end, Handler handler) throws WebSocketException {
        int frameRemaining = (int) length - done;
        int n = Math.min(end - p, frameRemaining);
        byte[] dst;
        int at;
        if (isControl()) {
            dst = control;
            at = done;
        } else {
            ensureMessageCapacity(messageLength + n, messageLength + frameRemaining);
            dst = message;
            at = messageLength;
            messageLength += n;
        }
        unmask(buf, p, dst, at, n, mask, done);
        done += n;
        if (done == length) {
            frameComplete(handler);
        }
        return p + n;
    }

    /**
     * Copies n bytes from src[from..] to dst[to..], XORing each with the masking key byte for its payload
     * index (index {@code payloadIndex} for the first byte, counted from the start of the frame's payload).
     */
    static void unmask(byte[] src, int from, byte[] dst, int to, int n, int mask, int payloadIndex) {
        // rotate the key so that its most significant byte applies to the first byte copied
        int key = Integer.rotateLeft(mask, (payloadIndex & 3) << 3);
        for (int i = 0; i < n; i++) {
            dst[to + i] = (byte) (src[from + i] ^ (key >>> (24 - ((i & 3) << 3))));
        }
    }

    /**
     * Makes the message buffer hold at least {@code needed} bytes: doubles it (from at least 1 KiB) so that
     * many small fragments cost amortised constant copying, but never beyond {@code frameEnd}, the message
     * size once the current frame is complete, so a single-frame message ends up in an exact-size array.
     */
    private void ensureMessageCapacity(int needed, int frameEnd) {
        int capacity = message == null ? 0 : message.length;
        if (needed <= capacity) {
            return;
        }
        long grown = Math.max(needed, Math.max(2L * capacity, MIN_GROWTH));
        int size = (int) Math.min(grown, frameEnd);
        message = message == null ? new byte[size] : Arrays.copyOf(message, size);
    }

    private void frameComplete(Handler handler) throws WebSocketException {
        state = FIRST_BYTE;
        byte[] payload = control == null ? EMPTY : control;
        control = null;
        switch (opcode()) {
            case Frames.OP_PING -> handler.onPing(payload);
            case Frames.OP_PONG -> handler.onPong(payload);
            case Frames.OP_CLOSE -> close(payload, handler);
            default -> {
                if ((head & FIN) != 0) {
                    byte[] bytes = message;
                    int n = messageLength;
                    message = null;
                    messageLength = -1;
                    handler.onText(utf8(bytes, 0, n, "text message"));
                }
            }
        }
    }

    private void close(byte[] payload, Handler handler) throws WebSocketException {
        int code = CloseCodes.NO_STATUS;
        String reason = "";
        if (payload.length >= 2) {
            code = ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
            if (!Frames.isValidCloseCode(code)) {
                throw protocolError("invalid close code " + code);
            }
            reason = utf8(payload, 2, payload.length - 2, "close reason");
        }
        state = CLOSED;
        message = null;
        messageLength = -1;
        handler.onClose(code, reason);
    }

    private static String utf8(byte[] bytes, int off, int n, String what) throws WebSocketException {
        if (n == 0) {
            return "";
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, off, n))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new WebSocketException(CloseCodes.INVALID_PAYLOAD, what + " is not valid UTF-8");
        }
    }

    /** Ends decoding after a violation or a handler failure: later feeds are ignored, buffers dropped. */
    private void fail() {
        if (state != CLOSED) {
            state = FAILED;
        }
        control = null;
        message = null;
        messageLength = -1;
    }

    private int opcode() {
        return head & 0x0F;
    }

    private boolean isControl() {
        return (head & 0x08) != 0;
    }

    private static WebSocketException protocolError(String reason) {
        return new WebSocketException(CloseCodes.PROTOCOL_ERROR, reason);
    }
}
