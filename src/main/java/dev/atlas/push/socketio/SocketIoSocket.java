package dev.atlas.push.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atlas.push.AuthLifecycle;
import dev.atlas.push.CloseCodes;
import dev.atlas.push.PushSession;
import dev.atlas.push.ResumeIds;
import dev.atlas.push.SessionWriter;
import dev.atlas.security.AuthenticationException;
import dev.atlas.security.Principal;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Socket.IO v5 half of a connection: the socket on the main namespace that an {@link EngineTransport} carries.
 * A {@code CONNECT} to {@code /} with a token (the payload's {@code token}, else the one of the Engine.IO handshake)
 * joins the push pipeline at once; a bad token is refused with {@code 44{"message":…}}. Without one the socket is
 * connected but receives nothing until it emits {@code authenticate}, and is closed if it does not within the
 * deadline ({@link AuthLifecycle}). Client events with an ack get one; other namespaces get
 * {@code 44/<nsp>,{"message":"Invalid namespace"}}; a malformed packet ends the session.
 *
 * <p>Threading: packets come from one client request or WebSocket message at a time; the state is guarded by this
 * object's monitor; everything the client is sent goes through the session's writer.
 */
final class SocketIoSocket implements AuthLifecycle.Owner {
    private final EngineServer server;
    private final EngineTransport engine;
    private final SessionWriter writer;
    /** Who opened the Engine.IO connection (token in the handshake), or null. */
    private final Principal connectionPrincipal;
    private final AuthLifecycle auth;

    // guarded by this
    private PushSession socket;
    private Long resumeAfter;
    private boolean ended;

    SocketIoSocket(EngineServer server, EngineTransport engine, Principal connectionPrincipal, String clientIp) {
        this.server = server;
        this.engine = engine;
        this.writer = engine.writer();
        this.connectionPrincipal = connectionPrincipal;
        this.auth = server.connections().auth("socket.io",
                "session " + engine.sid() + (clientIp == null ? "" : " from " + clientIp), this);
    }

    /** A Socket.IO packet, the data of an Engine.IO message. */
    void onPacket(String data) {
        SocketPacket p;
        try {
            p = SocketPacket.decode(data);
        } catch (ProtocolException e) {
            engine.terminate("malformed Socket.IO packet: " + e.getMessage(), CloseCodes.PROTOCOL_ERROR);
            return;
        }
        boolean main = SocketPacket.MAIN_NAMESPACE.equals(p.namespace());
        switch (p.type()) {
            case CONNECT -> {
                if (!main) {
                    writer.offer(SocketFrames.connectErrorFrame(p.namespace(), SocketFrames.INVALID_NAMESPACE));
                } else {
                    connect(p.payload().orElse(null));
                }
            }
            case DISCONNECT -> {
                if (main) {
                    disconnect();
                }
            }
            case EVENT -> onEvent(p);
            case ACK -> {
                // the server asks for no acks: nothing to match
            }
            default -> engine.terminate("unexpected Socket.IO packet " + p.type(), CloseCodes.PROTOCOL_ERROR);
        }
    }

    private void connect(JsonNode payload) {
        Principal principal = connectionPrincipal;
        JsonNode token = payload == null ? null : payload.get("token");
        if (token != null && !token.isNull() || !auth.required()) {
            try {
                principal = auth.verify(token == null || !token.isTextual() ? null : token.textValue());
            } catch (AuthenticationException e) {
                writer.offer(SocketFrames.connectErrorFrame("invalid token: " + e.getMessage()));
                return;
            }
        }
        PushSession s;
        String pid;
        synchronized (this) {
            if (socket != null || ended) {
                return; // already connected: a repeated CONNECT changes nothing
            }
            socket = new PushSession(Sids.next(), "socket.io", SocketIoWire.INSTANCE, writer);
            s = socket;
            Recovery recovery = Recovery.of(payload);
            resumeAfter = recovery.resumeAfter();
            if (resumeAfter != null) {
                s.claimResume(); // the connect's position is the session's one resume
            }
            pid = recovery.pid() != null && resumeAfter != null && server.connections().canReplayFrom(resumeAfter)
                    ? recovery.pid() // every missed event will be replayed: socket.recovered is true
                    : Recovery.newPid(server.connections().lastEventId());
        }
        // The connect reply goes out here, in order with anything else this session sends (an ack must never
        // overtake it); the dispatcher then registers the socket without a hello of its own.
        s.greeted();
        writer.offer(SocketFrames.connectReply(s.id(), pid));
        auth.start(principal);
    }

    @Override
    public void register(Principal principal) {
        PushSession s;
        Long after;
        synchronized (this) {
            s = socket;
            after = resumeAfter;
        }
        if (s != null) {
            s.viewer(principal);
            server.connections().join(s, after); // the missed events when resuming, then every event
        }
    }

    @Override
    public void close(int code, String reason) {
        engine.terminate(reason, code);
    }

    private void disconnect() {
        PushSession s;
        synchronized (this) {
            s = socket;
            socket = null;
        }
        auth.reset();
        if (s != null) {
            server.connections().leave(s);
        }
    }

    private void onEvent(SocketPacket p) {
        synchronized (this) {
            if (socket == null || !SocketPacket.MAIN_NAMESPACE.equals(p.namespace())) {
                return; // not connected to that namespace: ignored, as the reference server does
            }
        }
        if ("authenticate".equals(p.eventName())) {
            onAuthenticate(p);
        } else if ("resume".equals(p.eventName())) {
            onResume(p);
        } else if (p.ackId().isPresent()) {
            ObjectNode outcome = JsonNodeFactory.instance.objectNode()
                    .put("ok", false).put("error", "unknown event '" + abbreviate(p.eventName()) + "'");
            ack(p, outcome);
        }
    }

    /** {@code authenticate} ({@code {token}}): answered through the ack; a bad token ends the session after it. */
    private void onAuthenticate(SocketPacket p) {
        List<JsonNode> args = p.eventArguments();
        JsonNode arg = args.isEmpty() ? null : args.get(0);
        String token = arg == null ? null : arg.isTextual() ? arg.textValue() : arg.path("token").asText(null);
        ObjectNode outcome = JsonNodeFactory.instance.objectNode();
        Principal principal;
        try {
            principal = auth.verify(token);
        } catch (AuthenticationException e) {
            ack(p, outcome.put("ok", false).put("error", e.getMessage()));
            writer.offer(SocketFrames.disconnectFrame());
            writer.closeWhenDrained(CloseCodes.POLICY_VIOLATION, "authentication failed"); // after the ack
            return;
        }
        outcome.put("ok", true).put("role", principal.role().claim());
        if (principal.wallet() != null) {
            outcome.put("wallet", principal.wallet());
        }
        ack(p, outcome);
        PushSession s;
        synchronized (this) {
            s = socket;
        }
        if (s != null) {
            s.viewer(principal); // a renewal changes who is connected at once
            auth.authenticated(principal);
        }
    }

    /**
     * {@code resume} ({@code {lastEventId}}), as on {@code /ws}: the session's one resume, unless its connect gave a
     * position already; the outcome goes through the ack ({@code ok}, or the error), a refused resume replays nothing.
     */
    private void onResume(SocketPacket p) {
        List<JsonNode> args = p.eventArguments();
        JsonNode arg = args.isEmpty() ? null : args.get(0);
        Long after = arg == null ? null : ResumeIds.parse(arg.isObject() ? arg.get("lastEventId") : arg);
        ObjectNode outcome = JsonNodeFactory.instance.objectNode();
        PushSession s;
        boolean registered;
        synchronized (this) {
            s = socket;
            if (after == null) {
                ack(p, outcome.put("ok", false).put("error", "resume needs a lastEventId"));
                return;
            }
            if (s == null || !s.claimResume()) {
                ack(p, outcome.put("ok", false)
                        .put("error", "already resumed: a session resumes once, from the first position it gives"));
                return;
            }
            registered = auth.registered();
            if (!registered) {
                resumeAfter = after; // applied when the socket authenticates
            }
        }
        ack(p, outcome.put("ok", true));
        if (registered) {
            server.connections().resume(s, after);
        }
    }

    private void ack(SocketPacket p, ObjectNode outcome) {
        if (p.ackId().isPresent()) {
            writer.offer(SocketFrames.ackFrame(p.ackId().getAsLong(), JsonNodeFactory.instance.arrayNode().add(outcome)));
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "…";
    }

    /**
     * The Engine.IO session ended: deadlines stop. Returns the socket's push session for the caller to end with the
     * connection, or null when none is connected (or it was returned before).
     */
    PushSession ended() {
        PushSession s;
        synchronized (this) {
            ended = true;
            s = socket;
            socket = null;
        }
        auth.end();
        return s;
    }

    /**
     * Socket.IO's connection state recovery, on the outbox. The connect reply carries a private id ({@code pid}):
     * the id of the last event pushed when the socket connected, a dot, and a random part. A reconnecting
     * {@code socket.io-client} (4.6+) sends the pid back with the offset of the last event it received (every task
     * event carries its id as its last argument). The socket resumes after Atlas's own {@code lastEventId}, else that
     * offset, else the pid's position (a client that received no event sends no offset); when every missed event
     * can be replayed the reply repeats the client's pid, which the client reports as {@code socket.recovered}.
     */
    record Recovery(String pid, Long resumeAfter) {
        private static final Pattern PID = Pattern.compile("(\\d{1,18})\\.[A-Za-z0-9_-]{1,32}");

        static Recovery of(JsonNode payload) {
            if (payload == null || !payload.isObject()) {
                return new Recovery(null, null);
            }
            JsonNode pidNode = payload.get("pid");
            Matcher m = pidNode != null && pidNode.isTextual() ? PID.matcher(pidNode.textValue()) : null;
            String pid = m != null && m.matches() ? pidNode.textValue() : null;
            Long after = ResumeIds.parse(payload.get("lastEventId"));
            if (after == null) {
                after = ResumeIds.parse(payload.get("offset"));
            }
            if (after == null && pid != null) {
                after = ResumeIds.parse(m.group(1));
            }
            return new Recovery(pid, after);
        }

        static String newPid(long position) {
            return position + "." + Sids.next();
        }
    }
}
