package dev.atlas.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;

/**
 * Does for the embedded H2 file what H2's own background writer would do if {@code WRITE_DELAY=0} had not
 * switched it off: every {@link #INTERVAL_MS} ms it rewrites the live pages of sparse chunks into a new chunk
 * ({@link MVStore#compact}) and stores that chunk ({@link MVStore#commit}); every {@link #SYNC_INTERVAL_MS} ms
 * it also fsyncs the file ({@link MVStore#sync}).
 *
 * <p>Why this exists (H2 2.3.232 sources): with {@code WRITE_DELAY=0} every commit stores its own chunk
 * ({@code TransactionStore.endTransaction} calls {@code MVStore.commit()} when the auto-commit delay is 0),
 * and {@code FileStore.setAutoCommitDelay(0)} stops the {@code BackgroundWriterThread}, the only caller of
 * {@code RandomAccessStore.doHousekeeping}, i.e. of chunk rewriting. A chunk's space is reused only once
 * every page in it is dead ({@code FileStore.dropUnusedChunks}); inserts in id order leave the finished
 * left half of every split leaf in the chunk of the commit that split it, so without rewriting one chunk
 * in a few stays pinned forever and the file grows with every commit. Compaction is not reachable from
 * SQL (H2's {@code Store.compactFile} has no caller but close), hence the internal types used here, and
 * only here: {@link JdbcConnection#getSession()}, {@link SessionLocal}, {@link MVStore}.
 *
 * <p><b>Why so often, in small rounds.</b> Compaction holds H2's store lock while it reads back (and decodes)
 * the live pages it moves, and storing the rewritten pages holds it again; every commit needs that lock, so
 * every write waits out a round that overlaps its commit. A round's work is what became rewritable since the
 * last one: at 250 ms intervals under the REST mix a round held the lock ~5 ms (compaction) + ~3 ms (store)
 * at the median and 20-37 ms at its longest, and most of the slowest 1 % of writes had waited for it; at 50
 * ms, ~1 ms + ~0.7 ms (docs/benchmarks.md, fourteenth session). The round stores what it rewrote itself, so no
 * writer's commit carries it. The fsync does not hold the lock (a writer's commit overlapping it was not
 * slower), so it keeps its own, longer interval: the number of fsyncs per second is a cost of its own.
 *
 * <p>The fsync makes the short {@code RETENTION_TIME} of the URL safe in H2's own terms:
 * H2 keeps young chunks for the retention time on the assumption that the OS has written everything
 * older to disk by then (its default, 45 s, trusts the kernel's write-back); here everything older than
 * {@link #SYNC_INTERVAL_MS} has been forced to disk explicitly. Commit durability does not depend on this class:
 * commits are still written to the file in the committing thread ({@code WRITE_DELAY=0}).
 *
 * <p>Threading: one daemon thread of its own; {@link #runOnce} may also be called directly (tests).
 */
