package dev.atlas.push.ws;

import dev.atlas.config.AtlasConfig;
import dev.atlas.config.Setting;
import dev.atlas.push.CloseCodes;
import dev.atlas.push.Heartbeat;
import dev.atlas.push.PushConnections;
import dev.atlas.push.PushThreads;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.websocket.Session;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The application's side of {@code /ws} (the OmniFaces shape: the container's endpoint is thin, this manager owns
 * the connections): makes a {@link WsConnection} for every session the container opens, runs their heartbeat, and
 * closes them all with 1001 when the application stops.
 *
 * <p>Thread-safe.
 */
@ApplicationScoped
public class WsSessions {
    /** How long a shutdown waits for the close frames (1001) to go out. */
    static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(2);

    @Inject
    PushConnections connections;
    @Inject
    PushThreads threads;
    @Inject
    AtlasConfig config;

    private final Set<WsConnection> open = ConcurrentHashMap.newKeySet();
    private Heartbeat heartbeat;
    private int maxMessageBytes;
    private int maxMessagesPerMinute;

    @PostConstruct
    void init() {
        maxMessageBytes = config.getInt(Setting.WS_MAX_MESSAGE_BYTES);
        maxMessagesPerMinute = config.getInt(Setting.WS_MAX_MESSAGES_PER_MINUTE);
        Duration every = Duration.ofSeconds(config.getLong(Setting.WS_PING_INTERVAL_SECONDS));
        heartbeat = new Heartbeat(every, every, threads); // the pong is due by the next round
    }

    /** A session the container opened: its connection, registered with the push pipeline once authenticated. */
    WsConnection open(Session session, Map<String, Object> handshake) {
        WsConnection c = new WsConnection(this, session);
        open.add(c);
        c.start(handshake);
        return c;
    }

    void forget(WsConnection c) {
        open.remove(c);
        if (open.isEmpty()) {
            synchronized (this) {
                notifyAll(); // a shutdown may be waiting for the last close
            }
        }
    }

    PushConnections connections() {
        return connections;
    }

    int maxMessageBytes() {
        return maxMessageBytes;
    }

    int maxMessagesPerMinute() {
        return maxMessagesPerMinute;
    }

    Heartbeat heartbeat() {
        return heartbeat;
    }

    @PreDestroy
    void stop() {
        heartbeat.stop();
        for (WsConnection c : open) {
            c.close(CloseCodes.GOING_AWAY, "server shutting down");
        }
        long deadline = System.nanoTime() + SHUTDOWN_WAIT.toNanos();
        synchronized (this) {
            long left;
            while (!open.isEmpty() && (left = deadline - System.nanoTime()) > 0) {
                try {
                    java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left); // until the last close
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
