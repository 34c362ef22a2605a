package dev.atlas.push.socketio;

import dev.atlas.push.PushSession;
import dev.atlas.push.Wire;
import java.time.Instant;

/**
 * {@code /socket.io/}: an event is the Socket.IO packet {@code 42["<event>",<envelope>]} (one Engine.IO
 * message), built once per event for every Socket.IO session; the "hello" is the namespace connect reply
 * {@code 40{"sid":…}}. Stateless; thread-safe.
 */
public final class SocketIoWire implements Wire {
    public static final SocketIoWire INSTANCE = new SocketIoWire();

    private SocketIoWire() {
    }

    @Override
    public String frame(String eventName, String envelopeJson) {
        return SocketFrames.eventFrame(eventName, envelopeJson);
    }

    @Override
    public String hello(PushSession session, long lastEventId, Instant now) {
        return SocketFrames.connectFrame(session.id());
    }
}
