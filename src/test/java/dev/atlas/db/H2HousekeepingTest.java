package dev.atlas.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.config.AtlasConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.h2.mvstore.ChunksForTests;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded H2 file stays bounded under Atlas's write transaction when {@link H2Housekeeping} runs.
 * Not timing-based: housekeeping runs on the loop's thread every 100 commits, and the retention time is
 * set to 0 so that chunk ages do not depend on how fast this machine commits (the production URL keeps
 * 1 s; H2GrowthProbe measures that one). Measured: 5.0 MB with housekeeping (7.7 MB when first measured, with
 * MVStore.compact every 250 ms); 27 MB without it, even at retention 0, because chunks stay pinned by a page or
 * two that only compaction moves (77 MB with H2's default 45 s retention).
 */
class H2HousekeepingTest {

    @Test
    void fileStaysBoundedUnderWrites(@TempDir Path dir) throws Exception {
        JdbcDataSource ds = migrated(dir);
        H2Housekeeping housekeeping = new H2Housekeeping(ds);
        try (Connection c = ds.getConnection()) {
            Path file = dir.resolve("atlas.mv.db");
            H2GrowthProbe.Result r = H2GrowthProbe.run(c, 3000, 1000, Long.MAX_VALUE, file, false,
                    100, housekeeping::runOnce);
            assertEquals(3000, r.commits());
            assertTrue(r.fileBytes() < 15_000_000, "file after 3,000 commits: " + r.fileBytes() + " bytes");
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM task_event")) {
                rs.next();
                assertEquals(3000, rs.getLong(1));
            }
        }
    }

    /** The URL Atlas builds under {@code dir}, with retention 0 (chunk ages do not depend on the machine's speed). */
    private static JdbcDataSource migrated(Path dir) {
        String url = Database.jdbcUrl(AtlasConfig.load(Map.of("ATLAS_DATA_DIR", dir.toString()), null))
                .replace("RETENTION_TIME=1000", "RETENTION_TIME=0");
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL(url);
        Flyway.configure(H2HousekeepingTest.class.getClassLoader()).dataSource(ds).locations("classpath:db/migration")
                .load().migrate();
        return ds;
    }

    /** {@code commits} of Atlas's write transaction on {@code c}, no housekeeping; the store behind {@code c}. */
    private static MVStore afterCommits(Connection c, Path dir, int commits) throws Exception {
        H2GrowthProbe.run(c, commits, 1000, Long.MAX_VALUE, dir.resolve("atlas.mv.db"), false);
        return H2Housekeeping.mvStore(c);
    }

    /** One commit that stores a chunk of its own. */
    private static void commitOne(Connection c) throws Exception {
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE event_sequence SET last_id = last_id + 1");
        }
        c.commit();
    }

    @Test
    void aRoundStoresWhatItRewroteAndFsyncsOnlyWhenAsked(@TempDir Path dir) throws Exception {
        JdbcDataSource ds = migrated(dir);
        H2Housekeeping housekeeping = new H2Housekeeping(ds);
        try (Connection c = ds.getConnection()) {
            MVStore store = afterCommits(c, dir, 2000);
            assertTrue(ChunksForTests.chunks(store).values().stream()
                            .anyMatch(f -> f.fillRate() <= H2Housekeeping.SPARSE_FILL_RATE),
                    "2,000 commits without housekeeping leave sparse chunks");

            long version = store.getCurrentVersion();
            housekeeping.runOnce(false);
            assertTrue(store.getCurrentVersion() > version, "the round rewrote sparse chunks and stored them");
            assertFalse(store.hasUnsavedChanges(), "the round stored what it rewrote; no writer's commit carries it");
            assertEquals(0, housekeeping.syncs());

            housekeeping.runOnce(true);
            assertEquals(1, housekeeping.syncs());
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM task_event")) {
                rs.next();
                assertEquals(2000, rs.getLong(1));
            }
        }
    }

    /**
     * A round moves sparse chunks only: a chunk of rows nothing touches again stays where it is, even with a budget
     * that would fit every chunk (H2's public {@code MVStore.compact} moved such chunks too, ranking chunks by fill
     * rate over age: it rewrote its own old output again and again).
     */
    @Test
    void aRoundMovesSparseChunksAndLeavesFullOnesAlone(@TempDir Path dir) throws Exception {
        assertNotNull(H2Housekeeping.SPARSE_REWRITE, "this H2 has FileStore.rewriteChunks (see H2Housekeeping)");
        JdbcDataSource ds = migrated(dir);
        H2Housekeeping housekeeping = new H2Housekeeping(ds, H2Housekeeping.INTERVAL_MS, 64 * 1024 * 1024);
        try (Connection c = ds.getConnection()) {
            MVStore store = H2Housekeeping.mvStore(c);
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE settled (id INT PRIMARY KEY, v VARCHAR(200))");
            }
            c.commit();
            Map<Integer, ChunksForTests.Figures> earlier = ChunksForTests.chunks(store);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO settled VALUES (?, ?)")) {
                for (int i = 0; i < 2000; i++) {
                    ps.setInt(1, i);
                    ps.setString(2, "settled row " + "x".repeat(100));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            c.commit();
            int full = ChunksForTests.chunks(store).entrySet().stream()
                    .filter(e -> !earlier.containsKey(e.getKey()))
                    .max(Comparator.comparingLong(e -> e.getValue().liveBytes())).orElseThrow().getKey();

            afterCommits(c, dir, 2000);
            Map<Integer, ChunksForTests.Figures> before = ChunksForTests.chunks(store);
            assertTrue(before.get(full).fillRate() >= 80, "the settled rows' chunk is full: " + before.get(full));
            List<Integer> sparse = before.entrySet().stream()
                    .filter(e -> e.getValue().fillRate() <= H2Housekeeping.SPARSE_FILL_RATE
                            && e.getValue().liveBytes() > 0)
                    .map(Map.Entry::getKey).toList();
            assertTrue(sparse.size() > 10, "2,000 commits leave sparse chunks: " + sparse.size());

            housekeeping.runOnce(false);
            Map<Integer, ChunksForTests.Figures> after = ChunksForTests.chunks(store);
            assertEquals(before.get(full).liveBytes(), after.get(full).liveBytes(), "the full chunk was not moved");
            long moved = sparse.stream().filter(id -> !after.containsKey(id) || after.get(id).liveBytes() == 0).count();
            assertTrue(moved > 10, "sparse chunks moved: " + moved + " of " + sparse.size());
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT COUNT(*), SUM(LENGTH(v)) FROM settled")) {
                rs.next();
                assertEquals(2000, rs.getLong(1));
                assertEquals(2000L * "settled row ".length() + 2000L * 100, rs.getLong(2));
            }
        }
    }

    @Test
    void theBudgetDoublesEveryFivePointsTheRewritableChunksFallBelowHalfFull() {
        int base = H2Housekeeping.REWRITE_BYTES;
        assertEquals(base, H2Housekeeping.rewriteBudget(67, base));
        assertEquals(base, H2Housekeeping.rewriteBudget(H2Housekeeping.BUDGET_FILL_RATE, base));
        assertEquals(2 * base, H2Housekeeping.rewriteBudget(49, base));
        assertEquals(2 * base, H2Housekeeping.rewriteBudget(45, base));
        assertEquals(4 * base, H2Housekeeping.rewriteBudget(44, base));
        assertEquals(8 * base, H2Housekeeping.rewriteBudget(35, base));
        assertEquals(H2Housekeeping.CATCH_UP_BYTES, H2Housekeeping.rewriteBudget(30, base));
        assertEquals(H2Housekeeping.CATCH_UP_BYTES, H2Housekeeping.rewriteBudget(0, base), "capped");
        assertEquals(64 << 20, H2Housekeeping.rewriteBudget(10, 64 << 20), "never less than the round's own budget");
    }

    @Test
    void fsyncsAtLeastEverySyncInterval() {
        assertEquals(5, H2Housekeeping.syncEvery(H2Housekeeping.INTERVAL_MS, H2Housekeeping.SYNC_INTERVAL_MS));
        assertEquals(2, H2Housekeeping.syncEvery(100, 250)); // 200 ms apart, not 300
        assertEquals(1, H2Housekeeping.syncEvery(250, 250));
        assertEquals(1, H2Housekeeping.syncEvery(1000, 250)); // rounds rarer than the sync interval: every round
        assertThrows(IllegalArgumentException.class, () -> H2Housekeeping.syncEvery(0, 250));
    }

    @Test
    void anUnchangedStoreIsNeitherCompactedNorFsyncedAgain(@TempDir Path dir) throws Exception {
        JdbcDataSource ds = migrated(dir);
        H2Housekeeping housekeeping = new H2Housekeeping(ds);
        try (Connection c = ds.getConnection()) {
            MVStore store = afterCommits(c, dir, 200);
            long version = -1;
            for (int i = 0; i < 50 && store.getCurrentVersion() != version; i++) {
                version = store.getCurrentVersion();
                housekeeping.runOnce(true); // until a round finds nothing left to rewrite
            }
            housekeeping.runOnce(true);
            housekeeping.runOnce(false);
            assertEquals(version, store.getCurrentVersion(), "idle rounds store nothing");
            long syncs = housekeeping.syncs();
            assertTrue(syncs >= 1);
            housekeeping.runOnce(true);
            assertEquals(syncs, housekeeping.syncs(), "an idle round does not fsync again");

            commitOne(c);
            housekeeping.runOnce(true);
            assertEquals(syncs + 1, housekeeping.syncs(), "a commit since the last fsync is fsynced");
        }
    }

    @Test
    void theScheduledRoundsFsync(@TempDir Path dir) throws Exception {
        JdbcDataSource ds = migrated(dir);
        try (H2Housekeeping housekeeping = new H2Housekeeping(ds, 10, H2Housekeeping.REWRITE_BYTES);
             Connection c = ds.getConnection()) {
            housekeeping.start();
            commitOne(c);
            assertTrue(housekeeping.awaitSyncs(1, Duration.ofSeconds(20)), "no fsync within 20 s of a commit");
            commitOne(c);
            assertTrue(housekeeping.awaitSyncs(2, Duration.ofSeconds(20)),
                    "no fsync within 20 s of a commit after the first fsync");
        }
    }
}
