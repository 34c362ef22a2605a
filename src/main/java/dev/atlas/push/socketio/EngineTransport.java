package dev.atlas.push.socketio;

import dev.atlas.push.CloseCodes;
import dev.atlas.push.Frame;
import dev.atlas.push.Heartbeat;
import dev.atlas.push.MessageRate;
import dev.atlas.push.SessionWriter;
import dev.atlas.push.Transport;
import dev.atlas.push.WebSocketTransport;
import dev.atlas.security.Principal;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One Engine.IO v4 session: the transport half of a Socket.IO connection. It starts on long-polling or on a
 * WebSocket, may upgrade from the first to the second, keeps the heartbeat, and is the {@link Transport} under the
 * session's {@link SessionWriter}: every frame the server sends — handshake, pings, the connect reply, acks, events —
 * goes through that one writer, so there is never more than one WebSocket send in flight. The Socket.IO half
 * (namespace connect, authentication, events and acks) is the session's {@link SocketIoSocket}.
 *
 * <p>Polling: sent frames wait in an outbox until the client's next GET (held with servlet async, no thread parked),
 * which takes them joined by the record separator. When the session ends, what is left in the outbox goes out with
 * the close packet in the answer to the held GET, or to the next one.
 *
 * <p>Threading: the state is guarded by this object's monitor; network writes happen outside it.
 */
final class EngineTransport implements Transport, Heartbeat.Peer {
    private static final Logger LOG = Logger.getLogger(EngineTransport.class.getName());
    private static final String NOOP = EnginePacket.of(EnginePacket.Type.NOOP).encode();
    private static final String CLOSE = EnginePacket.of(EnginePacket.Type.CLOSE).encode();

    enum Mode { POLLING, WEBSOCKET, CLOSED }

    private final String sid = Sids.next();
    private final EngineServer server;
    private final SessionWriter writer;
    private final SocketIoSocket socket;

    // guarded by this
    private Mode mode;
    private final ArrayDeque<Frame> outbox = new ArrayDeque<>();
    private long outboxBytes;
    private AsyncContext pendingGet;
    private boolean postInFlight;
    private EngineWebSocket ws;
    private EngineWebSocket probing;
    /** Frames that waited for a poll when the session upgraded: sent on the WebSocket before any other. */
    private final ArrayDeque<Frame> handover = new ArrayDeque<>();
    /** A closed polling session's last answer (its outbox and the close packet), for its next GET. */
    private String farewell;
    /** The client IP holding a connection slot, or null once given back. */
    private String clientIp;
    private Heartbeat.Member heartbeat;
    /** The client-message limit shared with {@code /ws}; guarded by itself (a POST and the upgrade's socket may overlap). */
    private final MessageRate rate;
    private volatile boolean overLimit;

