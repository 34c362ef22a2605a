package dev.atlas.push.socketio;

import dev.atlas.push.CloseCodes;
import dev.atlas.push.PushHub;
import dev.atlas.security.Principal;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import dev.atlas.push.websocket.WebSocketConnection;
import dev.atlas.push.websocket.WebSocketGroup;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;

/**
 * The Engine.IO sessions of this node, by sid, with the shared timer (heartbeats) and the executor that
 * answers held polling requests. Socket.IO sockets join the same push pipeline as {@code /ws} through
 * {@link PushHub}: same registry, same per-session writer, same envelope.
 *
 * <p>Thread-safe: a concurrent map; each session guards its own state.
 */
@ApplicationScoped
public class EngineServer {
    @Inject
    PushHub hub;

    private final Map<String, EngineSession> sessions = new ConcurrentHashMap<>();
    private EngineSettings settings;
    private ScheduledExecutorService scheduler;
    private ExecutorService io;
    private WebSocketGroup webSockets;

    @PostConstruct
    void start() {
        settings = EngineSettings.from(hub.config());
        ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1, daemon("atlas-engineio-timer"));
        timers.setRemoveOnCancelPolicy(true); // a pong cancels its deadline: do not keep 10k dead tasks
        scheduler = timers;
        io = Executors.newCachedThreadPool(daemon("atlas-engineio-io"));
        webSockets = new WebSocketGroup(settings.maxMessageBytes(), PushHub.CLOSE_TIMEOUT, timers);
    }

    @PreDestroy
    void stop() {
        for (EngineSession s : sessions.values()) {
            s.terminate("server shutting down", CloseCodes.GOING_AWAY);
        }
        try {
            webSockets.closeAll(CloseCodes.GOING_AWAY, "server shutting down", PushHub.SHUTDOWN_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        scheduler.shutdownNow();
        io.shutdown();
    }

    /** A new session that starts on long-polling; the caller answers the GET with its handshake. */
    EngineSession openPolling(Principal principal, String clientIp) {
        EngineSession s = new EngineSession(this, null, principal, clientIp);
        sessions.put(s.sid(), s);
        return s;
    }

    /** A new session that starts (and stays) on a WebSocket; its handshake is sent at once. */
    EngineSession openWebSocket(WebSocketConnection ws, Principal principal, String clientIp) {
        EngineSession s = new EngineSession(this, ws, principal, clientIp);
        sessions.put(s.sid(), s);
        s.open(settings.handshake(s.sid(), false));
        return s;
    }

    EngineSession find(String sid) {
        return sid == null || !Sids.isWellFormed(sid) ? null : sessions.get(sid);
    }

    void forget(EngineSession s) {
        sessions.remove(s.sid(), s);
    }

    /** Open Engine.IO sessions (connected to the namespace or not). */
    public int size() {
        return sessions.size();
    }

    /** The WebSocket connections of {@code /socket.io/}. */
    WebSocketGroup webSockets() {
        return webSockets;
    }

    EngineSettings settings() {
        return settings;
    }

    public PushHub hub() {
        return hub;
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    ExecutorService io() {
        return io;
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
