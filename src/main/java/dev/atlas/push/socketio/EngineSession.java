package dev.atlas.push.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atlas.push.CloseCodes;
import dev.atlas.push.Frame;
import dev.atlas.push.PushSession;
import dev.atlas.push.ResumeIds;
import dev.atlas.push.SessionWriter;
import dev.atlas.push.Transport;
import dev.atlas.push.websocket.Frames;
import dev.atlas.push.websocket.WebSocketConnection;
import dev.atlas.security.AuthenticationException;
import dev.atlas.security.Principal;
import jakarta.servlet.AsyncContext;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One Engine.IO v4 session carrying one Socket.IO v5 socket on the main namespace. It starts on
 * long-polling or on a WebSocket, may upgrade from the first to the second, and is the {@link Transport}
 * under the session's {@link SessionWriter}: every frame the server sends — handshake, pings, acks, the
 * connect reply and events — goes through that one writer, so there is never more than one WebSocket
 * send in flight.
 *
 * <p>Polling: sent frames wait in an outbox until the client's next GET (held with servlet async, no
 * thread parked), which takes them joined by the record separator. A session that stops polling misses
 * its pong and is closed by the heartbeat.
 *
 * <p>Threading: the state is guarded by this object's monitor; network writes happen outside it, except the
 * upgrade's hand-over of the frames that waited for a poll, which only queues them on the WebSocket connection.
 */
final class EngineSession implements Transport {
    private static final Logger LOG = Logger.getLogger(EngineSession.class.getName());

    enum Mode { POLLING, WEBSOCKET, CLOSED }

    private final String sid = Sids.next();
    private final EngineServer server;
    private final SessionWriter writer;
    private Mode mode;

    private final ArrayDeque<Frame> outbox = new ArrayDeque<>();
    private long outboxBytes;
    private AsyncContext pendingGet;
    private boolean postInFlight;

    private WebSocketConnection ws;
    private WebSocketConnection probing;

    private ScheduledFuture<?> nextPing;
    private ScheduledFuture<?> pongDeadline;

    private PushSession socket;
    /** Who opened the Engine.IO connection (token in the handshake), or null. */
    private final Principal connectionPrincipal;
    private String clientIp;
    private boolean socketRegistered;
    private ScheduledFuture<?> authDeadline;

    EngineSession(EngineServer server, WebSocketConnection websocketOrNull, Principal principal, String clientIp) {
        this.server = server;
        this.connectionPrincipal = principal;
        this.clientIp = clientIp;
        this.mode = websocketOrNull == null ? Mode.POLLING : Mode.WEBSOCKET;
        this.ws = websocketOrNull;
        this.writer = server.hub().newWriter(this);
    }

    String sid() {
        return sid;
    }

    synchronized Mode mode() {
        return mode;
    }

    SessionWriter writer() {
        return writer;
    }

    /** Sends the Engine.IO open packet and starts the heartbeat. */
    void open(Handshake handshake) {
        writer.offer(handshake.encode());
        schedulePing();
    }

    // ---- Transport (called by the writer, one send at a time) ----

    @Override
    public void send(Frame frame, Consumer<Throwable> done) {
        AsyncContext flushTo = null;
        WebSocketConnection sendOn = null;
        boolean overflow = false;
        synchronized (this) {
            switch (mode) {
                case CLOSED -> {
                    done.accept(new IOException("session closed"));
                    return;
                }
                case WEBSOCKET -> sendOn = ws;
                case POLLING -> {
                    outbox.add(frame);
                    outboxBytes += frame.bytes();
                    overflow = outbox.size() > server.settings().maxQueuedMessages()
                            || outboxBytes > server.settings().maxQueuedBytes();
                    if (!overflow && pendingGet != null) {
                        flushTo = pendingGet;
                        pendingGet = null;
                    }
                }
            }
        }
        if (sendOn != null) {
            sendOn.send(frame.websocket(), done);
            return;
        }
        done.accept(null);
        if (overflow) {
            terminate("slow consumer: polling client does not collect its messages", CloseCodes.TRY_AGAIN_LATER);
        } else if (flushTo != null) {
            AsyncContext get = flushTo;
            server.io().execute(() -> respondWithOutbox(get));
        }
    }

    @Override
    public void close(int code, String reason) {
        terminate(reason, code);
    }

    // ---- long-polling ----

