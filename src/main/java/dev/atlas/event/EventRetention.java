package dev.atlas.event;

import dev.atlas.config.AtlasConfig;
import dev.atlas.config.Setting;
import dev.atlas.db.Database;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Enforces the outbox retention: at startup and then every {@code ATLAS_EVENT_PRUNE_INTERVAL_SECONDS},
 * deletes events older than {@code ATLAS_EVENT_RETENTION_DAYS} except the latest
 * {@code ATLAS_EVENT_RETENTION_MIN_EVENTS}. A client resuming from a pruned id gets a {@code resync}.
 * With several nodes each prunes; the deletes are idempotent. Runs on its own timer thread.
 */
@ApplicationScoped
public class EventRetention {
    private static final Logger LOG = Logger.getLogger(EventRetention.class.getName());

    @Inject
    Database db;
    @Inject
    EventLog eventLog;
    @Inject
    AtlasConfig config;

    private ScheduledExecutorService timer;

    /** Starts the schedule (called once at application start). */
    public void start() {
        long every = config.getLong(Setting.EVENT_PRUNE_INTERVAL_SECONDS);
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "atlas-event-retention");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::pruneNow, 0, Math.max(1, every), TimeUnit.SECONDS);
    }

    /** One pruning pass; failures are logged and retried at the next pass. */
    public void pruneNow() {
        Instant cutoff = Instant.now().minus(Duration.ofDays(config.getLong(Setting.EVENT_RETENTION_DAYS)));
        long keep = config.getLong(Setting.EVENT_RETENTION_MIN_EVENTS);
        try {
            int deleted = db.inTransaction(em -> eventLog.prune(em, cutoff, keep));
            if (deleted > 0) {
                LOG.info(() -> "Pruned " + deleted + " events older than " + cutoff);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Pruning old events failed; retrying at the next pass", e);
        }
    }

    @PreDestroy
    void stop() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
