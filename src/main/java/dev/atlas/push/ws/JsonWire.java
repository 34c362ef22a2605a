package dev.atlas.push.ws;

import dev.atlas.push.Envelope;
import dev.atlas.push.PushSession;
import dev.atlas.push.Wire;
import java.time.Instant;

/** {@code /ws}: the envelope itself is the frame; {@code hello} carries the last event id. */
public final class JsonWire implements Wire {
    public static final JsonWire INSTANCE = new JsonWire();

    private JsonWire() {
    }

    @Override
    public String frame(String eventName, String envelopeJson) {
        return envelopeJson;
    }

    @Override
    public String hello(PushSession session, long lastEventId, Instant now) {
        return Envelope.hello(lastEventId, now);
    }
}