final class H2Housekeeping implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(H2Housekeeping.class.getName());

    /** How often a round of compaction runs (see the class comment for why so often). */
    static final long INTERVAL_MS = 50;
    /** How often the file is fsynced, at most: must stay well below the URL's RETENTION_TIME. */
    static final long SYNC_INTERVAL_MS = 250;
    /**
     * Compact when the live share of the chunks falls below this, and then the chunks below it, sparsest first (H2's
     * own auto-compact fill rate is 90). Under the REST mix the chunks stay at 50-65 % live whatever this is: at 80
     * every round found work and the store lock was held 1.9-4.6 s in 30 s (one run read back 11.6 MB/s); at 50,
     * 0.8-0.9 s, and the chunks were as full (docs/benchmarks.md, fourteenth session).
     */
    static final int TARGET_FILL_RATE = 50;
    /** At most this many live bytes are rewritten per round: bounds the pause writers may see. */
    static final int REWRITE_BYTES = 4 * 1024 * 1024;

    private final DataSource dataSource;
    private final long intervalMs;
    private final int rewriteBytes;
    /** Every how many scheduled rounds the file is fsynced. */
    private final long syncEvery;
    private ScheduledExecutorService timer;
    private boolean failing;
    /**
     * The store's version after a round that had nothing to rewrite, and at the last fsync; -1: none. An idle
     * server's rounds then cost a version check: no compaction attempt, no fsync.
     */
    private long idleVersion = -1;
    private long syncedVersion = -1;
    /** Scheduled rounds so far (the timer's thread only). */
    private long rounds;
    /** Fsyncs so far. Guarded by {@link #syncsMonitor}, which {@link #awaitSyncs} waits on. */
    private long syncs;
    private final Object syncsMonitor = new Object();

    H2Housekeeping(DataSource dataSource) {
        this(dataSource, INTERVAL_MS, REWRITE_BYTES);
    }

    /** With other figures than the defaults: for measurements ({@code H2GrowthProbe}). */
    H2Housekeeping(DataSource dataSource, long intervalMs, int rewriteBytes) {
        this.dataSource = dataSource;
        this.intervalMs = intervalMs;
        this.rewriteBytes = rewriteBytes;
        this.syncEvery = syncEvery(intervalMs, SYNC_INTERVAL_MS);
    }

    /** Every how many rounds of {@code intervalMs} to fsync so that no two fsyncs are more than {@code syncMs} apart. */
    static long syncEvery(long intervalMs, long syncMs) {
        if (intervalMs <= 0) {
            throw new IllegalArgumentException("intervalMs must be positive, got " + intervalMs);
        }
        return Math.max(1, syncMs / intervalMs);
    }

    void start() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "atlas-h2-housekeeping");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::runQuietly, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    private void runQuietly() {
        try {
            runOnce(++rounds % syncEvery == 0);
            if (failing) {
                failing = false;
                LOG.info("H2 housekeeping works again");
            }
        } catch (SQLException | RuntimeException e) {
            if (!failing) { // once per outage: the database may simply be closing
                failing = true;
                LOG.log(Level.WARNING, "H2 housekeeping failed (will retry): " + e, e);
            }
        }
    }

    /** One whole round: rewrite sparse chunks, store them, fsync. */
    void runOnce() throws SQLException {
        runOnce(true);
    }

    /**
     * One round: rewrite sparse chunks and store what was rewritten; then fsync if {@code sync}. Skips what an
     * unchanged store does not need (see {@link #idleVersion}).
     */
    void runOnce(boolean sync) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            MVStore store = mvStore(c);
            if (store == null || store.isClosed()) {
                return;
            }
            long version = store.getCurrentVersion();
            if (version != idleVersion) { // else nothing was stored since a round that found nothing to rewrite
                if (store.compact(TARGET_FILL_RATE, rewriteBytes)) {
                    store.commit();
                    idleVersion = -1;
                } else {
                    idleVersion = version;
                }
            }
            long current = store.getCurrentVersion();
            if (sync && current != syncedVersion) { // else nothing was stored since the last fsync
                // Read before the commit, which waits for a store in progress (its version may be `current`) to be
                // written; a store begun later has a higher version, so the next sync round does not skip it.
                store.commit(); // anything still unsaved (normally nothing: commits store themselves)
                store.sync();
                syncedVersion = current;
                synchronized (syncsMonitor) {
                    syncs++;
                    syncsMonitor.notifyAll();
                }
            }
        }
    }

    /** How many times the file was fsynced (tests). */
    long syncs() {
        synchronized (syncsMonitor) {
            return syncs;
        }
    }

    /** Waits until the file was fsynced at least {@code n} times, at most {@code timeout}; returns whether it was. */
    boolean awaitSyncs(long n, java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (syncsMonitor) {
            for (long left = timeout.toNanos(); syncs < n; left = deadline - System.nanoTime()) {
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(syncsMonitor, left);
            }
            return true;
        }
    }

    /** The MVStore behind an embedded H2 connection, or null (server mode, in-memory). */
    static MVStore mvStore(Connection c) throws SQLException {
        if (c.unwrap(JdbcConnection.class).getSession() instanceof SessionLocal local
                && local.getDatabase().getStore() != null) {
            return local.getDatabase().getStore().getMvStore();
        }
        return null;
    }

    @Override
    public void close() {
        if (timer != null) {
            // Not shutdownNow(): an interrupt during FileChannel.force closes H2's file channel
            // (ClosedByInterruptException) under the database's feet. Let a running round finish.
            timer.shutdown();
            try {
                timer.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
