package dev.atlas.task;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.atlas.config.AtlasConfig;
import dev.atlas.db.Database;
import dev.atlas.event.EventLog;
import dev.atlas.it.Postgres;
import java.sql.Connection;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The batch's task load ({@link TaskService#loadTasks}) reads its tasks by index on a table that grew after the load
 * first ran, with no ANALYZE in between (autovacuum off): a statement prepared while the table was small must not
 * keep a sequential scan. Observed through the transaction's own statistics ({@code pg_stat_xact_user_tables}), on
 * a pool of one connection, the one that ran the load while the table was small; each load in a write transaction as
 * group commit runs it, after the event lock and the write fence (which turn whole-table scans off for the transaction).
 */
class TaskLoadPlanPostgresIT {
    @Test
    void aLoadFirstRunOnASmallTableStillUsesTheIndexOnceTheTableHasGrown() throws Exception {
        try (Postgres pg = new Postgres()) {
            Map<String, String> settings = new HashMap<>(pg.settings());
            settings.put("ATLAS_DB_POOL_SIZE", "2"); // Flyway needs two; the test thread keeps getting the one it used last
            Database db = Database.open(AtlasConfig.load(settings, null));
            try {
                EventLog log = new EventLog();
                TaskService service = new TaskService(db, log, new TaskRules("^0x[0-9a-fA-F]{40}$"), e -> { });
                List<Object> ids = List.of(service.create(new NewTask("a", null, null, null, null)).id(),
                        service.create(new NewTask("b", null, null, null, null)).id(),
                        service.create(new NewTask("c", null, null, null, null)).id());
                for (int i = 0; i < 10; i++) {
                    sequentialScansOfTask(db, log, service, ids); // more than five runs: the plan is settled
                }
                try (Connection c = pg.connect(); Statement s = c.createStatement()) {
                    s.executeUpdate("INSERT INTO task (id, title, description, status, agent_wallet, priority, due_at,"
                            + " created_at, updated_at, started_at, completed_at, version)"
                            + " SELECT g, title, description, status, agent_wallet, priority, due_at, created_at,"
                            + " updated_at, started_at, completed_at, version"
                            + " FROM task, generate_series(1000, 100000) g WHERE task.id = " + ids.get(0));
                }
                assertEquals(0L, sequentialScansOfTask(db, log, service, ids), "the grown table is read by index");
            } finally {
                db.close();
            }
        }
    }

    /** Runs the load in a write transaction and answers how many sequential scans of {@code task} the load made. */
    private static long sequentialScansOfTask(Database db, EventLog log, TaskService service, List<Object> ids) {
        return db.inTransaction(em -> {
            log.begin(em, db.cacheLease().pass());
            // the backend's counts not yet reported (this transaction's and maybe earlier ones'): compare before and after
            long before = sequentialScans(em);
            service.loadTasks(em, ids);
            return sequentialScans(em) - before;
        });
    }

    private static long sequentialScans(jakarta.persistence.EntityManager em) {
        return ((Number) em.createNativeQuery("SELECT seq_scan FROM pg_stat_xact_user_tables WHERE relid = 'task'::regclass")
                .getSingleResult()).longValue();
    }
}
