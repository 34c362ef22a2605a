package dev.atlas.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atlas.security.AuthenticationException;
import dev.atlas.security.Principal;
import dev.atlas.event.WireTime;
import dev.atlas.push.websocket.WebSocketConnection;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.logging.Logger;

/**
 * {@code /ws}: plain JSON envelopes, installed by {@link WsServlet} after the handshake checks.
 *
 * <p>An authenticated client (token in the handshake) gets {@code hello} with the last event id, then the
 * events it may see; with {@code ?lastEventId=N} it first gets every such event after N (or a {@code resync}).
 * Without a token the client must send {@code {"type":"authenticate","token":"…"}} within the deadline; it
 * gets nothing before that. A bad token closes the socket with 1008, as does the token's expiry unless the
 * client authenticated again in-band. Client messages are JSON objects with a {@code type}: {@code ping}
 * (answered {@code pong}), {@code authenticate}, {@code resume} ({@code lastEventId}); anything else gets an
 * {@code error} event and the session stays open. A message over the size limit closes with 1009, more
 * messages per minute than allowed with 1008.
 *
 * <p>The server pings every {@code ATLAS_WS_PING_INTERVAL_SECONDS}; a session whose pong does not come back
 * before the next round is closed (1001, "ping timeout").
 *
 * <p>One instance per connection, created by {@link WsServlet} with what the handshake established; the
 * connection calls it from one thread at a time.
 */
final class WsEndpoint implements WebSocketConnection.Listener {
    private static final Logger LOG = Logger.getLogger(WsEndpoint.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PushHub hub;
    private final Principal handshakePrincipal;
    private WebSocketConnection session;
    private PushSession push;
    private String clientIp;
    private Long resumeAfter;
    private boolean registered;
    private ScheduledFuture<?> deadline;
    private long windowStart;
    private volatile long lastPing;
    private volatile long lastPong;
    private int messagesInWindow;

    /**
     * @param clientIp    the client's IP, which holds a connection slot until the session ends
     * @param principal   who the handshake's token authenticated, or null (authentication in-band)
     * @param resumeAfter the handshake's {@code lastEventId}, or null
     */
    WsEndpoint(PushHub hub, String clientIp, Principal principal, Long resumeAfter) {
        this.hub = hub;
        this.clientIp = clientIp;
        this.handshakePrincipal = principal;
        this.resumeAfter = resumeAfter;
    }

    @Override
    public void onOpen(WebSocketConnection connection) {
        this.session = connection;
        push = new PushSession(session.id(), "ws", JsonWire.INSTANCE, hub.newWriter(new WebSocketTransport(session)));
        hub.heartbeat(this, true);
        LOG.info(() -> "Connected /ws session " + session.id() + " from " + clientIp
                + (handshakePrincipal == null ? " (not authenticated yet)" : " as " + describe(handshakePrincipal)));
        if (handshakePrincipal != null) {
            authenticated(handshakePrincipal);
        } else {
            deadline = hub.schedule(() -> push.writer().close(CloseCodes.POLICY_VIOLATION,
                    "authentication required"), hub.authenticator().authTimeout());
        }
    }

    /** Starts (or renews) the authenticated session: registration once, expiry at the token's end. */
    private synchronized void authenticated(Principal p) {
        push.viewer(p);
        if (deadline != null) {
            deadline.cancel(false);
        }
        if (!p.expiresAt().equals(Instant.MAX)) {
            deadline = hub.schedule(() -> {
                LOG.info(() -> "Token expired on /ws session " + session.id());
                push.writer().close(CloseCodes.POLICY_VIOLATION, "token expired");
            }, Duration.between(Instant.now(), p.expiresAt()));
        }
        if (!registered) {
            registered = true;
            hub.dispatcher().open(push, resumeAfter);
        }
    }

    /**
     * One round of the server's heartbeat, from the push timer: a session that did not answer the previous
     * ping is gone (a phone that lost its network sends no FIN) and is closed; an idle one is pinged. A
     * session with data in flight is skipped: its send timeout watches it.
     */
    void heartbeat() {
        if (lastPing != 0 && lastPong - lastPing < 0) {
            push.writer().close(CloseCodes.GOING_AWAY, "ping timeout");
            return;
        }
        if (!push.writer().isIdle()) {
            return;
        }
        lastPing = System.nanoTime();
        session.ping();
    }

    @Override
    public void onPong(WebSocketConnection connection) {
        lastPong = System.nanoTime();
    }

    /** A whole client message (the connection enforces the size limit: 1009). */
    @Override
    public void onText(WebSocketConnection connection, String text) {
        if (tooManyMessages()) {
            push.writer().close(CloseCodes.POLICY_VIOLATION, "more than " + hub.maxMessagesPerMinute()
                    + " messages in a minute");
            return;
        }
        handle(text);
    }

    private boolean tooManyMessages() {
        long now = System.currentTimeMillis();
        if (now - windowStart >= 60_000) {
            windowStart = now;
            messagesInWindow = 0;
        }
        return ++messagesInWindow > hub.maxMessagesPerMinute();
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
        switch (type) {
            case "ping" -> reply(Envelope.pong(Instant.now()));
            case "authenticate" -> authenticate(msg.path("token").asText(null));
            case "resume" -> {
                Long after = ResumeIds.parse(msg.get("lastEventId"));
                if (after == null) {
                    reply(Envelope.error("resume needs a lastEventId", Instant.now()));
                } else if (!registered) {
                    resumeAfter = after; // applied when the session authenticates
                } else {
                    hub.dispatcher().resume(push, after);
                }
            }
            default -> reply(Envelope.error("unknown message type '" + truncate(type) + "'", Instant.now()));
        }
    }

    private void authenticate(String token) {
        Principal p;
        try {
            p = hub.authenticator().verify(token);
        } catch (AuthenticationException e) {
            LOG.info(() -> "Authentication failed on /ws session " + session.id() + " from " + clientIp + ": " + e.getMessage());
            hub.metrics().authFailure("ws", e.reason());
            reply(Envelope.error("authentication failed: " + e.getMessage(), Instant.now()));
            push.writer().close(CloseCodes.POLICY_VIOLATION, "authentication failed");
            return;
        }
        reply(authenticatedMessage(p));
        authenticated(p);
    }

    private static String authenticatedMessage(Principal p) {
        var node = JSON.createObjectNode().put("event", "authenticated").put("timestamp", WireTime.format(Instant.now()))
                .put("role", p.role().claim());
        if (p.wallet() != null) {
            node.put("wallet", p.wallet());
        }
        if (!p.expiresAt().equals(Instant.MAX)) {
            node.put("expiresAt", WireTime.format(p.expiresAt()));
        }
        return node.toString();
    }

    private void reply(String text) {
        push.writer().offer(text);
    }

    private static String truncate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "…";
    }

    static String describe(Principal p) {
        return p.role().claim() + (p.wallet() == null ? "" : " " + p.wallet())
                + (p.subject() == null ? "" : " (sub " + p.subject() + ")");
    }

    @Override
    public void onClose(WebSocketConnection connection, int code) {
        end(code);
    }

    private synchronized void end(int code) {
        if (clientIp == null) {
            return; // ended already (close after error)
        }
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
        hub.heartbeat(this, false);
        hub.dispatcher().close(push);
        hub.connections().release(clientIp);
        String ip = clientIp;
        clientIp = null;
        LOG.info(() -> "Disconnected /ws session " + session.id() + " from " + ip + " with close code " + code);
    }
}
