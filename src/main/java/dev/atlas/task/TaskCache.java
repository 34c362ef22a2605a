package dev.atlas.task;

import dev.atlas.db.CacheLease;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

/**
 * The tasks this node last read or wrote, by id, answering {@code GET /api/tasks/{id}} without the database while
 * {@link CacheLease} says this node is alone on it (PostgreSQL only). Never older than a write this node acknowledged:
 * <ul>
 * <li>A write puts its committed view after its commit and before it answers ({@link #putWritten}); a delete leaves a
 *     tombstone that no later put replaces (ids are never reused).</li>
 * <li>Every put keeps the higher version, so a read that missed and read the row before a write committed cannot put
 *     the older row back over the write's.</li>
 * <li>A read's put carries the {@link #stamp} taken before it read the database and is dropped when the
 *     {@code generation} changed since: every clear, eviction, start and stop of the cache moves it, so a row read
 *     before the cache was emptied never lands after.</li>
 * <li>A write's put carries the {@link #epoch} taken just after its transaction's fence, and is dropped when the cache
 *     was stopped since or this node took the lock exclusively again ({@link #epochStarts}, before the lease's barrier):
 *     such a write committed before the barrier ended, so before the cache started, and reads of the cache's time read
 *     it from the database. A write fenced after the barrier carries the new epoch, so its put is kept even when it
 *     commits after the cache started; the cache's start must therefore not move the epoch.</li>
 * <li>A write whose outcome is unknown (it failed in a way that may have committed) empties the cache ({@link #clear}).</li>
 * </ul>
 *
 * <p>Bounded at {@code max} entries: past it, a quarter is dropped (any quarter; the generation moves). Thread-safe.
 */
public final class TaskCache implements CacheLease.Holder {
    /** A cached task; {@code view} null: deleted. */
    record Entry(TaskView view) {
        boolean deleted() {
            return view == null;
        }
    }

    private static final Entry DELETED = new Entry(null);

    private final ConcurrentHashMap<Long, Entry> entries = new ConcurrentHashMap<>();
    private final int max;
    private final BooleanSupplier servable;
    private final AtomicLong generation = new AtomicLong();
    private final AtomicLong epoch = new AtomicLong();
    private volatile boolean on;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder evictions = new LongAdder();

    /**
     * @param max      the most entries kept
     * @param servable whether the lease lets this node answer from the cache right now
     */
    public TaskCache(int max, BooleanSupplier servable) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1, got " + max);
        }
        this.max = max;
        this.servable = servable;
    }

    @Override
    public void epochStarts() {
        epoch.incrementAndGet();
    }

    @Override
    public void cacheOn() {
        generation.incrementAndGet();
        entries.clear();
        on = true;
    }

    @Override
    public void cacheOff() {
        on = false;
        generation.incrementAndGet();
        epoch.incrementAndGet();
        entries.clear();
    }

    /** Forgets every entry (a write's outcome is unknown); the cache stays on. */
    public void clear() {
        generation.incrementAndGet();
        entries.clear();
    }

    /**
     * Before a read: the stamp its put must carry, or -1 when the cache must not be used now (off, or the lease
     * unconfirmed): read the database and put nothing.
     */
    public long stamp() {
        long g = generation.get();
        return on && servable.getAsBoolean() ? g : -1;
    }

    /** The entry for {@code id}, null on a miss; call only with a stamp that is not -1. Counts hits and misses. */
    Entry get(long id) {
        Entry e = entries.get(id);
        if (e == null) {
            misses.increment();
        } else {
            hits.increment();
        }
        return e;
    }

    /** A read's view of a task, read from the database after {@code stamp} was taken. */
    void putRead(TaskView view, long stamp) {
        entries.compute(view.id(), (id, old) -> generation.get() != stamp || newer(old, view) ? old : new Entry(view));
        bound();
    }

    /** In a write's transaction, just after its fence: what its put must carry. */
    long epoch() {
        return epoch.get();
    }

    /** A committed write's view, put before the write answers. */
    void putWritten(TaskView view, long writeEpoch) {
        if (!on || epoch.get() != writeEpoch) {
            return;
        }
        entries.compute(view.id(), (id, old) -> epoch.get() != writeEpoch || newer(old, view) ? old : new Entry(view));
        bound();
    }

    /** A committed delete: a tombstone, which no put replaces. */
    void putDeleted(long id, long writeEpoch) {
        if (!on || epoch.get() != writeEpoch) {
            return;
        }
        entries.compute(id, (k, old) -> epoch.get() != writeEpoch ? old : DELETED);
        bound();
    }

    /** Whether {@code old} is a tombstone or at least as new as {@code view}. */
    private static boolean newer(Entry old, TaskView view) {
        return old != null && (old.deleted() || old.view().version() >= view.version());
    }

    private void bound() {
        if (entries.size() <= max) {
            return;
        }
        synchronized (this) {
            if (entries.size() <= max) {
                return;
            }
            generation.incrementAndGet(); // a read in flight may have read a row before an evicted write: its put is dropped
            int drop = entries.size() - max * 3 / 4;
            Iterator<Long> it = entries.keySet().iterator();
            while (drop > 0 && it.hasNext()) {
                it.next();
                it.remove();
                drop--;
                evictions.increment();
            }
        }
    }

    public boolean isOn() {
        return on;
    }

    public int size() {
        return entries.size();
    }

    public long hits() {
        return hits.sum();
    }

    public long misses() {
        return misses.sum();
    }

    public long evictions() {
        return evictions.sum();
    }
}
