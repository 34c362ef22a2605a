package dev.atlas.push.ws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atlas.config.Json;
import dev.atlas.event.WireTime;
import dev.atlas.push.AuthLifecycle;
import dev.atlas.push.CloseCodes;
import dev.atlas.push.Envelope;
import dev.atlas.push.HandshakeResult;
import dev.atlas.push.Heartbeat;
import dev.atlas.push.MessageAssembler;
import dev.atlas.push.MessageRate;
import dev.atlas.push.PushConnections;
import dev.atlas.push.PushSession;
import dev.atlas.push.ResumeIds;
import dev.atlas.push.WebSocketTransport;
import dev.atlas.security.AuthenticationException;
import dev.atlas.security.Principal;
import jakarta.websocket.Session;
import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One {@code /ws} connection: plain JSON envelopes.
 *
 * <p>An authenticated client (token in the handshake) gets {@code hello} with the last event id, then the events it
 * may see; with {@code ?lastEventId=N} it first gets every such event after N (or a {@code resync}). Without a token
 * the client must send {@code {"type":"authenticate","token":"…"}} within the deadline, and gets nothing before:
 * {@code hello} is always the first frame, and the answers to what the client sent before it (the
 * {@code authenticated}, a {@code pong}, an {@code error}) follow it, in order. A bad token before the hello closes
 * the socket with 1008 and the reason, a bad renewal after it gets an {@code error} first; the token's expiry closes
 * with 1008 unless the client authenticated again in-band ({@link AuthLifecycle}). Client messages are JSON objects
 * with a {@code type}: {@code ping} (answered {@code pong}), {@code authenticate}, {@code resume}
 * ({@code lastEventId}: a session resumes at most once, from the first position it gives, in the URL or a message;
 * a later resume gets an {@code error}); anything else gets an {@code error} event and the connection stays open. A
 * message over the size limit closes with 1009, more messages per minute than allowed with 1008, more than
 * {@value #MAX_HELD_REPLIES} messages before authenticating with 1008. The server pings ({@link Heartbeat}); no pong
 * by the next round closes with 1001.
 *
 * <p>Threading: the container calls {@link #onText}, {@link #onPong} and {@link #ended} one at a time; the timer
 * calls {@link #ping} and {@link #close}; everything the client is sent goes through the session's writer.
 */
final class WsConnection implements AuthLifecycle.Owner, Heartbeat.Peer {
    private static final Logger LOG = Logger.getLogger(WsConnection.class.getName());
    private static final ObjectMapper JSON = Json.mapper().build();
    /** Answers held for the hello at most; a client that sends more before authenticating is closed. */
    static final int MAX_HELD_REPLIES = 16;

    private final WsSessions sessions;
    private final PushConnections connections;
    private final Session session;
    private final WebSocketTransport transport;
    private final PushSession push;
    private final MessageAssembler assembler;
    private final MessageRate rate;
    private final AuthLifecycle auth;
    private Heartbeat.Member heartbeat;
    /** The client IP holding a connection slot, or null (none taken, or given back). Guarded by this. */
    private String clientIp;
    private volatile Long resumeAfter;
    private boolean ended;
    /** Answers waiting for the hello (null once it is out). Guarded by this. */
    private java.util.List<String> held = new java.util.ArrayList<>();

    WsConnection(WsSessions sessions, Session session) {
        this.sessions = sessions;
        this.session = session;
        this.connections = sessions.connections();
        this.transport = connections.webSocket(session);
        this.push = new PushSession(session.getId(), "ws", JsonWire.INSTANCE, connections.writer(transport));
        this.assembler = new MessageAssembler(sessions.maxMessageBytes());
        this.rate = new MessageRate(sessions.maxMessagesPerMinute());
        this.auth = connections.auth("ws", "session " + session.getId(), this);
    }

    /** Starts the connection with what the handshake established (see {@link WsHandshakeFilter}). */
    void start(Map<String, Object> handshake) {
        Principal principal;
        if (handshake.get(WsConfigurator.ACCEPTED) instanceof HandshakeResult.Accepted accepted) {
            synchronized (this) {
                clientIp = accepted.clientIp();
            }
            principal = accepted.principal();
            resumeAfter = (Long) handshake.get(WsConfigurator.RESUME_AFTER);
            claimHandshakeResume();
        } else {
            WsConfigurator.Unchecked unchecked = (WsConfigurator.Unchecked) handshake.get(WsConfigurator.UNCHECKED);
            if (unchecked == null) {
                close(CloseCodes.INTERNAL_ERROR, "handshake not checked");
                return;
            }
            principal = checkHere(unchecked);
            if (principal == null && transport.isClosing()) {
                return;
            }
            resumeAfter = ResumeIds.parse(unchecked.resumeAfter());
            claimHandshakeResume();
        }
        heartbeat = sessions.heartbeat().join(this);
        LOG.info(() -> "Connected /ws session " + session.getId() + (clientIp == null ? "" : " from " + clientIp)
                + (principal == null ? " (not authenticated yet)" : ""));
        auth.start(principal);
    }

    /**
     * The handshake checks of {@link WsHandshakeFilter}, for a container that upgraded before the filter ran: origin
     * and token, refused with 1008 instead of 403/401. Returns the principal, or null (none given, or refused).
     */
    private Principal checkHere(WsConfigurator.Unchecked h) {
        URI uri = session.getRequestURI();
        String scheme = uri != null && "wss".equalsIgnoreCase(uri.getScheme()) ? "https" : "http";
        if (!connections.originAllowed(h.origin(), scheme, h.host())) {
            LOG.info(() -> "Refused origin " + h.origin() + " on /ws session " + session.getId());
            close(CloseCodes.POLICY_VIOLATION, "origin not allowed");
            return null;
        }
        if (h.token() == null && auth.required()) {
            return null;
        }
        try {
            return auth.verify(h.token());
        } catch (AuthenticationException e) {
            close(CloseCodes.POLICY_VIOLATION, "authentication failed: " + e.getMessage());
            return null;
        }
    }

    private void claimHandshakeResume() {
        if (resumeAfter != null) {
            push.claimResume();
        }
    }

    @Override
    public void register(Principal principal) {
        push.viewer(principal);
        connections.join(push, resumeAfter, this::helloSent);
    }

    /** Dispatcher thread, right after the hello: the answers held for it follow, then everything else directly. */
    private void helloSent() {
        synchronized (this) {
            for (String text : held) {
                push.writer().offer(text);
            }
            held = null;
        }
    }

    @Override
    public void close(int code, String reason) {
        push.writer().close(code, reason);
    }

    // ---- heartbeat (timer thread) ----

    /** Pings an idle session; a session with data in flight is skipped: its send timeout watches it. */
    @Override
    public boolean ping() {
        if (!push.writer().isIdle()) {
            return false;
        }
        transport.ping();
        return true;
    }

    @Override
    public void timedOut() {
        close(CloseCodes.GOING_AWAY, "ping timeout");
    }

    void onPong() {
        Heartbeat.Member m = heartbeat;
        if (m != null) {
            m.answered();
        }
    }

    // ---- client messages (container thread) ----

    void onText(String part, boolean last) {
        String text = assembler.add(part, last);
        if (assembler.tooBig()) {
            close(CloseCodes.TOO_BIG, "message larger than " + assembler.maxBytes() + " bytes");
        } else if (text != null) {
            if (rate.exceeded()) {
                close(CloseCodes.POLICY_VIOLATION, rate.reason());
                return;
            }
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
        switch (type) {
            case "ping" -> reply(Envelope.pong(Instant.now()));
            case "authenticate" -> authenticate(msg.path("token").asText(null));
            case "resume" -> resume(msg.get("lastEventId"));
            default -> reply(Envelope.error("unknown message type '" + truncate(type) + "'", Instant.now()));
        }
    }

    private void authenticate(String token) {
        Principal p;
        try {
            p = auth.verify(token);
        } catch (AuthenticationException e) {
            if (auth.registered()) {
                reply(Envelope.error("authentication failed: " + e.getMessage(), Instant.now()));
                close(CloseCodes.POLICY_VIOLATION, "authentication failed");
            } else {
                close(CloseCodes.POLICY_VIOLATION, truncate("authentication failed: " + e.getMessage()));
            }
            return;
        }
        reply(authenticatedMessage(p)); // held for the hello when this registers the session
        auth.authenticated(p);
        push.viewer(p);
    }

    private void resume(JsonNode lastEventId) {
        Long after = ResumeIds.parse(lastEventId);
        if (after == null) {
            reply(Envelope.error("resume needs a lastEventId", Instant.now()));
        } else if (!push.claimResume()) {
            reply(Envelope.error("already resumed: a session resumes once, from the first position it gives",
                    Instant.now()));
        } else if (!auth.registered()) {
            resumeAfter = after; // applied when the session authenticates
        } else {
            connections.resume(push, after);
        }
    }

    private static String authenticatedMessage(Principal p) {
        ObjectNode node = JSON.createObjectNode().put("event", "authenticated")
                .put("timestamp", WireTime.format(Instant.now())).put("role", p.role().claim());
        if (p.wallet() != null) {
            node.put("wallet", p.wallet());
        }
        if (!p.expiresAt().equals(Instant.MAX)) {
            node.put("expiresAt", WireTime.format(p.expiresAt()));
        }
        return node.toString();
    }

    /** Sends an answer, or holds it until the hello is out: before it the client gets nothing. */
    private void reply(String text) {
        boolean tooMany;
        synchronized (this) {
            if (held == null) {
                push.writer().offer(text);
                return;
            }
            held.add(text);
            tooMany = held.size() > MAX_HELD_REPLIES;
        }
        if (tooMany) {
            close(CloseCodes.POLICY_VIOLATION, "more than " + MAX_HELD_REPLIES + " messages before authenticating");
        }
    }

    private static String truncate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "…";
    }

    // ---- end ----

    /** The session ended (container thread): the registry, the slot, the timers. Exactly once. */
    void ended(int code) {
        String ip;
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
            ip = clientIp;
            clientIp = null;
        }
        auth.end();
        sessions.heartbeat().leave(heartbeat);
        connections.ended(push, push.writer(), ip);
        sessions.forget(this);
        LOG.info(() -> "Disconnected /ws session " + session.getId() + (ip == null ? "" : " from " + ip)
                + " with close code " + code);
    }

    /** The container reported an error; it closes the session itself when the connection failed. */
    void failed(Throwable t) {
        LOG.log(Level.FINE, "WebSocket error on /ws session " + session.getId(), t);
        if (!(t instanceof IOException) && session.isOpen()) {
            close(CloseCodes.INTERNAL_ERROR, "internal error");
        }
    }
}
