package dev.atlas.push.socketio;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One Engine.IO protocol v4 packet in its text form: a one-digit type followed by optional text data
 * ({@code 4hello}, {@code 2probe}, {@code 6}). Over WebSocket each packet is one text frame; over HTTP
 * long-polling several packets travel in one body, separated by the record separator U+001E
 * ({@link #encodePayload}, {@link #joinPayload}, {@link #decodePayload}).
 *
 * <p>Only text is supported: the base64 binary form ({@code b} prefix) is rejected as malformed.
 * The data is never {@code null}; a packet without data has {@code ""}. The codec does not judge whether
 * a packet type makes sense in context (a client sending {@code 0}); that is the session's job.
 *
 * <p>Immutable, so thread-safe; the static methods keep no state.
 *
 * @param type the packet type
 * @param data the text after the type digit, {@code ""} when there is none
 */
public record EnginePacket(Type type, String data) {
    /** The {@code EIO} query parameter value of this protocol version. */
    public static final int PROTOCOL = 4;

    /** The record separator between packets of a long-polling payload. */
    public static final char SEPARATOR = '\u001e';

    /** The data of the ping/pong pair that probes a WebSocket before an upgrade. */
    public static final String PROBE = "probe";

    /** The content type of a long-polling response body holding a text payload. */
    public static final String PAYLOAD_CONTENT_TYPE = "text/plain; charset=UTF-8";

    /** The body of the HTTP 200 that accepts a long-polling POST. */
    public static final String POST_ACCEPTED_BODY = "ok";

    /** Engine.IO packet types, with their wire digit. An enum, so thread-safe. */
    public enum Type {
        OPEN(0), CLOSE(1), PING(2), PONG(3), MESSAGE(4), UPGRADE(5), NOOP(6);

        private static final Type[] BY_CODE = values();

        private final int code;

        Type(int code) {
            this.code = code;
        }

        /** The number written on the wire. */
        public int code() {
            return code;
        }

        char digit() {
            return (char) ('0' + code);
        }

        static Type ofDigit(char c) {
            int code = c - '0';
            return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
        }
    }

    public EnginePacket {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(data, "data");
    }

    /** A packet without data, such as {@code 2} (ping) or {@code 6} (noop). */
    public static EnginePacket of(Type type) {
        return new EnginePacket(type, "");
    }

    /** A {@code message} packet: the carrier of every Socket.IO packet. */
    public static EnginePacket message(String data) {
        return new EnginePacket(Type.MESSAGE, data);
    }

    /** The text form: type digit then data. */
    public String encode() {
        return type.digit() + data;
    }

    /** True for {@code 2probe} and {@code 3probe}. */
    public boolean isProbe() {
        return (type == Type.PING || type == Type.PONG) && PROBE.equals(data);
    }

    /**
     * Decodes one packet (a WebSocket text frame, or one segment of a polling payload).
     *
     * @throws ProtocolException when the text is empty, starts with the binary prefix {@code b}, or does
     *         not start with a known type digit
     */
    public static EnginePacket decode(String text) throws ProtocolException {
        Objects.requireNonNull(text, "text");
        if (text.isEmpty()) {
            throw new ProtocolException("empty Engine.IO packet");
        }
        char first = text.charAt(0);
        if (first == 'b') {
            throw new ProtocolException("binary Engine.IO packets ('b' + base64) are not supported: "
                    + "Atlas speaks the text protocol only");
        }
        Type type = Type.ofDigit(first);
        if (type == null) {
            throw new ProtocolException("unknown Engine.IO packet type " + describe(first)
                    + ": expected a digit 0-6");
        }
        return new EnginePacket(type, text.substring(1));
    }

    /**
     * Joins packets into the body of a long-polling response.
     *
     * @throws IllegalArgumentException when the list is empty (an empty body is malformed for the
     *         client) or a packet's data contains the record separator, which would split it in two
     */
    public static String encodePayload(List<EnginePacket> packets) {
        Objects.requireNonNull(packets, "packets");
        if (packets.isEmpty()) {
            throw new IllegalArgumentException("a payload holds at least one packet");
        }
        int size = packets.size() - 1;
        for (EnginePacket p : packets) {
            size += 1 + p.data.length();
        }
        StringBuilder out = new StringBuilder(size);
        for (EnginePacket p : packets) {
            if (p.data.indexOf(SEPARATOR) >= 0) {
                throw new IllegalArgumentException("packet data contains the record separator \\u001e");
            }
            if (out.length() > 0) {
                out.append(SEPARATOR);
            }
            out.append(p.type.digit()).append(p.data);
        }
        return out.toString();
    }

    /**
     * Joins already encoded packets (frames such as {@code 42[…]} from {@link SocketFrames}, or
     * {@link #encode()} results) into a long-polling response body, so a session writer can queue the
     * same frame strings for WebSocket and polling without decoding them again.
     *
     * @throws IllegalArgumentException when the list is empty, or a frame is empty or contains the
     *         record separator (JSON writers escape U+001E, so a serialized envelope never does)
     */
    public static String joinPayload(List<String> encodedPackets) {
        Objects.requireNonNull(encodedPackets, "encodedPackets");
        if (encodedPackets.isEmpty()) {
            throw new IllegalArgumentException("a payload holds at least one packet");
        }
        int size = encodedPackets.size() - 1;
        for (String frame : encodedPackets) {
            size += frame.length();
        }
        StringBuilder out = new StringBuilder(size);
        for (String frame : encodedPackets) {
            if (frame.isEmpty()) {
                throw new IllegalArgumentException("an encoded packet is never empty");
            }
            if (frame.indexOf(SEPARATOR) >= 0) {
                throw new IllegalArgumentException("encoded packet contains the record separator \\u001e");
            }
            if (out.length() > 0) {
                out.append(SEPARATOR);
            }
            out.append(frame);
        }
        return out.toString();
    }

    /**
     * Splits the body of a long-polling POST into packets.
     *
     * @throws ProtocolException when the body is empty, has an empty segment (leading, trailing or doubled
     *         separator), or any segment is not a valid packet; the message names the segment
     */
    public static List<EnginePacket> decodePayload(String body) throws ProtocolException {
        Objects.requireNonNull(body, "body");
        if (body.isEmpty()) {
            throw new ProtocolException("empty Engine.IO payload");
        }
        List<EnginePacket> packets = new ArrayList<>();
        int start = 0;
        while (true) {
            int end = body.indexOf(SEPARATOR, start);
            String segment = end < 0 ? body.substring(start) : body.substring(start, end);
            if (segment.isEmpty()) {
                throw new ProtocolException("empty packet at position " + packets.size()
                        + " of the Engine.IO payload");
            }
            try {
                packets.add(decode(segment));
            } catch (ProtocolException e) {
                throw new ProtocolException(e.getMessage() + " (packet at position " + packets.size()
                        + " of the payload)", e);
            }
            if (end < 0) {
                return List.copyOf(packets);
            }
            start = end + 1;
        }
    }

    /** Type and data length only: the data of a message may carry a client's token. */
    @Override
    public String toString() {
        return "EnginePacket[" + type + " data=" + data.length() + " chars]";
    }

    static String describe(char c) {
        return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }
}
