package dev.atlas.push.socketio;

import dev.atlas.push.PushSession;
import dev.atlas.push.Wire;
import java.time.Instant;

/**
 * {@code /socket.io/}: a task event is the Socket.IO packet {@code 42["<event>",<envelope>,"<event id>"]} (one
 * Engine.IO message), built once per event for every Socket.IO session: the envelope is the first argument, as the
 * old server sent it, and the event id the last, the offset of Socket.IO's connection state recovery. Control events
 * ({@code resync}) carry the envelope alone. The "hello" is the namespace connect reply {@code 40{"sid":…,"pid":…}}.
 * Stateless; thread-safe.
 */
public final class SocketIoWire implements Wire {
    public static final SocketIoWire INSTANCE = new SocketIoWire();

    private SocketIoWire() {
    }

    @Override
    public String frame(String eventName, String envelopeJson) {
        return SocketFrames.eventFrame(eventName, envelopeJson);
    }

    /** {@code 42["<event>",<envelope>,"<event id>"]}: the id is the offset a recovering client sends back. */
    @Override
    public String eventFrame(String eventName, long eventId, String envelopeJson) {
        return SocketFrames.eventFrame(eventName, envelopeJson, Long.toString(eventId));
    }

    @Override
    public String hello(PushSession session, long lastEventId, Instant now) {
        return SocketFrames.connectFrame(session.id());
    }
}
