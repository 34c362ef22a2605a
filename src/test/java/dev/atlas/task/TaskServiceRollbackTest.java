package dev.atlas.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.config.AtlasConfig;
import dev.atlas.db.Database;
import dev.atlas.event.EventLog;
import dev.atlas.event.EventType;
import dev.atlas.event.TaskEvent;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The service against a real (in-memory) H2 database: events are published only after commit, and a
 * change that fails in the database publishes nothing and leaves no row and no used event id behind.
 */
class TaskServiceRollbackTest {
    private Database db;
    private TaskService service;
    private final List<TaskEvent> published = new CopyOnWriteArrayList<>();

    @BeforeEach
    void open() {
        String url = "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        db = Database.open(AtlasConfig.load(Map.of("ATLAS_DB_URL", url), null));
        service = new TaskService(db, new EventLog(), new TaskRules("^0x[0-9a-fA-F]{40}$"), published::add);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void aFailedCommitPublishesNothingAndKeepsTheSequence() throws Exception {
        service.create(new NewTask("first", null, null, null, null));
        assertEquals(1, published.size());
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE task_event ADD CONSTRAINT no_boom CHECK (data NOT LIKE '%boom%')");
            c.commit();
        }
        assertThrows(RuntimeException.class, () -> service.create(new NewTask("boom", null, null, null, null)));
        assertEquals(1, published.size(), "nothing published for the rolled-back change");
        assertEquals(1, service.list(new TaskQuery(null, null, null, 50)).items().size(), "no task row");

        service.create(new NewTask("second", null, null, null, null));
        assertEquals(2, published.size());
        assertEquals(2, published.get(1).id(), "the rolled-back change used no event id");
    }

    @Test
    void eventsArePublishedAfterCommitInOrder() {
        TaskView t = service.create(new NewTask("a", null, "0x" + "A".repeat(40), Priority.HIGH, null));
        assertEquals(List.of(EventType.TASK_CREATED, EventType.TASK_ASSIGNED),
                published.stream().map(TaskEvent::type).toList());
        assertEquals("0x" + "a".repeat(40), t.agentWallet());
        // each published event is already visible to a fresh transaction: it was committed first
        long last = db.read(em -> new EventLog().lastEventId(em));
        assertEquals(published.get(published.size() - 1).id(), last);
        assertTrue(published.get(0).id() < published.get(1).id());
    }

    @Test
    void aFailingPublisherDoesNotFailTheCommittedChange() {
        TaskService exploding = new TaskService(db, new EventLog(), new TaskRules("^0x[0-9a-fA-F]{40}$"), e -> {
            throw new IllegalStateException("push is down");
        });
        TaskView t = exploding.create(new NewTask("kept", null, null, null, null));
        assertEquals("kept", service.get(t.id()).title());
    }
}