    EngineTransport(EngineServer server, EngineWebSocket websocketOrNull, Principal principal, String clientIp) {
        this.server = server;
        this.clientIp = clientIp;
        this.mode = websocketOrNull == null ? Mode.POLLING : Mode.WEBSOCKET;
        this.ws = websocketOrNull;
        this.writer = server.connections().writer(this);
        this.socket = new SocketIoSocket(server, this, principal, clientIp);
        this.rate = new MessageRate(server.settings().maxMessagesPerMinute());
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

    /** Sends the Engine.IO open packet and joins the heartbeat. */
    void open(Handshake handshake) {
        writer.offer(handshake.encode());
        Heartbeat.Member m = server.heartbeat().join(this);
        synchronized (this) {
            heartbeat = m;
        }
    }

    // ---- Transport (called by the writer, one send at a time) ----

    @Override
    public void send(Frame frame, Consumer<Throwable> done) {
        AsyncContext flushTo = null;
        EngineWebSocket sendOn = null;
        List<Frame> first = null;
        boolean overflow = false;
        synchronized (this) {
            switch (mode) {
                case CLOSED -> {
                    done.accept(new IOException("session closed"));
                    return;
                }
                case WEBSOCKET -> {
                    sendOn = ws;
                    if (!handover.isEmpty()) {
                        first = new ArrayList<>(handover);
                        handover.clear();
                    }
                }
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
            if (first == null) {
                sendOn.transport().send(frame, done);
            } else {
                first.add(frame);
                new InOrder(sendOn.transport(), first.iterator(), done).next();
            }
            return;
        }
        done.accept(null);
        if (overflow) {
            terminate("slow consumer: polling client does not collect its messages", CloseCodes.TRY_AGAIN_LATER);
        } else if (flushTo != null) {
            AsyncContext get = flushTo;
            server.responders().execute(() -> respondWithOutbox(get));
        }
    }

    @Override
    public void close(int code, String reason) {
        terminate(reason, code);
    }

    /**
     * Sends frames one after the other on a WebSocket, then reports the last one's outcome. A send that completes
     * before it returns (a blocking send on a sender lane) is followed by the next in a loop, not by recursion.
     */
    private static final class InOrder implements Consumer<Throwable> {
        private final WebSocketTransport transport;
        private final Iterator<Frame> frames;
        private final Consumer<Throwable> done;
        private boolean inSend;
        private boolean completedInSend;
        private Throwable failureInSend;

        InOrder(WebSocketTransport transport, Iterator<Frame> frames, Consumer<Throwable> done) {
            this.transport = transport;
            this.frames = frames;
            this.done = done;
        }

        void next() {
            while (true) {
                Frame f = frames.next();
                synchronized (this) {
                    inSend = true;
                    completedInSend = false;
                }
                transport.send(f, this);
                Throwable failure;
                synchronized (this) {
                    inSend = false;
                    if (!completedInSend) {
                        return; // completes later, on another thread, in accept
                    }
                    failure = failureInSend;
                }
                if (failure != null || !frames.hasNext()) {
                    done.accept(failure);
                    return;
                }
            }
        }

        @Override
        public void accept(Throwable failure) {
            synchronized (this) {
                if (inSend) {
                    completedInSend = true;
                    failureInSend = failure;
                    return;
                }
            }
            if (failure != null || !frames.hasNext()) {
                done.accept(failure);
            } else {
                next();
            }
        }
    }

    // ---- heartbeat (timer thread) ----

    @Override
    public boolean ping() {
        writer.offer(EnginePacket.of(EnginePacket.Type.PING).encode());
        return true;
    }

    @Override
    public void timedOut() {
        terminate("ping timeout", CloseCodes.GOING_AWAY);
    }

    // ---- long-polling ----

    /** A polling GET: answers at once when frames wait, otherwise holds the request until they do. */
    void poll(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String immediate = null;
        EngineError error = null;
        boolean overlap = false;
        synchronized (this) {
            if (mode == Mode.CLOSED && farewell != null) {
                immediate = farewell;
                farewell = null;
                server.forget(this);
            } else if (mode != Mode.POLLING) {
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
    void post(String body, HttpServletResponse resp) throws IOException {
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
            body = outbox.isEmpty() ? NOOP : drainOutbox();
        }
        completeGet(get, body);
    }

    private static void completeGet(AsyncContext get, String body) {
        try {
            SocketIoServlet.payload((HttpServletResponse) get.getResponse(), body);
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
            completeGet(ac, NOOP);
        }
    }

    // ---- WebSocket ----

    /** A WebSocket opened with this session's sid: the client probes it before upgrading. */
    void beginProbe(EngineWebSocket candidate) {
        boolean refuse;
        synchronized (this) {
            refuse = mode != Mode.POLLING || probing != null;
            if (!refuse) {
                probing = candidate;
            }
        }
        if (refuse) {
            candidate.transport().close(CloseCodes.POLICY_VIOLATION, "upgrade not possible");
        }
    }

    /** A whole text message from one of this session's WebSockets. */
    void onWebSocketMessage(EngineWebSocket from, String text) {
        EnginePacket p;
        try {
            p = EnginePacket.decode(text);
        } catch (ProtocolException e) {
            if (from == currentProbe()) {
                from.transport().close(CloseCodes.PROTOCOL_ERROR, "malformed packet");
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

    /** A message refused ({@code code}: 1009 too big, 1003 binary): a probe is closed, the session's own socket ends it. */
    void onWebSocketRefused(EngineWebSocket from, int code, String reason) {
        if (from == currentProbe()) {
            from.transport().close(code, reason);
        } else {
            terminate(reason, code);
        }
    }

    private synchronized EngineWebSocket currentProbe() {
        return probing;
    }

    private void onProbePacket(EngineWebSocket candidate, EnginePacket p) {
        if (p.type() == EnginePacket.Type.PING && p.isProbe()) {
            // Before the upgrade the candidate carries this one answer; a blocking send completes before the client
            // can answer it with 5, so the session's own sends never overlap it.
            candidate.sendNow(EnginePacket.of(EnginePacket.Type.PONG).encode() + EnginePacket.PROBE);
            AsyncContext get;
            synchronized (this) {
                get = pendingGet;
                pendingGet = null;
                if (get == null) {
                    // no poll to end now: the noop ends the next one, or follows the upgrade on the WebSocket
                    Frame noop = Frame.of(NOOP);
                    outbox.add(noop);
                    outboxBytes += noop.bytes();
                }
            }
            if (get != null) {
                server.responders().execute(() -> completeGet(get, NOOP));
            }
        } else if (p.type() == EnginePacket.Type.UPGRADE) {
            completeUpgrade(candidate);
        } else {
            candidate.transport().close(CloseCodes.PROTOCOL_ERROR, "expected 2probe or 5 during the upgrade");
        }
    }

    /**
     * Switches to the WebSocket: frames still waiting for a poll go first, in order, then new ones. They move to the
     * hand-over queue together with the switch, under this monitor, and the next send — whichever thread makes it —
     * writes them before its own frame; a noop through the writer makes that send happen at once.
     */
    private void completeUpgrade(EngineWebSocket candidate) {
        AsyncContext get;
        boolean waiting;
        synchronized (this) {
            if (mode != Mode.POLLING || probing != candidate) {
                return;
            }
            mode = Mode.WEBSOCKET;
            ws = candidate;
            probing = null;
            handover.addAll(outbox);
            outbox.clear();
            outboxBytes = 0;
            waiting = !handover.isEmpty();
            get = pendingGet;
            pendingGet = null;
        }
        if (get != null) {
            server.responders().execute(() -> completeGet(get, NOOP));
        }
        if (waiting) {
            writer.offer(NOOP);
        }
    }

    /** One of this session's WebSockets closed. */
    void onWebSocketClosed(EngineWebSocket s) {
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

    /**
     * One packet from the client. Every packet but the pong to the server's own ping counts against the message
     * limit, as on {@code /ws}; past it the socket is told {@code 41} (socket.io-client then does not reconnect by
     * itself) and the session closes with 1008. A client ping is refused as the reference server refuses it: in
     * Engine.IO 4 only the server pings.
     */
    private void onPacket(EnginePacket p) {
        if (overLimit) {
            return;
        }
        boolean solicitedPong = false;
        if (p.type() == EnginePacket.Type.PONG) {
            Heartbeat.Member m;
            synchronized (this) {
                m = heartbeat;
            }
            solicitedPong = m != null && m.answered();
        }
        if (!solicitedPong && overTheLimit()) {
            return;
        }
        switch (p.type()) {
            case PONG -> {
            }
            case PING -> terminate("invalid heartbeat direction", CloseCodes.PROTOCOL_ERROR);
            case MESSAGE -> socket.onPacket(p.data());
            case CLOSE -> end("client closed", CloseCodes.GOING_AWAY, true);
            case NOOP -> {
            }
            default -> terminate("unexpected packet " + p.type(), CloseCodes.PROTOCOL_ERROR);
        }
    }

    private boolean overTheLimit() {
        boolean exceeded;
        synchronized (rate) {
            exceeded = rate.exceeded();
        }
        if (exceeded) {
            overLimit = true;
            writer.offer(SocketFrames.disconnectFrame());
            writer.closeWhenDrained(CloseCodes.POLICY_VIOLATION, rate.reason());
        }
        return exceeded;
    }

    // ---- end ----

    /** Ends the session once: heartbeat, socket, slot, held GET, WebSockets. Safe from any thread, idempotent. */
    void terminate(String reason, int code) {
        end(reason, code, false);
    }

    /**
     * {@code byClient}: the client sent the close packet. As in the reference server, a held poll then ends with a
     * noop (the client asked to close: it needs no close packet, nor what was waiting for it) and the session is
     * forgotten at once, so its sid is unknown from the next request on.
     */
    private void end(String reason, int code, boolean byClient) {
        EngineWebSocket main;
        EngineWebSocket probe;
        AsyncContext get;
        String last = null;
        boolean undelivered = false;
        String ip;
        Heartbeat.Member m;
        synchronized (this) {
            if (mode == Mode.CLOSED) {
                return;
            }
            if (mode == Mode.POLLING && byClient) {
                last = NOOP;
            } else if (mode == Mode.POLLING) {
                undelivered = !outbox.isEmpty();
                List<String> frames = new ArrayList<>();
                outbox.forEach(f -> frames.add(f.text()));
                frames.add(CLOSE);
                last = EnginePacket.joinPayload(frames);
            }
            mode = Mode.CLOSED;
            main = ws;
            probe = probing;
            get = pendingGet;
            pendingGet = null;
            outbox.clear();
            handover.clear();
            ip = clientIp;
            clientIp = null;
            m = heartbeat;
            if (undelivered && get == null) {
                farewell = last; // what the client has not collected yet, for its next GET
            }
        }
        server.heartbeat().leave(m);
        server.connections().ended(socket.ended(), writer, ip);
        LOG.info(() -> "Disconnected Socket.IO session " + sid + (ip == null ? "" : " from " + ip) + " (code " + code
                + "): " + reason);
        if (farewellPending()) {
            // forgotten at its next GET, or after the time a client waits for a ping before giving up
            server.forgetLater(this, Duration.ofMillis(
                    server.settings().pingIntervalMillis() + server.settings().pingTimeoutMillis()));
        } else {
            server.forget(this);
        }
        if (get != null) {
            String body = last;
            server.responders().execute(() -> completeGet(get, body));
        }
        if (main != null) {
            main.transport().close(code, reason);
        }
        if (probe != null) {
            probe.transport().close(code, reason);
        }
    }

    private synchronized boolean farewellPending() {
        return farewell != null;
    }

    /** Releases a held GET when the container times it out or the client goes away. */
    private static final class GetListener implements AsyncListener {
        private final EngineTransport session;

        GetListener(EngineTransport session) {
            this.session = session;
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            session.getEnded(event.getAsyncContext(), true);
        }

        @Override
        public void onError(AsyncEvent event) {
            session.getEnded(event.getAsyncContext(), false);
        }

        @Override
        public void onComplete(AsyncEvent event) {
            session.getEnded(event.getAsyncContext(), false);
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
        }
    }
}
