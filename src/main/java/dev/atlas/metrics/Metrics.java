package dev.atlas.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The application's one meter registry (Prometheus) and the meters of the push pipeline and of
 * authentication, created once so that recording on a hot path is a counter add, never a lookup.
 *
 * <p>Meters (Prometheus names):
 * <ul>
 * <li>{@code atlas_events_committed_total}: committed events this node dispatched, once each;</li>
 * <li>{@code atlas_events_delivered_total}: event frames offered to a session's writer and accepted;</li>
 * <li>{@code atlas_events_dropped_total}: event frames a writer refused (its session closed, or closing as
 *     a slow consumer);</li>
 * <li>{@code atlas_events_delivery_latency_seconds}: histogram from the event's commit timestamp to the end
 *     of its send to one client (see {@link #eventSent});</li>
 * <li>{@code atlas_auth_failures_total{channel,reason}}: refused tokens, by where ({@code rest}, {@code ws},
 *     {@code socket.io}, {@code metrics}) and why (the fixed reason, lower-case).</li>
 * </ul>
 * plus the JVM (memory, GC, threads, class loading, CPU, uptime). Other packages add their own meters to
 * {@link #registry()}: HTTP requests, sessions, the connection pool.
 *
 * <p>Thread-safe: Micrometer meters are; the registry is closed with the application, which also detaches
 * the GC listeners from the JVM (they would otherwise keep the undeployed web application in memory).
 */
@ApplicationScoped
public class Metrics {
    /** Prometheus text exposition format 0.0.4, which every Prometheus version scrapes. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** Histogram buckets of the delivery latency: a dozen fixed bounds, from a LAN push to a stalled client. */
    static final Duration[] LATENCY_BUCKETS = {
        Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)};

    private PrometheusMeterRegistry registry;
    private JvmGcMetrics gc;
    private Counter committed;
    private Counter delivered;
    private Counter dropped;
    private Timer latency;
    private final Map<String, Counter> authFailures = new ConcurrentHashMap<>();
    private final Map<String, Counter> walletRefusals = new ConcurrentHashMap<>();

    /** Builds the registry once, in the bean itself (not in the constructor, which a CDI client proxy may also run). */
    @PostConstruct
    void start() {
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        gc = new JvmGcMetrics();
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        committed = Counter.builder("atlas.events.committed")
                .description("Committed events dispatched by this node to its sessions, once each").register(registry);
        delivered = Counter.builder("atlas.events.delivered")
                .description("Event frames offered to a session's writer and accepted (one per event and client)")
                .register(registry);
        dropped = Counter.builder("atlas.events.dropped")
                .description("Event frames a session's writer refused: the session was closed or is closing as a slow consumer")
                .register(registry);
        latency = Timer.builder("atlas.events.delivery.latency")
                .description("From an event's commit to the end of its send to one client (WebSocket: the send completed; "
                        + "Socket.IO long-polling: the frame entered the polling outbox)")
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Writes every meter in the Prometheus text format ({@link #CONTENT_TYPE}). */
    public void scrape(OutputStream out) throws IOException {
        registry.scrape(out);
    }

    /** The dispatcher took one committed event for its sessions (once per event, whatever the number of senders). */
    public void eventCommitted() {
        committed.increment();
    }

    /** One sender offered an event to its share of the sessions: {@code accepted} writers queued it, {@code refused} did not. */
    public void eventsDelivered(int accepted, int refused) {
        if (accepted > 0) {
            delivered.increment(accepted);
        }
        if (refused > 0) {
            dropped.increment(refused);
        }
    }

    /**
     * One client's send of an event finished, the event having committed at {@code committedAtEpochMillis}.
     * Called by the session's writer when the transport reports the send complete; the commit time has
     * millisecond precision and comes from the committing node's clock.
     */
    public void eventSent(long committedAtEpochMillis) {
        latency.record(Math.max(0, System.currentTimeMillis() - committedAtEpochMillis), TimeUnit.MILLISECONDS);
    }

    /** One refused wallet sign-in (POST /api/auth/wallet), by reason ({@code wrong_domain}, {@code unknown_nonce}, …). */
    public void walletSignInRefused(Enum<?> reason) {
        String r = reason.name().toLowerCase(Locale.ROOT);
        walletRefusals.computeIfAbsent(r, k -> Counter.builder("atlas.auth.wallet.refusals")
                .description("Refused wallet sign-ins (EIP-4361), by reason").tag("reason", r).register(registry)).increment();
    }

    /** A token was refused on {@code channel} ({@code rest}, {@code ws}, {@code socket.io}, {@code metrics}) for {@code reason}. */
    public void authFailure(String channel, Enum<?> reason) {
        String r = reason == null ? "unknown" : reason.name().toLowerCase(Locale.ROOT);
        authFailures.computeIfAbsent(channel + '\0' + r, k -> Counter.builder("atlas.auth.failures")
                .description("Refused bearer tokens, by channel and reason")
                .tag("channel", channel).tag("reason", r).register(registry)).increment();
    }

    @PreDestroy
    void close() {
        gc.close();
        registry.close();
    }
}
