package dev.atlas.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.config.AtlasConfig;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The write section's busy time ({@code atlas_db_write_busy_seconds_total}) counts each batch's wall time, failed ones too. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GroupCommitBusyTest {
    private Database db;
    private GroupCommit<Void> writes;

    @BeforeEach
    void open() {
        db = Database.open(AtlasConfig.load(Map.of("ATLAS_DB_URL", "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1"), null));
        writes = new GroupCommit<>(db, em -> null, e -> false, 64);
    }

    @AfterEach
    void close() {
        db.close();
    }

    /** Runs inside the unit until the clock has moved on by {@code d}: a lower bound on the batch's wall time. */
    private static String occupy(Duration d) {
        long until = System.nanoTime() + d.toNanos();
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
        return "done";
    }

    @Test
    void busyTimeCoversEveryBatchItRan() {
        assertEquals(0, writes.busyNanos());
        assertEquals("done", writes.submit((em, c) -> occupy(Duration.ofMillis(30)), r -> { }));
        long afterOne = writes.busyNanos();
        assertTrue(afterOne >= Duration.ofMillis(30).toNanos(), "busy " + afterOne + " ns after a 30 ms unit");

        try {
            writes.submit((em, c) -> {
                occupy(Duration.ofMillis(20));
                throw new IllegalStateException("fails");
            }, r -> { });
        } catch (IllegalStateException expected) {
            // a failed batch occupied the section all the same
        }
        assertTrue(writes.busyNanos() - afterOne >= Duration.ofMillis(20).toNanos());
        assertEquals(2, writes.transactions());
    }
}
