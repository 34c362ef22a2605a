package dev.atlas.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.config.AtlasConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the read path ({@link Database#read}) costs the embedded H2 file: nothing. A read runs outside a transaction on
 * a pooled connection in auto-commit, so nothing rolls back after it; on H2 with {@code WRITE_DELAY=0} a rollback ends
 * in {@code MVStore.commit}, which stores a chunk of whatever other transactions changed and did not commit yet (a
 * second chunk for the same pages, and about a twentieth of a REST request's CPU, docs/benchmarks.md). Fails with a
 * read wrapped in a transaction (EclipseLink's rollback) as well as with a pool that hands out auto-commit off.
 */
class DatabaseReadTest {

    @Test
    void aReadWhileAnotherTransactionHoldsChangesStoresNoChunk(@TempDir Path dir) throws Exception {
        // the production file URL, given explicitly so that no housekeeping thread stores chunks meanwhile
        String url = Database.jdbcUrl(AtlasConfig.load(Map.of("ATLAS_DATA_DIR", dir.toString()), null));
        Database db = Database.open(AtlasConfig.load(Map.of("ATLAS_DB_URL", url), null));
        db.read(em -> em.createNativeQuery("SELECT COUNT(*) FROM task").getSingleResult()); // a first read outside the measured window
        try (Connection writer = db.dataSource().getConnection()) {
            assertTrue(writer.getAutoCommit(), "the pool hands out connections in auto-commit");
            writer.setAutoCommit(false);
            try (Statement st = writer.createStatement()) {
                st.executeUpdate("UPDATE event_sequence SET last_id = last_id + 1"); // not committed
            }
            MVStore store = H2Housekeeping.mvStore(writer);
            long version = store.getCurrentVersion();

            for (int i = 0; i < 3; i++) {
                Object tasks = db.read(em -> em.createNativeQuery("SELECT COUNT(*) FROM task").getSingleResult());
                assertEquals(0L, ((Number) tasks).longValue());
            }

            assertEquals(version, store.getCurrentVersion(), "chunks stored by reads");
            writer.rollback();
        } finally {
            db.close();
        }
    }
}
