package dev.atlas.push;

import dev.atlas.config.AtlasConfig;
import dev.atlas.config.Setting;
import dev.atlas.metrics.Metrics;
import dev.atlas.security.Authenticator;
import dev.atlas.security.ClientIp;
import dev.atlas.security.ConnectionLimiter;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * What the push endpoints ({@code /ws}, {@code /socket.io/}) need from the application, in one
 * application-scoped bean: the dispatcher, the limits, the timers and the WebSocket connections of {@code /ws}.
 */
@ApplicationScoped
public class PushHub {
    @Inject
    PushDispatcher dispatcher;
    @Inject
    SessionRegistry registry;
    @Inject
    AtlasConfig config;

    @Inject
    Authenticator authenticator;
    @Inject
    Metrics metrics;

    private final java.util.concurrent.ScheduledThreadPoolExecutor timers = timers();
    private ConnectionLimiter connections;
    private dev.atlas.push.websocket.WebSocketGroup webSockets;

    /**
     * How long a closing WebSocket waits for the client's close frame — or, when the client stopped reading, for
     * room to write its own — before the socket is cut.
     */
    public static final java.time.Duration CLOSE_TIMEOUT = java.time.Duration.ofSeconds(5);
    /** How long a shutdown waits for clients to answer the close frames (1001) it sends. */
    public static final java.time.Duration SHUTDOWN_WAIT = java.time.Duration.ofSeconds(2);
    private ClientIp clientIp;

    private static java.util.concurrent.ScheduledThreadPoolExecutor timers() {
        java.util.concurrent.ScheduledThreadPoolExecutor t = new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "atlas-push-timer");
            th.setDaemon(true);
            return th;
        });
        t.setRemoveOnCancelPolicy(true); // authentication deadlines are mostly cancelled: do not keep them
        return t;
    }

    private final java.util.Set<WsEndpoint> heartbeats = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @jakarta.annotation.PostConstruct
    void init() {
        connections = new ConnectionLimiter(config.getInt(Setting.MAX_CONNECTIONS_PER_IP));
        clientIp = new ClientIp(config.get(Setting.TRUSTED_PROXIES));
        webSockets = new dev.atlas.push.websocket.WebSocketGroup(maxMessageBytes(), CLOSE_TIMEOUT, timers);
        long sendTimeoutNanos = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(config.getLong(Setting.WS_SEND_TIMEOUT_MS));
        long sweep = Math.max(100, Math.min(1000, config.getLong(Setting.WS_SEND_TIMEOUT_MS) / 4));
        timers.scheduleWithFixedDelay(() -> closeStalled(sendTimeoutNanos), sweep, sweep,
                java.util.concurrent.TimeUnit.MILLISECONDS);
        long every = config.getLong(Setting.WS_PING_INTERVAL_SECONDS);
        if (every > 0) {
            timers.scheduleAtFixedRate(() -> heartbeats.forEach(WsEndpoint::heartbeat), every, every,
                    java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /**
     * Closes every registered session (both transports) whose current send has not completed within the send
     * timeout, with 1013 like any other slow consumer. Runs on the push timer; costs one look per session.
     */
    void closeStalled(long limitNanos) {
        long now = System.nanoTime();
        for (PushSession s : registry.all()) {
            s.writer().closeIfStalled(now, limitNanos);
        }
    }

    /** A /ws endpoint joins (or leaves) the server's ping round. */
    void heartbeat(WsEndpoint endpoint, boolean join) {
        if (join) {
            heartbeats.add(endpoint);
        } else {
            heartbeats.remove(endpoint);
        }
    }

    public Authenticator authenticator() {
        return authenticator;
    }

    public ConnectionLimiter connections() {
        return connections;
    }

    /** The client IP of a handshake or polling request (the forwarded one only from a trusted proxy). */
    public String clientIp(jakarta.servlet.http.HttpServletRequest req) {
        return clientIp.of(req.getRemoteAddr(), req.getHeader("X-Forwarded-For"));
    }

    /** Runs a task later on the push timer thread (authentication deadlines, token expiry). */
    public java.util.concurrent.ScheduledFuture<?> schedule(Runnable task, java.time.Duration delay) {
        return timers.schedule(task, Math.max(0, delay.toMillis()), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    public int maxMessagesPerMinute() {
        return config.getInt(Setting.WS_MAX_MESSAGES_PER_MINUTE);
    }

    public SessionWriter newWriter(Transport transport) {
        return new SessionWriter(transport, config.getInt(Setting.WS_QUEUE_MAX_MESSAGES),
                config.getLong(Setting.WS_QUEUE_MAX_BYTES), metrics::eventSent);
    }

    /** The application's meters (auth failures on handshakes and sockets). */
    public Metrics metrics() {
        return metrics;
    }

    /** The WebSocket connections of {@code /ws}. */
    public dev.atlas.push.websocket.WebSocketGroup webSockets() {
        return webSockets;
    }

    public int maxMessageBytes() {
        return config.getInt(Setting.WS_MAX_MESSAGE_BYTES);
    }

    public PushDispatcher dispatcher() {
        return dispatcher;
    }

    public SessionRegistry registry() {
        return registry;
    }

    public AtlasConfig config() {
        return config;
    }

    @PreDestroy
    void stop() {
        try {
            webSockets.closeAll(CloseCodes.GOING_AWAY, "server shutting down", SHUTDOWN_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        timers.shutdownNow();
    }
}
