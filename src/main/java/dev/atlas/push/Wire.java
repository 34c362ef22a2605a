package dev.atlas.push;

import java.time.Instant;

/**
 * How one protocol puts Atlas messages on its connections: plain JSON on {@code /ws}, Engine.IO/Socket.IO
 * packets on {@code /socket.io/}. The dispatcher builds each event's frame once per wire and hands the
 * same text to every session of that wire. Implementations are stateless and thread-safe.
 */
public interface Wire {
    /**
     * The frame that carries a named event (a task event, or a control event such as {@code resync}),
     * given its envelope already serialized.
     */
    String frame(String eventName, String envelopeJson);

    /**
     * The frame of a task event: as {@link #frame}, unless the wire also carries the event's id on its own
     * (Socket.IO's connection state recovery takes it as the packet's last argument).
     */
    default String eventFrame(String eventName, long eventId, String envelopeJson) {
        return frame(eventName, envelopeJson);
    }

    /** The first frame a session receives once registered, before any event. */
    String hello(PushSession session, long lastEventId, Instant now);
}
