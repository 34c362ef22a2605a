package dev.atlas.push;

import dev.atlas.config.AtlasConfig;
import dev.atlas.config.Setting;
import dev.atlas.metrics.Metrics;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Makes the writer of every client session, on every wire, with the queue bounds of the settings and the
 * delivery-latency meter, and watches them: a writer whose send has been in flight for longer than
 * {@code ATLAS_WS_SEND_TIMEOUT_MS} is closed as a slow consumer (1013). The watch is one sweep on the push timer,
 * a few times per timeout, over every open writer; the container's own per-send timers would cost a registration
 * and a removal for every message.
 *
 * <p>Thread-safe.
 */
@ApplicationScoped
public class SessionWriters {
    @Inject
    AtlasConfig config;
    @Inject
    Metrics metrics;
    @Inject
    PushThreads threads;

    private final Set<SessionWriter> open = ConcurrentHashMap.newKeySet();
    private int maxMessages;
    private long maxBytes;
    private Duration sendTimeout;

    @PostConstruct
    void init() {
        maxMessages = config.getInt(Setting.WS_QUEUE_MAX_MESSAGES);
        maxBytes = config.getLong(Setting.WS_QUEUE_MAX_BYTES);
        long timeoutMs = config.getLong(Setting.WS_SEND_TIMEOUT_MS);
        sendTimeout = Duration.ofMillis(timeoutMs);
        long limit = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        threads.every(() -> closeStalled(limit), Duration.ofMillis(Math.max(100, Math.min(1000, timeoutMs / 4))));
    }

    /** How long one send may take before its session is closed as a slow consumer ({@code ATLAS_WS_SEND_TIMEOUT_MS}). */
    public Duration sendTimeout() {
        return sendTimeout;
    }

    /** A new writer over {@code transport}, watched until {@link #closed}. */
    public SessionWriter open(Transport transport) {
        SessionWriter w = new SessionWriter(transport, maxMessages, maxBytes, metrics::eventSent);
        open.add(w);
        return w;
    }

    /** The writer's connection ended: no more watching. */
    public void closed(SessionWriter w) {
        if (w != null) {
            w.detach();
            open.remove(w);
        }
    }

    void closeStalled(long limitNanos) {
        long now = System.nanoTime();
        for (SessionWriter w : open) {
            if (w.closeIfStalled(now, limitNanos) || w.isClosed()) {
                open.remove(w);
            }
        }
    }
}
