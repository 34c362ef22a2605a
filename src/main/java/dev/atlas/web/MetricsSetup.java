package dev.atlas.web;

import dev.atlas.config.AtlasConfig;
import dev.atlas.db.Database;
import dev.atlas.metrics.Metrics;
import dev.atlas.push.SessionRegistry;
import dev.atlas.push.SessionWriter;
import dev.atlas.push.socketio.EngineServer;
import dev.atlas.task.TaskService;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.servlet.ServletContext;
import java.util.List;

/**
 * Wires the meters that read other packages' state when the application starts: open sessions by transport
 * ({@code atlas_push_sessions}), Engine.IO connections ({@code atlas_engineio_sessions}), slow-consumer closes
 * ({@code atlas_push_slow_consumer_closes_total}), group commit ({@code atlas_db_write_transactions_total},
 * {@code atlas_db_write_changes_total}: their ratio is the mean batch size; {@code atlas_db_write_busy_seconds_total}:
 * its rate is the share of time the write section is occupied; {@code atlas_db_write_fallbacks_total})
 * and the HikariCP pool ({@code hikaricp_connections…}); and
 * reads {@code ATLAS_METRICS_ACCESS}, so that a bad value fails the deployment rather than the first scrape.
 * Gauges are read at scrape time; nothing here runs per event. Immutable after start; thread-safe.
 */
@ApplicationScoped
public class MetricsSetup {
    /** The transport names of {@link dev.atlas.push.PushSession#transport()}. */
    static final List<String> TRANSPORTS = List.of("ws", "socket.io");

    @Inject
    Metrics metrics;
    @Inject
    SessionRegistry sessions;
    @Inject
    EngineServer engine;
    @Inject
    Database db;
    @Inject
    AtlasConfig config;
    @Inject
    TaskService tasks;

    private volatile MetricsAccess access;

    void onStart(@Observes @Initialized(ApplicationScoped.class) ServletContext ctx) {
        access = MetricsAccess.from(config);
        MeterRegistry r = metrics.registry();
        for (String transport : TRANSPORTS) {
            Gauge.builder("atlas.push.sessions", sessions, s -> s.countByTransport().getOrDefault(transport, 0))
                    .description("Open push sessions (authenticated or not) by transport")
                    .tag("transport", transport).strongReference(true).register(r);
        }
        Gauge.builder("atlas.engineio.sessions", engine, EngineServer::size)
                .description("Open Engine.IO connections, joined to the Socket.IO namespace or not")
                .strongReference(true).register(r);
        FunctionCounter.builder("atlas.push.slow.consumer.closes", this, self -> SessionWriter.slowConsumerCloses())
                .description("Sessions closed as slow consumers (1013): queue past its bound, or a send stuck past the send timeout").register(r);
        dev.atlas.db.GroupCommit<?> writes = tasks.writes();
        FunctionCounter.builder("atlas.db.write.transactions", writes, w -> w.transactions())
                .description("Write transactions run by group commit, one per batch of concurrent changes").register(r);
        FunctionCounter.builder("atlas.db.write.changes", writes, w -> w.units())
                .description("Changes (create, update, start, complete, delete) taken into those transactions").register(r);
        FunctionCounter.builder("atlas.db.write.busy", writes, w -> w.busyNanos() / 1e9).baseUnit("seconds")
                .description("Wall time spent running write transactions, the one section every write waits for: its rate near 1 means writes queue behind it")
                .register(r);
        FunctionCounter.builder("atlas.db.write.fallbacks", writes, w -> w.fallbacks())
                .description("Batches rolled back by a failing change and re-run change by change").register(r);
        dev.atlas.db.CacheLease lease = db.cacheLease();
        if (lease != null) {
            Gauge.builder("atlas.cache.lease", lease, l -> l.mode())
                    .description("This node's hold of the PostgreSQL lock that decides who may cache reads: 0 none (writes wait), 1 shared, 2 exclusive (alone: it may cache)")
                    .strongReference(true).register(r);
            FunctionCounter.builder("atlas.cache.lease.refusals", lease, l -> l.refusals())
                    .description("Writes refused (503) because this node's lease could not be confirmed").register(r);
            FunctionCounter.builder("atlas.cache.lease.handovers", lease, l -> l.handovers())
                    .description("Times this node stopped caching because another node joined").register(r);
        }
        dev.atlas.task.TaskCache cache = tasks.cache();
        if (cache != null) {
            String reads = "GET /api/tasks/{id} answered from this node's read cache (hit) or read from the database into it (miss)";
            FunctionCounter.builder("atlas.cache.reads", cache, c -> c.hits()).tag("result", "hit").description(reads).register(r);
            FunctionCounter.builder("atlas.cache.reads", cache, c -> c.misses()).tag("result", "miss").description(reads).register(r);
            FunctionCounter.builder("atlas.cache.evictions", cache, c -> c.evictions())
                    .description("Tasks dropped from the read cache because it reached ATLAS_READ_CACHE_SIZE").register(r);
            Gauge.builder("atlas.cache.size", cache, c -> c.size())
                    .description("Tasks (and deleted tasks' markers) in this node's read cache").strongReference(true).register(r);
        }
        db.meterPool(r);
    }

    /** The {@code /metrics} access rule. */
    public MetricsAccess access() {
        MetricsAccess a = access;
        if (a == null) {
            throw new IllegalStateException("metrics used before the application started");
        }
        return a;
    }
}
