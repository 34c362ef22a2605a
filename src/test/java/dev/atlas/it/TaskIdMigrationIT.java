package dev.atlas.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.atlas.config.AtlasConfig;
import dev.atlas.db.Database;
import dev.atlas.event.EventLog;
import dev.atlas.event.TaskEvent;
import dev.atlas.task.NewTask;
import dev.atlas.task.TaskRules;
import dev.atlas.task.TaskService;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Task ids from the locked {@code event_sequence} row (migrations V5, V6) on both databases: a database created by the
 * previous version keeps counting where its sequence stopped, so no id is handed out twice, not even a deleted task's;
 * and two nodes creating at once on one PostgreSQL hand out distinct ids, in commit order.
 */
class TaskIdMigrationIT {

    @Test
    void anH2DatabaseOfThePreviousVersionGoesOnFromItsSequence(@TempDir Path dir) throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("atlas") + ";DB_CLOSE_ON_EXIT=FALSE";
        org.h2.jdbcx.JdbcDataSource ds = new org.h2.jdbcx.JdbcDataSource();
        ds.setURL(url);
        goesOnFromItsSequence(ds, "NEXT VALUE FOR task_id_seq", Map.of("ATLAS_DB_URL", url));
    }

    @Test
    void aPostgresDatabaseOfThePreviousVersionGoesOnFromItsSequence() throws Exception {
        try (Postgres pg = new Postgres()) {
            // through Hikari, which loads the driver class itself (see Postgres#open: DriverManager may have none)
            com.zaxxer.hikari.HikariConfig hc = new com.zaxxer.hikari.HikariConfig();
            hc.setJdbcUrl(pg.jdbcUrl());
            hc.setUsername(Postgres.USER);
            hc.setPassword(Postgres.PASSWORD);
            hc.setDriverClassName("org.postgresql.Driver");
            try (com.zaxxer.hikari.HikariDataSource ds = new com.zaxxer.hikari.HikariDataSource(hc)) {
                goesOnFromItsSequence(ds, "nextval('task_id_seq')", pg.settings());
            }
        }
    }

    /**
     * Builds the schema as the previous version left it (V4), creates tasks 1 to 3 from its sequence as that version
     * did and deletes task 3, then opens Atlas on it: the next task is 4, and the sequence is gone.
     */
    private static void goesOnFromItsSequence(DataSource ds, String nextval, Map<String, String> settings) throws Exception {
        Flyway.configure(TaskIdMigrationIT.class.getClassLoader()).dataSource(ds)
                .locations("classpath:db/migration").target("4").load().migrate();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            for (int i = 0; i < 3; i++) {
                s.executeUpdate("INSERT INTO task (id, title, status, priority, created_at, updated_at, version) VALUES ("
                        + "(SELECT " + nextval + "), 'before " + i + "', 'pending', 'normal', 0, 0, 1)");
            }
            assertEquals(1, s.executeUpdate("DELETE FROM task WHERE id = 3"));
        }

        Database db = Database.open(AtlasConfig.load(settings, null));
        try {
            TaskService tasks = new TaskService(db, new EventLog(), new TaskRules("^0x[0-9a-fA-F]{40}$"), e -> { });
            assertEquals(4, tasks.create(new NewTask("after", null, null, null, null)).id(),
                    "the id after the sequence's last, not after the highest id left");
            assertEquals(5, tasks.create(new NewTask("after 2", null, null, null, null)).id());
            tasks.writes().close();
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                assertThrows(SQLException.class, () -> s.executeQuery("SELECT " + nextval),
                        "the sequence is dropped: a node of the previous version cannot hand out ids");
            }
        } finally {
            db.close();
        }
    }

    @Test
    void twoNodesOnOnePostgresHandOutDistinctIdsInCommitOrder() throws Exception {
        try (Postgres pg = new Postgres()) {
            Map<Long, Long> eventOfTask = new ConcurrentHashMap<>();
            List<Database> dbs = new ArrayList<>();
            List<TaskService> nodes = new ArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                for (int n = 0; n < 2; n++) {
                    Database db = pg.database();
                    dbs.add(db);
                    nodes.add(new TaskService(db, new EventLog(), new TaskRules("^0x[0-9a-fA-F]{40}$"),
                            (TaskEvent e) -> eventOfTask.put(e.taskId(), e.id())));
                }
                List<Future<Long>> created = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    TaskService node = nodes.get(i % 2);
                    String title = "t" + i;
                    created.add(pool.submit(() -> node.create(new NewTask(title, null, null, null, null)).id()));
                }
                Map<Long, Integer> seen = new HashMap<>();
                for (Future<Long> f : created) {
                    seen.merge(f.get(), 1, Integer::sum);
                }
                assertEquals(200, seen.size(), "200 creations, 200 distinct ids");
                List<Long> ids = new ArrayList<>(seen.keySet());
                ids.sort(null);
                assertEquals(1L, ids.get(0));
                assertEquals(200L, ids.get(199), "no id skipped");
                for (int i = 1; i < ids.size(); i++) {
                    assertFalse(eventOfTask.get(ids.get(i)) < eventOfTask.get(ids.get(i - 1)),
                            "a task with a higher id was created by a later commit: task " + ids.get(i));
                }
                try (Connection c = pg.connect(); Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT COUNT(*), MAX(id) FROM task")) {
                    rs.next();
                    assertEquals(200, rs.getLong(1));
                    assertEquals(200, rs.getLong(2));
                }
            } finally {
                pool.shutdownNow();
                nodes.forEach(t -> t.writes().close());
                dbs.forEach(Database::close);
            }
        }
    }
}
