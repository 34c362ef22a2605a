package dev.atlas.push;

import dev.atlas.db.Database;
import dev.atlas.event.EventLog;
import dev.atlas.event.TaskEvent;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sends a resuming session the events it missed, read from the outbox in batches, while its live events
 * are held back ({@link PushSession#beginReplay}); then releases them, so the client sees every event
 * exactly once and in order across the seam. A replay yields to the client's pace: it waits while the
 * session's writer is more than half full, so a long replay never trips the slow-consumer bound.
 *
 * <p>If the first event after the requested id is gone (pruned), the session gets a {@code resync} instead.
 * Threading: replays run on one thread, each as a chain of short steps (one outbox read each), interleaved; they never block the dispatcher.
 */
@ApplicationScoped
public class Replayer {
    private static final Logger LOG = Logger.getLogger(Replayer.class.getName());
    static final int BATCH = 200;

    @Inject
    Database db;
    @Inject
    EventLog eventLog;
    @Inject
    PushThreads threads;

    private ScheduledExecutorService pool;

    @PostConstruct
    void start() {
        pool = threads.single("atlas-push-replay");
    }

    /**
     * Whether every event after {@code after} up to {@code upTo} (the last one pushed) can still be replayed: none of
     * them was pruned and {@code after} is not in the future. One indexed read ({@code MIN(id)}); a prune that runs
     * between this answer and the replay makes the replay end in {@code resync} all the same.
     */
    boolean retains(long after, long upTo) {
        if (after < 0 || after > upTo) {
            return false;
        }
        if (after == upTo) {
            return true;
        }
        long oldest = db.read(em -> eventLog.oldestEventId(em));
        return oldest != 0 && oldest <= after + 1;
    }

    /** Replays the events in ({@code after}, {@code upTo}] to a session already in replay mode. */
    void replay(PushSession s, long after, long upTo) {
        pool.execute(() -> step(s, after, upTo, true));
    }

    private void step(PushSession s, long after, long upTo, boolean first) {
        SessionWriter w = s.writer();
        if (w.isClosed()) {
            return;
        }
        if (w.queued() > w.capacity() / 2) {
            pool.schedule(() -> step(s, after, upTo, first), 20, TimeUnit.MILLISECONDS);
            return;
        }
        List<TaskEvent> batch;
        try {
            batch = db.read(em -> eventLog.readAfter(em, after, (int) Math.min(BATCH, upTo - after)));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Replay for session " + s.id() + " failed; closing it so the client retries", e);
            w.close(CloseCodes.INTERNAL_ERROR, "replay failed, reconnect to retry");
            return;
        }
        if (first && (batch.isEmpty() || batch.get(0).id() != after + 1)) {
            s.endReplay(Frame.of(s.wire().frame("resync", Envelope.resync(upTo,
                    "events after " + after + " are no longer retained", Instant.now()))));
            return;
        }
        long last = after;
        for (TaskEvent e : batch) {
            if (e.id() > upTo) {
                break;
            }
            if (s.canSee(e)) {
                w.offer(Frame.of(s.wire().eventFrame(e.type().wireName(), e.id(), Envelope.of(e))));
            }
            last = e.id();
        }
        if (last >= upTo || batch.isEmpty()) {
            s.endReplay(null);
        } else {
            long next = last;
            pool.execute(() -> step(s, next, upTo, false));
        }
    }
}
