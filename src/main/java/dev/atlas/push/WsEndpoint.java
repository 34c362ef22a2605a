package dev.atlas.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.io.IOException;
import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code /ws}: plain JSON envelopes. On open the client gets {@code hello} with the last event id, then
 * every event. A client that reconnects with {@code ?lastEventId=N} first gets every event after N
 * (or a {@code resync}). Client messages are JSON objects with a {@code type}: {@code ping} is answered
 * with {@code pong}, {@code {"type":"resume","lastEventId":N}} replays as above, anything else gets an
 * {@code error} event (the session stays open). A message larger than the limit closes the session with 1009.
 *
 * <p>One instance per connection (the WebSocket default); Tomcat calls it from one thread at a time.
 * Messages arrive in parts so that Tomcat's per-session buffer stays small; the parts are joined here.
 */
@ServerEndpoint("/ws")
public class WsEndpoint {
    private static final Logger LOG = Logger.getLogger(WsEndpoint.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    private PushHub hub;
    private PushSession push;
    private MessageAssembler assembler;

    @OnOpen
    public void open(Session session) {
        hub = PushHub.lookup();
        SessionWriter writer = hub.newWriter(hub.transportFor(session));
        push = new PushSession(session.getId(), "ws", JsonWire.INSTANCE, writer);
        assembler = new MessageAssembler(hub.maxMessageBytes());
        hub.dispatcher().open(push, ResumeIds.parse(first(session, "lastEventId")));
    }

    @OnMessage
    public void part(Session session, String part, boolean last) {
        String text = assembler.add(part, last);
        if (assembler.tooBig()) {
            push.writer().close(CloseCodes.TOO_BIG, "message larger than " + assembler.maxBytes() + " bytes");
        } else if (text != null) {
            handle(text);
        }
    }

    private void handle(String text) {
        JsonNode msg;
        try {
            msg = JSON.readTree(text);
        } catch (IOException e) {
            reply(Envelope.error("malformed JSON", Instant.now()));
            return;
        }
        if (msg == null || !msg.isObject() || !msg.path("type").isTextual()) {
            reply(Envelope.error("expected a JSON object with a string field 'type'", Instant.now()));
            return;
        }
        String type = msg.get("type").asText();
        if ("ping".equals(type)) {
            reply(Envelope.pong(Instant.now()));
        } else if ("resume".equals(type)) {
            Long after = ResumeIds.parse(msg.get("lastEventId"));
            if (after == null) {
                reply(Envelope.error("resume needs a lastEventId", Instant.now()));
            } else {
                hub.dispatcher().resume(push, after);
            }
        } else {
            reply(Envelope.error("unknown message type '" + truncate(type) + "'", Instant.now()));
        }
    }

    private static String first(Session session, String name) {
        java.util.List<String> values = session.getRequestParameterMap().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private void reply(String text) {
        push.writer().offer(text);
    }

    private static String truncate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "…";
    }

    @OnClose
    public void close(Session session, CloseReason reason) {
        if (push != null) {
            hub.dispatcher().close(push);
        }
    }

    @OnError
    public void error(Session session, Throwable t) {
        LOG.log(Level.FINE, "WebSocket error on session " + session.getId(), t);
        if (push != null) {
            hub.dispatcher().close(push);
        }
    }
}