    /** A polling GET: answers at once when frames wait, otherwise holds the request until they do. */
    void poll(jakarta.servlet.http.HttpServletRequest req, jakarta.servlet.http.HttpServletResponse resp)
            throws IOException {
        String immediate = null;
        EngineError error = null;
        boolean overlap = false;
        synchronized (this) {
            if (mode != Mode.POLLING) {
                error = EngineError.BAD_REQUEST; // upgraded, or closed
            } else if (pendingGet != null) {
                error = EngineError.BAD_REQUEST;
                overlap = true;
            } else if (!outbox.isEmpty()) {
                immediate = drainOutbox();
            } else {
                AsyncContext ac = req.startAsync();
                ac.setTimeout(server.settings().pingIntervalMillis() + server.settings().pingTimeoutMillis());
                ac.addListener(new GetListener(this));
                pendingGet = ac;
            }
        }
        if (error != null) {
            SocketIoServlet.error(resp, error);
            if (overlap) {
                terminate("overlapping polling GET", CloseCodes.POLICY_VIOLATION);
            }
        } else if (immediate != null) {
            SocketIoServlet.payload(resp, immediate);
        }
    }

    /** A polling POST: the client's packets, joined by the record separator. */
    void post(String body, jakarta.servlet.http.HttpServletResponse resp) throws IOException {
        synchronized (this) {
            if (mode != Mode.POLLING || postInFlight) {
                boolean overlap = postInFlight;
                SocketIoServlet.error(resp, EngineError.BAD_REQUEST);
                if (overlap) {
                    terminate("overlapping polling POST", CloseCodes.POLICY_VIOLATION);
                }
                return;
            }
            postInFlight = true;
        }
        try {
            List<EnginePacket> packets;
            try {
                packets = EnginePacket.decodePayload(body);
            } catch (ProtocolException e) {
                SocketIoServlet.error(resp, EngineError.BAD_REQUEST);
                terminate("malformed packet: " + e.getMessage(), CloseCodes.POLICY_VIOLATION);
                return;
            }
            for (EnginePacket p : packets) {
                onPacket(p);
            }
            SocketIoServlet.text(resp, 200, EnginePacket.POST_ACCEPTED_BODY, "text/html; charset=UTF-8");
        } finally {
            synchronized (this) {
                postInFlight = false;
            }
        }
    }

    /** Takes what fits in one response (at least one frame), under the monitor. */
    private String drainOutbox() {
        List<String> frames = new ArrayList<>();
        long size = 0;
        while (!outbox.isEmpty()) {
            int bytes = outbox.peek().bytes();
            if (!frames.isEmpty() && size + bytes + 1 > server.settings().maxPayloadBytes()) {
                break;
            }
            frames.add(outbox.poll().text());
            outboxBytes -= bytes;
            size += bytes + 1;
        }
        return EnginePacket.joinPayload(frames);
    }

    private void respondWithOutbox(AsyncContext get) {
        String body;
        synchronized (this) {
            body = outbox.isEmpty() ? EnginePacket.of(EnginePacket.Type.NOOP).encode() : drainOutbox();
        }
        completeGet(get, body);
    }

    private static void completeGet(AsyncContext get, String body) {
        try {
            SocketIoServlet.payload((jakarta.servlet.http.HttpServletResponse) get.getResponse(), body);
        } catch (IOException | IllegalStateException e) {
            LOG.log(Level.FINE, "Polling response not delivered", e);
        } finally {
            try {
                get.complete();
            } catch (IllegalStateException ignored) {
                // already completed by a timeout or a client disconnect
            }
        }
    }

    /** The held GET timed out or failed: forget it (a timeout answers with a noop so the client polls again). */
    void getEnded(AsyncContext ac, boolean timedOut) {
        synchronized (this) {
            if (pendingGet != ac) {
                return;
            }
            pendingGet = null;
        }
        if (timedOut) {
            completeGet(ac, EnginePacket.of(EnginePacket.Type.NOOP).encode());
        }
    }

    // ---- WebSocket ----

    /** A WebSocket opened with this session's sid: the client probes it before upgrading. */
    void beginProbe(WebSocketConnection candidate) {
        boolean refuse;
        synchronized (this) {
            refuse = mode != Mode.POLLING || probing != null;
            if (!refuse) {
                probing = candidate;
            }
        }
        if (refuse) {
            closeSocket(candidate, CloseCodes.POLICY_VIOLATION, "upgrade not possible");
        }
    }

