package dev.atlas.push;

import dev.atlas.config.AtlasConfig;
import dev.atlas.config.Setting;
import dev.atlas.db.Database;
import dev.atlas.event.EventLog;
import dev.atlas.metrics.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Cross-node wake-up on PostgreSQL: one dedicated connection per node (outside the pool) that {@code LISTEN}s on
 * {@link #CHANNEL}, to which every commit that appends events sends one {@code NOTIFY} ({@link EventLog#notifyOnCommit}),
 * unless its node is alone on the database.
 * A notification (its payload: the last id the transaction appended) only wakes the {@link PushDispatcher}, which
 * reads the outbox after its last dispatched id itself unless it already pushed that id:
 * the notification is a hint, never the data, so a lost one costs latency (the outbox poll still runs), never an
 * event. A node's own commits are pushed from its own commit as before; reading them again finds nothing new.
 *
 * <p>Faults: when the connection dies (PostgreSQL restarts, the backend is terminated, the network drops) the node
 * keeps its sockets and its poll, logs once per outage, shows {@code listener: DOWN} in {@code /health/ready}, and
 * reconnects with capped, jittered backoff; after each (re)connect it reads the outbox once, for what it may have
 * missed while not listening. Metered: {@code atlas_cluster_listener_up}, {@code atlas_cluster_notifications_total},
 * {@code atlas_cluster_listener_reconnects_total}.
 *
 * <p>Threading: one thread of its own blocks in {@code getNotifications(timeout)}; {@link #isUp} from any thread.
 */
@ApplicationScoped
public class OutboxListener {
    private static final Logger LOG = Logger.getLogger(OutboxListener.class.getName());
    /** The channel of Atlas's notifications (one database-wide name: a stray wake-up only costs a read). */
    public static final String CHANNEL = "atlas_events";
    private static final int WAIT_MS = 500;
    private static final long MIN_BACKOFF_MS = 100;
    private static final long MAX_BACKOFF_MS = 5_000;

    @Inject
    Database db;
    @Inject
    EventLog eventLog;
    @Inject
    PushDispatcher dispatcher;
    @Inject
    Metrics metrics;
    @Inject
    AtlasConfig config;

    private volatile boolean enabled;
    private volatile boolean up;
    private volatile boolean stopping;
    private volatile Connection connection;
    private Thread thread;
    private Counter notifications;
    private Counter reconnects;

    /** Starts listening when the database is PostgreSQL and {@code ATLAS_CLUSTER_NOTIFY} is on; else does nothing. */
    public synchronized void start() {
        if (thread != null || !db.isPostgres() || !"on".equalsIgnoreCase(config.get(Setting.CLUSTER_NOTIFY).trim())) {
            return;
        }
        enabled = true;
        notifications = Counter.builder("atlas.cluster.notifications")
                .description("Outbox notifications received from PostgreSQL (each wakes the dispatcher once)")
                .register(metrics.registry());
        reconnects = Counter.builder("atlas.cluster.listener.reconnects")
                .description("Times the outbox listener connection was opened again after it failed")
                .register(metrics.registry());
        Gauge.builder("atlas.cluster.listener.up", this, l -> l.up ? 1 : 0)
                .description("1 while this node's LISTEN connection is open, 0 while it is down (events then arrive by the outbox poll)")
                .register(metrics.registry());
        eventLog.notifyOnCommit(CHANNEL);
        thread = new Thread(this::run, "atlas-outbox-listener");
        thread.setDaemon(true);
        thread.start();
    }

    /** Whether this node listens at all (PostgreSQL with notifications on). */
    public boolean isEnabled() {
        return enabled;
    }

    /** Whether the LISTEN connection is open now. */
    public boolean isUp() {
        return up;
    }

    private void run() {
        long backoff = MIN_BACKOFF_MS;
        boolean outage = false;
        boolean first = true;
        while (!stopping) {
            try (Connection c = db.openDedicated("atlas-listener")) {
                connection = c;
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + CHANNEL);
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                up = true;
                if (!first) {
                    reconnects.increment();
                }
                if (outage) {
                    outage = false;
                    LOG.info("Outbox listener connected again; reading what was committed meanwhile");
                }
                first = false;
                backoff = MIN_BACKOFF_MS;
                dispatcher.wake(Long.MAX_VALUE); // whatever was committed while this node was not listening
                while (!stopping) {
                    PGNotification[] got = pg.getNotifications(WAIT_MS);
                    if (got != null && got.length > 0) {
                        notifications.increment(got.length);
                        long upTo = 0;
                        for (PGNotification n : got) {
                            upTo = Math.max(upTo, announcedId(n.getParameter()));
                        }
                        dispatcher.wake(upTo);
                    } else if (c.isClosed()) {
                        throw new SQLException("listener connection closed");
                    }
                }
            } catch (SQLException | RuntimeException e) {
                up = false;
                connection = null;
                if (stopping) {
                    break;
                }
                if (!outage) { // once per outage
                    outage = true;
                    LOG.log(Level.WARNING, "Outbox listener lost its connection; events of other nodes arrive by the "
                            + "outbox poll (every " + config.get(Setting.OUTBOX_POLL_MS) + " ms) until it reconnects", e);
                }
                sleep(ThreadLocalRandom.current().nextLong(backoff / 2, backoff + 1));
                backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
            }
        }
        up = false;
    }

    /** The last event id a notification carries; {@link Long#MAX_VALUE} (read anyway) when it carries none. */
    static long announcedId(String payload) {
        try {
            return Long.parseLong(payload);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * The backoff between reconnect attempts, on the listener's own thread: nothing waits on this thread, and there
     * is no condition to wait for (PostgreSQL announces nothing when it can be reached again), only the time until the
     * next attempt. {@link #stop} interrupts it.
     */
    private void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping = true;
        }
    }

    @PreDestroy
    synchronized void stop() {
        stopping = true;
        Database.stopDedicated(connection, thread, "outbox listener");
    }
}
