package dev.atlas.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.atlas.db.Database;
import dev.atlas.event.EventLog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every kind of change of a task goes through the one whole-row update statement ({@link TaskRowUpdate}) and leaves
 * exactly the row it should: the columns it changed, every other column as it was (created_at never written, a
 * description kept through starts and completes, cleared columns null). Subclasses choose the database.
 */
abstract class TaskRowUpdateContract {
    static final String W1 = "0x" + "1".repeat(40);
    static final String W2 = "0x" + "2".repeat(40);

    Database db;
    TaskService service;

    abstract Database open();

    /** After the database is closed: what the subclass set up for it goes. */
    void dispose() {
    }

    @BeforeEach
    void start() {
        db = open();
        service = new TaskService(db, new EventLog(), new TaskRules("^0x[0-9a-fA-F]{40}$"), e -> { });
    }

    @AfterEach
    void stop() {
        service.stop();
        db.close();
        dispose();
    }

    @Test
    void eachKindOfChangeWritesItsColumnsAndKeepsTheOthers() throws Exception {
        Instant due = Instant.parse("2027-01-02T03:04:05.678Z");
        TaskView a = service.create(new NewTask("a", "about a", W1, Priority.HIGH, due));
        TaskView b = service.create(new NewTask("b", null, null, null, null));
        long createdA = column(a.id(), "created_at");

        TaskView started = service.start(a.id());
        assertEquals(new TaskView(a.id(), "a", "about a", "in_progress", W1, "high", a.dueAt(), a.createdAt(),
                started.updatedAt(), started.updatedAt(), null, a.version() + 1), started);
        TaskView done = service.complete(a.id());
        assertEquals(new TaskView(a.id(), "a", "about a", "completed", W1, "high", a.dueAt(), a.createdAt(),
                done.updatedAt(), started.startedAt(), done.updatedAt(), a.version() + 2), done);

        TaskView edited = service.update(b.id(), new TaskChanges().title("b2").description("now described")
                .agentWallet(W2).priority(Priority.LOW).dueAt(due));
        assertEquals(new TaskView(b.id(), "b2", "now described", "pending", W2, "low", a.dueAt(), b.createdAt(),
                edited.updatedAt(), null, null, b.version() + 1), edited);
        TaskView cleared = service.update(b.id(), new TaskChanges().description(null).agentWallet(null).dueAt(null));
        assertEquals(new TaskView(b.id(), "b2", null, "pending", null, "low", null, b.createdAt(),
                cleared.updatedAt(), null, null, b.version() + 2), cleared);
        TaskView reassigned = service.update(a.id(), new TaskChanges().agentWallet(W2).description("about a, later"));
        assertEquals("about a, later", reassigned.description());
        assertEquals(W2, reassigned.agentWallet());
        assertEquals(done.completedAt(), reassigned.completedAt(), "an edit keeps the completion time");

        // what the database holds, read back by a new persistence context, is what the calls answered
        assertEquals(reassigned, service.get(a.id()));
        assertEquals(cleared, service.get(b.id()));
        assertEquals(createdA, column(a.id(), "created_at"), "created_at is never written");
        assertNull(columnObject(b.id(), "description"));
        assertNotEquals(0L, column(b.id(), "updated_at"));
    }

    long column(long id, String column) throws SQLException {
        return ((Number) columnObject(id, column)).longValue();
    }

    Object columnObject(long id, String column) throws SQLException {
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement s = c.prepareStatement("SELECT " + column + " FROM task WHERE id = ?")) {
            s.setLong(1, id);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getObject(1);
            }
        }
    }
}