    /** A whole text message from one of this session's WebSockets. */
    void onWebSocketMessage(WebSocketConnection from, String text) {
        EnginePacket p;
        try {
            p = EnginePacket.decode(text);
        } catch (ProtocolException e) {
            if (from == currentProbe()) {
                closeSocket(from, CloseCodes.PROTOCOL_ERROR, "malformed packet");
            } else {
                terminate("malformed packet: " + e.getMessage(), CloseCodes.PROTOCOL_ERROR);
            }
            return;
        }
        if (from == currentProbe()) {
            onProbePacket(from, p);
        } else {
            onPacket(p);
        }
    }

    private synchronized WebSocketConnection currentProbe() {
        return probing;
    }

    private void onProbePacket(WebSocketConnection candidate, EnginePacket p) {
        if (p.type() == EnginePacket.Type.PING && p.isProbe()) {
            candidate.send(Frames.text(EnginePacket.of(EnginePacket.Type.PONG).encode() + EnginePacket.PROBE), null);
            AsyncContext get;
            synchronized (this) {
                get = pendingGet;
                pendingGet = null;
                if (get == null) {
                    // no poll to end now: the noop ends the next one, or follows the upgrade on the WebSocket
                    Frame noop = Frame.of(EnginePacket.of(EnginePacket.Type.NOOP).encode());
                    outbox.add(noop);
                    outboxBytes += noop.bytes();
                }
            }
            if (get != null) {
                AsyncContext g = get;
                server.io().execute(() -> completeGet(g, EnginePacket.of(EnginePacket.Type.NOOP).encode()));
            }
        } else if (p.type() == EnginePacket.Type.UPGRADE) {
            completeUpgrade(candidate);
        } else {
            closeSocket(candidate, CloseCodes.PROTOCOL_ERROR, "expected 2probe or 5 during the upgrade");
        }
    }

    /**
     * Switches to the WebSocket: frames still waiting for a poll go first, in order, then new ones. The waiting
     * frames are queued on the connection under this monitor, together with the switch, so no later send (which
     * reads the mode under the same monitor) can overtake them; queuing never blocks, and a failed write ends
     * the connection, which terminates the session.
     */
    private void completeUpgrade(WebSocketConnection candidate) {
        AsyncContext get;
        synchronized (this) {
            if (mode != Mode.POLLING || probing != candidate) {
                return;
            }
            mode = Mode.WEBSOCKET;
            ws = candidate;
            probing = null;
            for (Frame waiting : outbox) {
                ws.send(waiting.websocket(), null);
            }
            outbox.clear();
            outboxBytes = 0;
            get = pendingGet;
            pendingGet = null;
        }
        if (get != null) {
            AsyncContext g = get;
            server.io().execute(() -> completeGet(g, EnginePacket.of(EnginePacket.Type.NOOP).encode()));
        }
    }

    /** One of this session's WebSockets closed. */
    void onWebSocketClosed(WebSocketConnection s) {
        boolean main;
        synchronized (this) {
            if (s == probing) {
                probing = null;
                return;
            }
            main = s == ws;
        }
        if (main) {
            terminate("transport closed", CloseCodes.GOING_AWAY);
        }
    }

    // ---- packets ----

    private void onPacket(EnginePacket p) {
        switch (p.type()) {
            case PONG -> onPong();
            case PING -> writer.offer(EnginePacket.of(EnginePacket.Type.PONG).encode()); // Engine.IO v3 habit
            case MESSAGE -> onSocketIo(p.data());
            case CLOSE -> terminate("client closed", CloseCodes.GOING_AWAY);
            case NOOP -> {
            }
            default -> terminate("unexpected packet " + p.type(), CloseCodes.PROTOCOL_ERROR);
        }
    }

    private void onSocketIo(String data) {
        SocketPacket p;
        try {
            p = SocketPacket.decode(data);
        } catch (ProtocolException e) {
            terminate("malformed Socket.IO packet: " + e.getMessage(), CloseCodes.PROTOCOL_ERROR);
            return;
        }
        boolean main = SocketPacket.MAIN_NAMESPACE.equals(p.namespace());
        switch (p.type()) {
            case CONNECT -> {
                if (!main) {
                    writer.offer(SocketFrames.connectErrorFrame(p.namespace(), SocketFrames.INVALID_NAMESPACE));
                } else {
                    connectSocket(p.payload().orElse(null));
                }
            }
            case DISCONNECT -> {
                if (main) {
                    disconnectSocket();
                }
            }
            case EVENT -> onEvent(p);
            case ACK -> {
                // the server asks for no acks: nothing to match
            }
            default -> terminate("unexpected Socket.IO packet " + p.type(), CloseCodes.PROTOCOL_ERROR);
        }
    }

