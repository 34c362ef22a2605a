package dev.atlas.push.socketio;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * One Socket.IO protocol v5 packet, the data of an Engine.IO {@code message} packet:
 * {@code <type>[<namespace>,][<ack id>][<JSON payload>]}, for example {@code 0}, {@code 0{"token":"t"}},
 * {@code 2["hello",1]}, {@code 212["hello"]}, {@code 3/admin,13["bar"]}, {@code 1/admin,}.
 *
 * <p>{@link #decode} validates what the protocol and the reference parser require and closes every gap
 * they leave open, so that a packet that decodes is one the server can act on:
 * <ul>
 *   <li>{@code CONNECT}: payload absent or a JSON object (the auth data); no ack id.</li>
 *   <li>{@code DISCONNECT}: no payload, no ack id.</li>
 *   <li>{@code EVENT}: a non-empty JSON array whose first element is a string, the event name, and not
 *       one of the names Socket.IO reserves ({@code connect}, {@code disconnect}…); ack id optional.
 *       (The reference parser also accepts a number as event name; Atlas' clients never send one.)</li>
 *   <li>{@code ACK}: a JSON array (possibly empty) and an ack id.</li>
 *   <li>{@code CONNECT_ERROR}: a JSON object (such as {@code {"message":"…"}}); no ack id.</li>
 *   <li>{@code BINARY_EVENT} (5) and {@code BINARY_ACK} (6) are rejected: Atlas speaks text only.</li>
 *   <li>Namespace: starts with {@code /} and ends at the first {@code ,}. As in the reference parser a
 *       namespace that ends the packet may omit the comma ({@code 40/admin}); one followed by a payload
 *       may not ({@code 2/admin["x"]} is rejected).</li>
 *   <li>Ack id: 1 to {@value #MAX_ACK_ID_DIGITS} decimal digits, so it is exact in a JavaScript number.</li>
 *   <li>The payload must be one valid JSON value with nothing after it but whitespace.</li>
 * </ul>
 *
 * <p>Immutable, so thread-safe: the payload tree is copied on the way in and on the way out.
 * {@link #toString()} shows the payload's shape but never its content, since a {@code CONNECT} payload
 * carries the client's token.
 */
public final class SocketPacket {
    /** The Socket.IO protocol version this codec speaks. */
    public static final int PROTOCOL = 5;

    /** The main namespace; it is left out of the encoded packet. */
    public static final String MAIN_NAMESPACE = "/";

    /** The most digits an ack id may have (10^15 - 1 is still exact as a JavaScript number). */
    public static final int MAX_ACK_ID_DIGITS = 15;

    /**
     * Event names with a meaning of their own in Socket.IO clients and servers; the reference parser
     * refuses them in EVENT packets and the reference server refuses to emit them.
     */
    public static final Set<String> RESERVED_EVENT_NAMES = Set.of(
            "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener");

    private static final long NO_ACK_ID = -1;

    /** Socket.IO packet types Atlas supports, with their wire digit. An enum, so thread-safe. */
    public enum Type {
        CONNECT(0), DISCONNECT(1), EVENT(2), ACK(3), CONNECT_ERROR(4);

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
    }

    private final Type type;
    private final String namespace;
    private final long ackId;
    private final JsonNode payload;

    private SocketPacket(Type type, String namespace, long ackId, JsonNode payload) {
        this.type = type;
        this.namespace = namespace;
        this.ackId = ackId;
        this.payload = payload;
    }

    /**
     * A packet from its parts, validated by the same rules as {@link #decode}.
     *
     * @param payload the JSON payload, or {@code null} for none; it is copied
     * @throws IllegalArgumentException when the parts break a rule of the class description
     */
    public static SocketPacket of(Type type, String namespace, OptionalLong ackId, JsonNode payload) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(ackId, "ackId");
        String problem = namespaceProblem(namespace);
        if (problem == null && ackId.isPresent()) {
            problem = ackIdProblem(ackId.getAsLong());
        }
        JsonNode copy = payload == null || payload.isMissingNode() ? null : payload.deepCopy();
        long id = ackId.orElse(NO_ACK_ID);
        if (problem == null) {
            problem = ackIdRule(type, ackId.isPresent());
        }
        if (problem == null) {
            problem = payloadRule(type, copy);
        }
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return new SocketPacket(type, namespace, id, copy);
    }

    /** {@code CONNECT}, with the client's auth object or {@code null}. */
    public static SocketPacket connect(String namespace, ObjectNode auth) {
        return of(Type.CONNECT, namespace, OptionalLong.empty(), auth);
    }

    /** {@code DISCONNECT} from a namespace. */
    public static SocketPacket disconnect(String namespace) {
        return of(Type.DISCONNECT, namespace, OptionalLong.empty(), null);
    }

    /** {@code EVENT} without ack id; {@code data} is the event name followed by the arguments. */
    public static SocketPacket event(String namespace, ArrayNode data) {
        return of(Type.EVENT, namespace, OptionalLong.empty(), data);
    }

    /** {@code EVENT} asking the receiver to acknowledge with {@code ackId}. */
    public static SocketPacket event(String namespace, long ackId, ArrayNode data) {
        return of(Type.EVENT, namespace, OptionalLong.of(ackId), data);
    }

    /** {@code ACK} answering the event that carried {@code ackId}; {@code args} may be empty. */
    public static SocketPacket ack(String namespace, long ackId, ArrayNode args) {
        return of(Type.ACK, namespace, OptionalLong.of(ackId), args);
    }

    /** {@code CONNECT_ERROR} with payload {@code {"message": message}}. */
    public static SocketPacket connectError(String namespace, String message) {
        ObjectNode payload = JsonNodeFactory.instance.objectNode();
        payload.put("message", Objects.requireNonNull(message, "message"));
        return of(Type.CONNECT_ERROR, namespace, OptionalLong.empty(), payload);
    }

    public Type type() {
        return type;
    }

    /** The namespace, {@value #MAIN_NAMESPACE} when the packet names none. */
    public String namespace() {
        return namespace;
    }

    /** The ack id, if the packet has one. */
    public OptionalLong ackId() {
        return ackId == NO_ACK_ID ? OptionalLong.empty() : OptionalLong.of(ackId);
    }

    /** A copy of the JSON payload, if the packet has one. */
    public Optional<JsonNode> payload() {
        return payload == null ? Optional.empty() : Optional.of(payload.deepCopy());
    }

    /**
     * The event name of an {@code EVENT} packet.
     *
     * @throws IllegalStateException for other packet types
     */
    public String eventName() {
        requireEvent();
        return payload.get(0).textValue();
    }

    /**
     * Copies of the arguments of an {@code EVENT} packet (the payload after the event name), in order.
     *
     * @throws IllegalStateException for other packet types
     */
    public List<JsonNode> eventArguments() {
        requireEvent();
        List<JsonNode> args = new ArrayList<>(payload.size() - 1);
        for (int i = 1; i < payload.size(); i++) {
            args.add(payload.get(i).deepCopy());
        }
        return Collections.unmodifiableList(args);
    }

    /** The Socket.IO text form, without the Engine.IO {@code 4} in front. */
    public String encode() {
        StringBuilder out = new StringBuilder(32);
        out.append(type.digit());
        if (!MAIN_NAMESPACE.equals(namespace)) {
            out.append(namespace).append(',');
        }
        if (ackId != NO_ACK_ID) {
            out.append(ackId);
        }
        if (payload != null) {
            out.append(JsonText.write(payload));
        }
        return out.toString();
    }

    /** The complete text frame: the Engine.IO {@code message} type {@code 4} followed by {@link #encode()}. */
    public String frame() {
        return EnginePacket.Type.MESSAGE.digit() + encode();
    }

    /** The same packet wrapped in an Engine.IO {@code message} packet. */
    public EnginePacket toEnginePacket() {
        return EnginePacket.message(encode());
    }

    /**
     * Decodes the data of an Engine.IO {@code message} packet (the text after the {@code 4}).
     *
     * @throws ProtocolException when the text breaks any rule in the class description
     */
    public static SocketPacket decode(String text) throws ProtocolException {
        Objects.requireNonNull(text, "text");
        if (text.isEmpty()) {
            throw new ProtocolException("empty Socket.IO packet");
        }
        Type type = typeOf(text.charAt(0));
        int n = text.length();
        int i = 1;

        String namespace = MAIN_NAMESPACE;
        if (i < n && text.charAt(i) == '/') {
            int comma = text.indexOf(',', i);
            int end = comma < 0 ? n : comma;
            namespace = text.substring(i, end);
            if (namespace.indexOf('[') >= 0 || namespace.indexOf('{') >= 0) {
                // "2/admin[...]": the payload was glued to the namespace (any ',' found is inside the JSON)
                throw new ProtocolException("missing ',' between the namespace and the payload");
            }
            String problem = namespaceProblem(namespace);
            if (problem != null) {
                throw new ProtocolException(problem);
            }
            i = comma < 0 ? n : comma + 1;
        }

        long ackId = NO_ACK_ID;
        int digitsStart = i;
        while (i < n && isDigit(text.charAt(i))) {
            i++;
        }
        if (i > digitsStart) {
            if (i - digitsStart > MAX_ACK_ID_DIGITS) {
                throw new ProtocolException("ack id longer than " + MAX_ACK_ID_DIGITS + " digits");
            }
            ackId = Long.parseLong(text, digitsStart, i, 10);
        }

        if (i < n) {
            char c = text.charAt(i);
            if (c != '[' && c != '{' && !isJsonWhitespace(c)) {
                throw new ProtocolException("expected " + (ackId == NO_ACK_ID ? "an ack id or " : "")
                        + "a JSON array or object at offset " + i + ", found " + EnginePacket.describe(c));
            }
        }
        // before parsing: no need to read the payload of a packet that is wrong already
        String problem = ackIdRule(type, ackId != NO_ACK_ID);
        if (problem != null) {
            throw new ProtocolException(problem);
        }
        JsonNode payload = i < n ? parse(text, i) : null;

        problem = payloadRule(type, payload);
        if (problem != null) {
            throw new ProtocolException(problem);
        }
        return new SocketPacket(type, namespace, ackId, payload);
    }

    private static Type typeOf(char c) throws ProtocolException {
        if (c == '5' || c == '6') {
            throw new ProtocolException("binary Socket.IO packets (" + (c == '5' ? "BINARY_EVENT" : "BINARY_ACK")
                    + ") are not supported: Atlas speaks the text protocol only");
        }
        int code = c - '0';
        if (code < 0 || code >= Type.BY_CODE.length) {
            throw new ProtocolException("unknown Socket.IO packet type " + EnginePacket.describe(c)
                    + ": expected a digit 0-4");
        }
        return Type.BY_CODE[code];
    }

    private static JsonNode parse(String text, int offset) throws ProtocolException {
        JsonNode node;
        try {
            node = JsonText.MAPPER.readTree(text.substring(offset));
        } catch (JsonProcessingException e) {
            long at = e.getLocation() == null ? -1 : e.getLocation().getCharOffset();
            throw new ProtocolException("payload is not valid JSON"
                    + (at >= 0 ? " at offset " + (offset + at) : "") + ": " + reason(e));
        }
        if (node == null || node.isMissingNode()) {
            throw new ProtocolException("payload is not valid JSON: no value");
        }
        return node;
    }

    /** Null when the namespace is acceptable, else what is wrong with it. */
    private static String namespaceProblem(String namespace) {
        if (namespace.isEmpty() || namespace.charAt(0) != '/') {
            return "namespace must start with '/'";
        }
        for (int i = 0; i < namespace.length(); i++) {
            char c = namespace.charAt(i);
            if (c == ',' || c == '[' || c == '{' || c < 0x20 || c == 0x7f) {
                return "namespace contains the invalid character " + EnginePacket.describe(c);
            }
        }
        return null;
    }

    private static String ackIdProblem(long id) {
        if (id < 0) {
            return "ack id must not be negative";
        }
        if (Long.toString(id).length() > MAX_ACK_ID_DIGITS) {
            return "ack id longer than " + MAX_ACK_ID_DIGITS + " digits";
        }
        return null;
    }

    /** Null when the packet type may (or must) carry the ack id it has or lacks, else what is wrong. */
    private static String ackIdRule(Type type, boolean hasAckId) {
        switch (type) {
            case EVENT:
                return null;
            case ACK:
                return hasAckId ? null : "ACK packets need an ack id";
            default:
                return hasAckId ? type + " packets carry no ack id" : null;
        }
    }

    /** Null when the payload suits the packet type, else what is wrong. */
    private static String payloadRule(Type type, JsonNode payload) {
        switch (type) {
            case CONNECT:
                return payload == null || payload.isObject() ? null : "CONNECT payload must be a JSON object";
            case DISCONNECT:
                return payload == null ? null : "DISCONNECT packets carry no payload";
            case EVENT:
                if (payload == null) {
                    return "EVENT packets need a payload";
                }
                if (!payload.isArray()) {
                    return "EVENT payload must be a JSON array";
                }
                if (payload.isEmpty()) {
                    return "EVENT payload must not be empty: its first element is the event name";
                }
                if (!payload.get(0).isTextual()) {
                    return "the first element of an EVENT payload, the event name, must be a string";
                }
                if (RESERVED_EVENT_NAMES.contains(payload.get(0).textValue())) {
                    return "'" + payload.get(0).textValue() + "' is a reserved event name";
                }
                return null;
            case ACK:
                return payload != null && payload.isArray() ? null : "ACK payload must be a JSON array";
            case CONNECT_ERROR:
                return payload != null && payload.isObject() ? null : "CONNECT_ERROR payload must be a JSON object";
            default:
                throw new AssertionError(type);
        }
    }

    private void requireEvent() {
        if (type != Type.EVENT) {
            throw new IllegalStateException("not an EVENT packet: " + type);
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isJsonWhitespace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    /** Jackson's reason without its location suffix, short and on one line. */
    private static String reason(JsonProcessingException e) {
        String s = e.getOriginalMessage();
        if (s == null) {
            return "malformed";
        }
        int cut = s.indexOf(" (start marker");
        if (cut >= 0) {
            s = s.substring(0, cut);
        }
        s = s.replace('\n', ' ').replace('\r', ' ');
        return s.length() <= 120 ? s : s.substring(0, 120) + "…";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SocketPacket p && type == p.type && namespace.equals(p.namespace) && ackId == p.ackId
                && Objects.equals(payload, p.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, namespace, ackId, payload);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("SocketPacket[").append(type).append(' ').append(namespace);
        if (ackId != NO_ACK_ID) {
            s.append(" ackId=").append(ackId);
        }
        if (payload != null) {
            s.append(" payload=").append(payload.getNodeType().name().toLowerCase(Locale.ROOT))
                    .append('(').append(payload.size()).append(')');
        }
        return s.append(']').toString();
    }
}
