package dev.atlas.event;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.atlas.config.AtlasConfig;
import dev.atlas.db.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Retention by id ({@link EventLog#prune}): every event before the first one inside the window goes, except the
 * latest N; nothing inside the window ever goes, even after a clock that went back.
 */
class EventLogPruneTest {
    private static final Instant CUTOFF = Instant.parse("2026-01-10T00:00:00Z");
    private static final long OLD = CUTOFF.toEpochMilli() - 1;
    private static final long NEW = CUTOFF.toEpochMilli();

    private Database db;
    private final EventLog log = new EventLog();

    @BeforeEach
    void open() {
        db = Database.open(AtlasConfig.load(Map.of("ATLAS_DB_URL", "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1"), null));
    }

    @AfterEach
    void close() {
        db.close();
    }

    /** Appends one event per entry, created at the given times, ids 1, 2, 3… */
    private void append(long... createdAt) throws Exception {
        db.inTransaction(em -> {
            EventLog.Appender a = log.begin(em);
            for (int i = 0; i < createdAt.length; i++) {
                a.append(EventType.TASK_CREATED, i + 1, null, null, "{}");
            }
            a.beforeCommit();
            return null;
        });
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE task_event SET created_at = ? WHERE id = ?")) {
            for (int i = 0; i < createdAt.length; i++) {
                ps.setLong(1, createdAt[i]);
                ps.setLong(2, i + 1);
                assertEquals(1, ps.executeUpdate());
            }
        }
    }

    private int prune(long keepLatest) {
        return db.inTransaction(em -> log.prune(em, CUTOFF, keepLatest));
    }

    private List<Long> kept() throws Exception {
        List<Long> ids = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection();
             ResultSet rs = c.createStatement().executeQuery("SELECT id FROM task_event ORDER BY id")) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        return ids;
    }

    @Test
    void eventsBeforeTheWindowGoAndTheWindowStays() throws Exception {
        append(OLD, OLD, OLD, NEW, NEW);
        assertEquals(3, prune(0));
        assertEquals(List.of(4L, 5L), kept());
        assertEquals(0, prune(0), "a second pass finds nothing more");
    }

    @Test
    void theLatestNStayEvenWhenOld() throws Exception {
        append(OLD, OLD, OLD, OLD, OLD);
        assertEquals(2, prune(3));
        assertEquals(List.of(3L, 4L, 5L), kept());
    }

    @Test
    void theLatestNAndTheWindowTogether() throws Exception {
        append(OLD, OLD, OLD, OLD, NEW, NEW);
        assertEquals(2, prune(4), "keeping the latest 4 (3 to 6) is more than the window (5, 6)");
        assertEquals(List.of(3L, 4L, 5L, 6L), kept());
    }

    @Test
    void afterAClockWentBackOlderEventsWithHigherIdsWaitForTheOnesBeforeThem() throws Exception {
        append(OLD, NEW, OLD, OLD, NEW);
        assertEquals(1, prune(0), "only the event before the first one inside the window");
        assertEquals(List.of(2L, 3L, 4L, 5L), kept());
    }

    @Test
    void nothingInsideTheWindowNothingPruned() throws Exception {
        append(NEW, NEW, NEW);
        assertEquals(0, prune(0));
        assertEquals(List.of(1L, 2L, 3L), kept());
    }

    @Test
    void anEmptyOutboxIsNoError() throws Exception {
        assertEquals(0, prune(0));
        assertEquals(List.of(), kept());
    }
}