    /**
     * A CONNECT to the main namespace. With a token (the payload's {@code token}, else the one of the
     * Engine.IO handshake) the socket joins the push pipeline at once; a bad token is refused with
     * {@code 44{"message":…}}. Without one it is connected but receives nothing until it emits
     * {@code authenticate}, and is closed if it does not within the deadline.
     */
    private void connectSocket(JsonNode auth) {
        Principal principal = connectionPrincipal;
        JsonNode token = auth == null ? null : auth.get("token");
        if (token != null && !token.isNull() || !server.hub().authenticator().enabled()) {
            try {
                principal = server.hub().authenticator().verify(token == null || !token.isTextual() ? null : token.textValue());
            } catch (AuthenticationException e) {
                LOG.info(() -> "Socket.IO connect refused from " + clientIp + ": " + e.getMessage());
                server.hub().metrics().authFailure("socket.io", e.reason());
                writer.offer(SocketFrames.connectErrorFrame("invalid token: " + e.getMessage()));
                return;
            }
        }
        PushSession s;
        synchronized (this) {
            if (socket != null || mode == Mode.CLOSED) {
                return; // already connected: a repeated CONNECT changes nothing
            }
            socket = new PushSession(Sids.next(), "socket.io", SocketIoWire.INSTANCE, writer);
            s = socket;
            pendingResume = resumeFrom(auth);
        }
        // The connect reply goes out here, in order with anything else this session sends (an ack must never
        // overtake it); the dispatcher then registers the socket without a hello of its own.
        s.greeted();
        writer.offer(SocketFrames.connectFrame(s.id()));
        if (principal != null) {
            authenticated(s, principal);
        } else {
            // connected, but nothing flows until the client authenticates
            synchronized (this) {
                authDeadline = server.hub().schedule(() -> terminate("authentication required", CloseCodes.POLICY_VIOLATION),
                        server.hub().authenticator().authTimeout());
            }
        }
    }

    private Long pendingResume;

    /** Registers the socket with the dispatcher once, and (re)arms the close at the token's expiry. */
    private void authenticated(PushSession s, Principal p) {
        boolean register;
        synchronized (this) {
            s.viewer(p);
            if (authDeadline != null) {
                authDeadline.cancel(false);
                authDeadline = null;
            }
            if (!p.expiresAt().equals(java.time.Instant.MAX)) {
                authDeadline = server.hub().schedule(() -> terminate("token expired", CloseCodes.POLICY_VIOLATION),
                        java.time.Duration.between(java.time.Instant.now(), p.expiresAt()));
            }
            register = !socketRegistered;
            socketRegistered = true;
        }
        if (register) {
            LOG.info(() -> "Connected Socket.IO socket " + s.id() + " (session " + sid + ") from " + clientIp + " as "
                    + p.role().claim() + (p.wallet() == null ? "" : " " + p.wallet())
                    + (p.subject() == null ? "" : " (sub " + p.subject() + ")"));
            // the missed events when resuming, then every event
            server.hub().dispatcher().open(s, pendingResume);
        }
    }

    /** The connect payload's {@code lastEventId}, or Socket.IO's own recovery {@code offset}. */
    private static Long resumeFrom(JsonNode auth) {
        if (auth == null || !auth.isObject()) {
            return null;
        }
        Long id = ResumeIds.parse(auth.get("lastEventId"));
        return id != null ? id : ResumeIds.parse(auth.get("offset"));
    }

    private void disconnectSocket() {
        PushSession s;
        synchronized (this) {
            s = socket;
            socket = null;
            socketRegistered = false;
            if (authDeadline != null) {
                authDeadline.cancel(false);
                authDeadline = null;
            }
        }
        if (s != null) {
            server.hub().dispatcher().unregister(s);
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
        } else if (p.ackId().isPresent()) {
            ObjectNode outcome = JsonNodeFactory.instance.objectNode()
                    .put("ok", false).put("error", "unknown event '" + abbreviate(p.eventName()) + "'");
            writer.offer(SocketFrames.ackFrame(p.ackId().getAsLong(), JsonNodeFactory.instance.arrayNode().add(outcome)));
        }
    }

