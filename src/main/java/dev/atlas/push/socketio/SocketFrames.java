package dev.atlas.push.socketio;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Complete text frames the server sends, Engine.IO {@code message} type and Socket.IO packet together,
 * ready for a WebSocket {@code sendText} or a polling payload: {@code 42["taskCreated",{…}]},
 * {@code 40{"sid":"…"}}, {@code 44{"message":"…"}}, {@code 43<id>[…]}, {@code 41}.
 *
 * <p>{@link #eventFrame} is the hot path: the push pipeline serializes each event's envelope once and
 * builds its Socket.IO frame once, for every session. It therefore concatenates strings and embeds the
 * envelope verbatim, never re-parsing it; {@link #eventFrames()} counts the calls so a test can prove the
 * once-per-event rule. The other frames go through {@link SocketPacket}.
 *
 * <p>Stateless apart from that counter; thread-safe.
 */
public final class SocketFrames {
    /** The message of the CONNECT_ERROR answering a namespace the server does not have. */
    public static final String INVALID_NAMESPACE = "Invalid namespace";

    private static final String EVENT_PREFIX = "42[";
    private static final LongAdder EVENT_FRAMES = new LongAdder();

    private SocketFrames() {
    }

    /**
     * {@code 42["<eventName>",<rawJsonArgument>]}: an event on the main namespace with one argument.
     *
     * @param eventName the event name; JSON-escaped here
     * @param rawJsonArgument one complete, already serialized JSON value (the envelope), embedded as is:
     *        it must be valid JSON, which this method does not check
     * @throws IllegalArgumentException when the argument is empty or the name is reserved by Socket.IO
     *         ({@link SocketPacket#RESERVED_EVENT_NAMES}: clients would mistake the event for their own)
     */
    public static String eventFrame(String eventName, String rawJsonArgument) {
        return eventFrame(eventName, rawJsonArgument, null);
    }

    /**
     * {@code 42["<eventName>",<rawJsonArgument>,"<offset>"]}: as {@link #eventFrame(String, String)}, with the
     * recovery offset (an event id: digits only, so it needs no escaping) as the last argument; none when null.
     */
    public static String eventFrame(String eventName, String rawJsonArgument, String offset) {
        Objects.requireNonNull(eventName, "eventName");
        Objects.requireNonNull(rawJsonArgument, "rawJsonArgument");
        if (rawJsonArgument.isEmpty()) {
            throw new IllegalArgumentException("rawJsonArgument must be a JSON value, not empty");
        }
        if (SocketPacket.RESERVED_EVENT_NAMES.contains(eventName)) {
            throw new IllegalArgumentException("'" + eventName + "' is a reserved event name");
        }
        if (offset != null && (offset.isEmpty() || !offset.chars().allMatch(c -> c >= '0' && c <= '9'))) {
            throw new IllegalArgumentException("an offset is an event id, digits only: '" + offset + "'");
        }
        StringBuilder out = new StringBuilder(EVENT_PREFIX.length() + eventName.length() + rawJsonArgument.length()
                + (offset == null ? 4 : offset.length() + 7));
        out.append(EVENT_PREFIX);
        JsonText.appendQuoted(out, eventName);
        out.append(',').append(rawJsonArgument);
        if (offset != null) {
            out.append(",\"").append(offset).append('"');
        }
        out.append(']');
        EVENT_FRAMES.increment();
        return out.toString();
    }

    /** How many times {@link #eventFrame} built a frame since this class was loaded. */
    public static long eventFrames() {
        return EVENT_FRAMES.sum();
    }

    /** {@code 40{"sid":"<sid>"}}: the namespace connection was accepted (main namespace). */
    public static String connectFrame(String sid) {
        return connectFrame(SocketPacket.MAIN_NAMESPACE, sid);
    }

    /**
     * {@code 40{"sid":"<sid>","pid":"<pid>"}}: accepted, with the private id of connection state recovery; a
     * client that sends back the same pid (with its last offset) and gets it again knows it missed nothing.
     */
    public static String connectReply(String sid, String pid) {
        ObjectNode payload = JsonNodeFactory.instance.objectNode();
        payload.put("sid", Objects.requireNonNull(sid, "sid"));
        payload.put("pid", Objects.requireNonNull(pid, "pid"));
        return SocketPacket.of(SocketPacket.Type.CONNECT, SocketPacket.MAIN_NAMESPACE, OptionalLong.empty(), payload).frame();
    }

    /** {@code 40/admin,{"sid":"<sid>"}}: the namespace connection was accepted. */
    public static String connectFrame(String namespace, String sid) {
        ObjectNode payload = JsonNodeFactory.instance.objectNode();
        payload.put("sid", Objects.requireNonNull(sid, "sid"));
        return SocketPacket.of(SocketPacket.Type.CONNECT, namespace, OptionalLong.empty(), payload).frame();
    }

    /** {@code 44{"message":"<message>"}}: the connection to the main namespace was refused. */
    public static String connectErrorFrame(String message) {
        return connectErrorFrame(SocketPacket.MAIN_NAMESPACE, message);
    }

    /**
     * {@code 44/admin,{"message":"<message>"}}: the connection to a namespace was refused; with
     * {@link #INVALID_NAMESPACE} for a namespace the server does not have.
     */
    public static String connectErrorFrame(String namespace, String message) {
        return SocketPacket.connectError(namespace, message).frame();
    }

    /** {@code 43<ackId>[…]}: the answer to a client event on the main namespace that asked for one. */
    public static String ackFrame(long ackId, ArrayNode args) {
        return ackFrame(SocketPacket.MAIN_NAMESPACE, ackId, args);
    }

    /** {@code 43/admin,<ackId>[…]}: the answer to a client event that asked for one. */
    public static String ackFrame(String namespace, long ackId, ArrayNode args) {
        return SocketPacket.ack(namespace, ackId, Objects.requireNonNull(args, "args")).frame();
    }

    /** {@code 41}: the server disconnects the socket from the main namespace. */
    public static String disconnectFrame() {
        return disconnectFrame(SocketPacket.MAIN_NAMESPACE);
    }

    /** {@code 41/admin,}: the server disconnects the socket from a namespace. */
    public static String disconnectFrame(String namespace) {
        return SocketPacket.disconnect(namespace).frame();
    }
}
