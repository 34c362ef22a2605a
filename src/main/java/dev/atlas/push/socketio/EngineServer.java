package dev.atlas.push.socketio;

import dev.atlas.config.AtlasConfig;
import dev.atlas.push.CloseCodes;
import dev.atlas.push.Heartbeat;
import dev.atlas.push.PushConnections;
import dev.atlas.push.PushThreads;
import dev.atlas.security.Principal;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;

/**
 * The Engine.IO sessions of this node, by sid, and what they share: the settings, the heartbeat, and the pool that
 * answers held polling requests (so that a sender thread never writes an HTTP response). Each session carries one
 * Socket.IO socket that joins the same push pipeline as {@code /ws}: same dispatcher, registry, writer, envelope.
 *
 * <p>Thread-safe: a concurrent map; each session guards its own state.
 */
@ApplicationScoped
public class EngineServer {
    /** Threads answering held polling GETs at once; a write to a polling client that stopped reading waits there. */
    static final int POLLING_RESPONDERS = 8;

    @Inject
    AtlasConfig config;
    @Inject
    PushConnections connections;
    @Inject
    PushThreads threads;

    private final Map<String, EngineTransport> sessions = new ConcurrentHashMap<>();
    private EngineSettings settings;
    private Heartbeat heartbeat;
    private ExecutorService responders;

    @PostConstruct
    void start() {
        settings = EngineSettings.from(config);
        heartbeat = new Heartbeat(Duration.ofMillis(settings.pingIntervalMillis()),
                Duration.ofMillis(settings.pingTimeoutMillis()), threads);
        responders = threads.pool("atlas-push-polling", POLLING_RESPONDERS);
    }

    @PreDestroy
    void stop() {
        heartbeat.stop();
        for (EngineTransport s : sessions.values()) {
            s.terminate("server shutting down", CloseCodes.GOING_AWAY);
        }
    }

    /** A new session, on long-polling ({@code websocket} null) or on a WebSocket; its handshake is queued. */
    EngineTransport open(EngineWebSocket websocket, Principal principal, String clientIp) {
        EngineTransport s = new EngineTransport(this, websocket, principal, clientIp);
        sessions.put(s.sid(), s);
        s.open(settings.handshake(s.sid(), websocket == null));
        return s;
    }

    EngineTransport find(String sid) {
        return sid == null || !Sids.isWellFormed(sid) ? null : sessions.get(sid);
    }

    void forget(EngineTransport s) {
        sessions.remove(s.sid(), s);
    }

    /** Open Engine.IO sessions (connected to the namespace or not). */
    public int size() {
        return sessions.size();
    }

    PushConnections connections() {
        return connections;
    }

    /** Forgets a closed session later (one kept for the last answer to a poll that may never come). */
    void forgetLater(EngineTransport s, Duration after) {
        threads.schedule(() -> forget(s), after);
    }

    EngineSettings settings() {
        return settings;
    }

    Heartbeat heartbeat() {
        return heartbeat;
    }

    ExecutorService responders() {
        return responders;
    }
}