    /** {@code authenticate} ({@code {token}}): answered through the ack; a bad token ends the session. */
    private void onAuthenticate(SocketPacket p) {
        List<JsonNode> args = p.eventArguments();
        JsonNode arg = args.isEmpty() ? null : args.get(0);
        String token = arg == null ? null : arg.isTextual() ? arg.textValue() : arg.path("token").asText(null);
        ObjectNode outcome = JsonNodeFactory.instance.objectNode();
        Principal principal;
        try {
            principal = server.hub().authenticator().verify(token);
        } catch (AuthenticationException e) {
            LOG.info(() -> "Socket.IO authentication failed from " + clientIp + ": " + e.getMessage());
            server.hub().metrics().authFailure("socket.io", e.reason());
            outcome.put("ok", false).put("error", e.getMessage());
            if (p.ackId().isPresent()) {
                writer.offer(SocketFrames.ackFrame(p.ackId().getAsLong(), JsonNodeFactory.instance.arrayNode().add(outcome)));
            }
            writer.offer(SocketFrames.disconnectFrame());
            server.hub().schedule(() -> terminate("authentication failed", CloseCodes.POLICY_VIOLATION),
                    java.time.Duration.ofMillis(200)); // let the ack and the disconnect go out first
            return;
        }
        outcome.put("ok", true).put("role", principal.role().claim());
        if (principal.wallet() != null) {
            outcome.put("wallet", principal.wallet());
        }
        if (p.ackId().isPresent()) {
            writer.offer(SocketFrames.ackFrame(p.ackId().getAsLong(), JsonNodeFactory.instance.arrayNode().add(outcome)));
        }
        PushSession s;
        synchronized (this) {
            s = socket;
        }
        if (s != null) {
            authenticated(s, principal);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "…";
    }

    // ---- heartbeat ----

    private synchronized void schedulePing() {
        if (mode != Mode.CLOSED) {
            nextPing = server.scheduler().schedule(this::ping, server.settings().pingIntervalMillis(),
                    java.util.concurrent.TimeUnit.MILLISECONDS);
        }
    }

    private void ping() {
        synchronized (this) {
            if (mode == Mode.CLOSED) {
                return;
            }
            pongDeadline = server.scheduler().schedule(() -> terminate("ping timeout", CloseCodes.GOING_AWAY),
                    server.settings().pingTimeoutMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        }
        writer.offer(EnginePacket.of(EnginePacket.Type.PING).encode());
    }

    private void onPong() {
        synchronized (this) {
            if (pongDeadline == null) {
                return; // a pong nobody asked for
            }
            pongDeadline.cancel(false);
            pongDeadline = null;
        }
        schedulePing();
    }

    // ---- end ----

    /** Ends the session once: timers, registry, held GET, sockets. Safe from any thread, idempotent. */
    void terminate(String reason, int code) {
        WebSocketConnection main;
        WebSocketConnection probe;
        AsyncContext get;
        PushSession s;
        synchronized (this) {
            if (mode == Mode.CLOSED) {
                return;
            }
            mode = Mode.CLOSED;
            if (nextPing != null) {
                nextPing.cancel(false);
            }
            if (pongDeadline != null) {
                pongDeadline.cancel(false);
            }
            if (authDeadline != null) {
                authDeadline.cancel(false);
            }
            main = ws;
            probe = probing;
            get = pendingGet;
            pendingGet = null;
            s = socket;
            socket = null;
            outbox.clear();
        }
        String ip;
        synchronized (this) {
            ip = clientIp;
            clientIp = null;
        }
        if (ip != null) {
            server.hub().connections().release(ip);
            LOG.info(() -> "Disconnected Socket.IO session " + sid + " from " + ip + " (code " + code + "): " + reason);
        }
        server.forget(this);
        if (s != null) {
            server.hub().dispatcher().close(s);
        } else {
            writer.detach();
        }
        if (get != null) {
            server.io().execute(() -> completeGet(get, EnginePacket.of(EnginePacket.Type.CLOSE).encode()));
        }
        if (main != null) {
            closeSocket(main, code, reason);
        }
        if (probe != null) {
            closeSocket(probe, code, reason);
        }
    }

    private static void closeSocket(WebSocketConnection s, int code, String reason) {
        s.close(code, reason); // never blocks: the close frame follows what is queued
    }

    /** Releases a held GET when the container times it out or the client goes away. */
    private static final class GetListener implements jakarta.servlet.AsyncListener {
        private final EngineSession session;

        GetListener(EngineSession session) {
            this.session = session;
        }

        @Override
        public void onTimeout(jakarta.servlet.AsyncEvent event) {
            session.getEnded(event.getAsyncContext(), true);
        }

        @Override
        public void onError(jakarta.servlet.AsyncEvent event) {
            session.getEnded(event.getAsyncContext(), false);
        }

        @Override
        public void onComplete(jakarta.servlet.AsyncEvent event) {
            session.getEnded(event.getAsyncContext(), false);
        }

        @Override
        public void onStartAsync(jakarta.servlet.AsyncEvent event) {
        }
    }
}
