package dev.atlas.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.config.AtlasConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded H2 file stays bounded under Atlas's write transaction when {@link H2Housekeeping} runs.
 * Not timing-based: housekeeping runs on the loop's thread every 100 commits, and the retention time is
 * set to 0 so that chunk ages do not depend on how fast this machine commits (the production URL keeps
 * 1 s; H2GrowthProbe measures that one). Measured: 7.7 MB with housekeeping; 27 MB without it, even at
 * retention 0, because chunks stay pinned by a page or two that only compaction moves (77 MB with H2's
 * default 45 s retention).
 */
class H2HousekeepingTest {

    @Test
    void fileStaysBoundedUnderWrites(@TempDir Path dir) throws Exception {
        String url = Database.jdbcUrl(AtlasConfig.load(Map.of("ATLAS_DATA_DIR", dir.toString()), null))
                .replace("RETENTION_TIME=1000", "RETENTION_TIME=0");
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL(url);
        H2Housekeeping housekeeping = new H2Housekeeping(ds);
        try (Connection c = ds.getConnection()) {
            Flyway.configure(getClass().getClassLoader()).dataSource(ds).locations("classpath:db/migration")
                    .load().migrate();
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
}
