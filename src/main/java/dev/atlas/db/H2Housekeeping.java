package dev.atlas.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
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
 * ({@link MVStore#compact}), then stores and fsyncs the file ({@code CHECKPOINT SYNC}).
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
 * <p>The {@code CHECKPOINT SYNC} makes the short {@code RETENTION_TIME} of the URL safe in H2's own terms:
 * H2 keeps young chunks for the retention time on the assumption that the OS has written everything
 * older to disk by then (its default, 45 s, trusts the kernel's write-back); here everything older than
 * one interval has been forced to disk explicitly. Commit durability does not depend on this class:
 * commits are still written to the file in the committing thread ({@code WRITE_DELAY=0}).
 *
 * <p>Threading: one daemon thread of its own; {@link #runOnce} may also be called directly (tests).
 */
final class H2Housekeeping implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(H2Housekeeping.class.getName());

    /** How often compaction and the fsync run; must stay well below the URL's RETENTION_TIME. */
    static final long INTERVAL_MS = 250;
    /** Compact when the live share of the chunks falls below this (H2's own auto-compact fill rate is 90). */
    static final int TARGET_FILL_RATE = 80;
    /** At most this many live bytes are rewritten per round: bounds the pause writers may see. */
    static final int REWRITE_BYTES = 4 * 1024 * 1024;

    private final DataSource dataSource;
    private final long intervalMs;
    private final int rewriteBytes;
    private ScheduledExecutorService timer;
    private boolean failing;

    H2Housekeeping(DataSource dataSource) {
        this(dataSource, INTERVAL_MS, REWRITE_BYTES);
    }

    /** With other figures than the defaults: for measurements ({@code H2GrowthProbe}). */
    H2Housekeeping(DataSource dataSource, long intervalMs, int rewriteBytes) {
        this.dataSource = dataSource;
        this.intervalMs = intervalMs;
        this.rewriteBytes = rewriteBytes;
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
            runOnce();
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

    /** One round: rewrite sparse chunks, then store and fsync. */
    void runOnce() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            MVStore store = mvStore(c);
            if (store == null || store.isClosed()) {
                return;
            }
            store.compact(TARGET_FILL_RATE, rewriteBytes);
            try (Statement st = c.createStatement()) {
                st.execute("CHECKPOINT SYNC");
            }
            if (!c.getAutoCommit()) {
                c.commit();
            }
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
