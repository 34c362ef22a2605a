package dev.atlas.db;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.FileStore;
import org.h2.mvstore.MVStore;

/**
 * Does for the embedded H2 file what H2's own background writer would do if {@code WRITE_DELAY=0} had not
 * switched it off: every {@link #INTERVAL_MS} ms it rewrites the live pages of sparse chunks into a new chunk
 * (H2's {@code FileStore.rewriteChunks}, see {@link #SPARSE_REWRITE}) and stores that chunk
 * ({@link MVStore#commit}); every {@link #SYNC_INTERVAL_MS} ms it also fsyncs the file ({@link MVStore#sync}).
 *
 * <p>Why this exists (H2 2.3.232 sources): with {@code WRITE_DELAY=0} every commit stores its own chunk
 * ({@code TransactionStore.endTransaction} calls {@code MVStore.commit()} when the auto-commit delay is 0),
 * and {@code FileStore.setAutoCommitDelay(0)} stops the {@code BackgroundWriterThread}, the only caller of
 * {@code RandomAccessStore.doHousekeeping}, i.e. of chunk rewriting. A chunk's space is reused only once
 * every page in it is dead ({@code FileStore.dropUnusedChunks}); inserts in id order leave the finished
 * left half of every split leaf in the chunk of the commit that split it, so without rewriting one chunk
 * in a few stays pinned forever and the file grows with every commit. Compaction is not reachable from
 * SQL (H2's {@code Store.compactFile} has no caller but close), hence the internal types used here, and
 * only here: {@link JdbcConnection#getSession()}, {@link SessionLocal}, {@link MVStore}, {@link FileStore}.
 *
 * <p><b>Why so often, in small rounds, and only sparse chunks.</b> Rewriting holds H2's store lock while it reads
 * back (and decodes) the live pages it moves, and storing the rewritten pages holds it again; every commit needs
 * that lock, so every write waits out a round that overlaps its commit. At 250 ms intervals under the REST mix a
 * round held the lock ~5 ms (compaction) + ~3 ms (store) at the median and 20-37 ms at its longest, and most of
 * the slowest 1 % of writes had waited for it; at 50 ms, ~1 ms + ~0.7 ms (docs/benchmarks.md, fourteenth
 * session). What was left were rounds of up to 90 ms: {@link MVStore#compact} rewrote 4 MiB at once whenever the
 * chunks fell below half full, and ranks chunks by fill rate over age, so old chunks almost full (its own earlier
 * output) were moved again and again. A round now moves at most {@link #REWRITE_BYTES} from chunks at most
 * {@link #SPARSE_FILL_RATE} full (fifteenth session). The round stores what it rewrote itself, so no writer's
 * commit carries it. The fsync does not hold the lock (a writer's commit overlapping it was not slower), so it
 * keeps its own, longer interval: the number of fsyncs per second is a cost of its own.
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
     * A round rewrites only chunks at most this full (percent of their bytes still live): moving a chunk's live
     * pages frees at least 1.5 times what it moves. H2's public {@link MVStore#compact} takes any chunk, ordered by
     * fill rate divided by age, so it also rewrote old chunks 88-96 % full, its own earlier output, 4 MiB at a time,
     * to free a few hundred KB: over a third of all it moved under the REST mix (docs/benchmarks.md, fifteenth
     * session).
     */
    static final int SPARSE_FILL_RATE = 40;
    /** At most this many live bytes are rewritten per round: bounds how long a round holds the store lock. */
    static final int REWRITE_BYTES = 256 * 1024;
    /**
     * While the rewritable chunks are at least this full, a round rewrites up to {@link #REWRITE_BYTES}; every 5
     * points below it double that, up to {@link #CATCH_UP_BYTES} at 30 % and below. The store is then falling behind
     * (under the REST mix they stay 65-67 % full; an insert-only loop at 6,000 commits/s fell to 32 % with 256 KiB
     * rounds), or it holds sparse chunks too large for the smaller budget (H2 skips a chunk whose live bytes exceed
     * it), e.g. a file written by an earlier version of this class, whose rounds moved 4 MiB into one chunk.
     */
    static final int BUDGET_FILL_RATE = 50;
    static final int CATCH_UP_BYTES = 4 * 1024 * 1024;
    /** Only if this H2 lacks the selective rewrite ({@link #SPARSE_REWRITE}): {@code compact(50, 4 MiB)}, as before. */
    static final int FALLBACK_FILL_RATE = 50;

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

    /** Every how many rounds of {@code intervalMs} to fsync, so that no two fsyncs are over {@code syncMs} apart. */
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
                if (rewriteSparseChunks(store)) {
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

    /**
     * Rewrites the live pages of chunks at most {@link #SPARSE_FILL_RATE} full, at most {@link #rewriteBudget} bytes of
     * them, sparsest and oldest first; returns whether it rewrote any (they are then unsaved changes).
     */
    boolean rewriteSparseChunks(MVStore store) {
        if (SPARSE_REWRITE == null) {
            return store.compact(FALLBACK_FILL_RATE, CATCH_UP_BYTES);
        }
        int budget = rewriteBudget(SPARSE_REWRITE.rewritableFillRate(store), rewriteBytes);
        return SPARSE_REWRITE.rewrite(store, SPARSE_FILL_RATE, budget);
    }

    /** The bytes a round may rewrite when the rewritable chunks are {@code fillRate} % full overall. */
    static int rewriteBudget(int fillRate, int rewriteBytes) {
        if (fillRate >= BUDGET_FILL_RATE) {
            return rewriteBytes;
        }
        int doublings = Math.min(16, (BUDGET_FILL_RATE - fillRate + 4) / 5);
        return (int) Math.max(rewriteBytes, Math.min((long) rewriteBytes << doublings, CATCH_UP_BYTES));
    }

    /**
     * H2's selective chunk rewrite, the one its own background writer uses: {@code FileStore.rewriteChunks(writeLimit,
     * targetFillRate)} under {@code MVStore.tryExecuteUnderStoreLock}, exactly as {@link MVStore#compact} calls it
     * but with a fill rate below 100; and {@code FileStore.getRewritableChunksFillRate()}, the fill rate of the chunks
     * old enough to be rewritten (H2's {@code info.CHUNKS_FILL_RATE_RW}; the public figure counts the young chunks
     * too, which the retention time keeps whatever their fill). None is public, hence reflection; null (and
     * {@link MVStore#compact} instead) if this H2 no longer has them. {@code H2HousekeepingTest} fails then, so an H2
     * upgrade cannot lose it silently.
     */
    static final SparseRewrite SPARSE_REWRITE = SparseRewrite.lookUp();

    record SparseRewrite(Method rewriteChunks, Method underStoreLock, Method rewritableFillRate) {
        static SparseRewrite lookUp() {
            try {
                Method rewrite = FileStore.class.getDeclaredMethod("rewriteChunks", int.class, int.class);
                Method underLock = MVStore.class.getDeclaredMethod("tryExecuteUnderStoreLock", Callable.class);
                Method fillRate = FileStore.class.getDeclaredMethod("getRewritableChunksFillRate");
                if (rewrite.getReturnType() != boolean.class || underLock.getReturnType() != Object.class
                        || fillRate.getReturnType() != int.class) {
                    throw new NoSuchMethodException(
                            "unexpected signatures: " + rewrite + ", " + underLock + ", " + fillRate);
                }
                rewrite.setAccessible(true);
                underLock.setAccessible(true);
                fillRate.setAccessible(true);
                return new SparseRewrite(rewrite, underLock, fillRate);
            } catch (ReflectiveOperationException | RuntimeException e) {
                LOG.log(Level.WARNING, "H2's FileStore.rewriteChunks is not reachable; housekeeping falls back to"
                        + " MVStore.compact, which also rewrites full chunks: " + e, e);
                return null;
            }
        }

        /** Percent of the rewritable chunks' bytes still live. */
        int rewritableFillRate(MVStore store) {
            try {
                return (Integer) invoke(rewritableFillRate, store.getFileStore());
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e); // the method declares none
            }
        }

        /** Whether it rewrote anything; false also when the store lock was busy for 10 ms (H2's own rule). */
        boolean rewrite(MVStore store, int fillRate, int bytes) {
            FileStore<?> fileStore = store.getFileStore();
            // H2 panics the store on whatever the callable throws, as it would for its own call: so the callable
            // throws exactly what rewriteChunks threw.
            Callable<Boolean> op = () -> (Boolean) invoke(rewriteChunks, fileStore, bytes, fillRate);
            try {
                return Boolean.TRUE.equals(invoke(underStoreLock, store, op));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        /** {@code method.invoke}, throwing what the method itself threw instead of reflection's wrapper. */
        private static Object invoke(Method method, Object target, Object... args) throws Exception {
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                if (e.getCause() instanceof Error error) {
                    throw error;
                }
                throw (Exception) e.getCause();
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e); // setAccessible succeeded in lookUp
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
