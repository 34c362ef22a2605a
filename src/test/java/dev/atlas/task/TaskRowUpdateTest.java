package dev.atlas.task;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.atlas.config.AtlasConfig;
import dev.atlas.db.Database;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** {@link TaskRowUpdateContract} on H2, and the point of it: one update statement text for every kind of change. */
class TaskRowUpdateTest extends TaskRowUpdateContract {
    @Override
    Database open() {
        String url = "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        return Database.open(AtlasConfig.load(Map.of("ATLAS_DB_URL", url), null));
    }

    @Test
    void startsCompletesAndEditsAllRunTheSameUpdateStatement() throws Exception {
        TaskView a = service.create(new NewTask("a", "about a", null, null, null));
        TaskView b = service.create(new NewTask("b", null, null, null, null));
        execute("SET QUERY_STATISTICS TRUE");

        service.start(a.id());
        service.start(b.id());
        service.complete(b.id());
        service.update(a.id(), new TaskChanges().title("a2"));
        service.update(a.id(), new TaskChanges().agentWallet(W1).dueAt(java.time.Instant.now()));
        service.update(a.id(), new TaskChanges().description(null));

        List<String> updates = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT SQL_STATEMENT, EXECUTION_COUNT FROM INFORMATION_SCHEMA.QUERY_STATISTICS")) {
            while (r.next()) {
                if (r.getString(1).trim().toUpperCase(java.util.Locale.ROOT).startsWith("UPDATE TASK ")) {
                    updates.add(r.getString(1) + " x" + r.getInt(2));
                }
            }
        }
        assertEquals(1, updates.size(), "one statement for six changes of four kinds: " + updates);
        assertEquals(true, updates.get(0).endsWith(" x6"), updates.get(0));
        String sql = updates.get(0).toLowerCase(java.util.Locale.ROOT);
        for (String column : List.of("title", "status", "agent_wallet", "priority", "due_at", "updated_at", "started_at",
                "completed_at", "version")) {
            assertEquals(true, sql.contains(" " + column + " = ?"), column + " is written: " + sql);
        }
        assertEquals(true, sql.contains("description = case when description is not distinct from ?"), sql);
        assertEquals(false, sql.contains("created_at"), "created_at is never written: " + sql);
        assertEquals(true, sql.contains(" where id = ?"), sql);
    }

    private void execute(String sql) throws Exception {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql); // the pool's connections commit each statement
        }
    }
}
