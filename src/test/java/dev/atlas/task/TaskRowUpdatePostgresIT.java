package dev.atlas.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.atlas.db.Database;
import dev.atlas.it.Postgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@link TaskRowUpdateContract} on PostgreSQL, and why the whole-row update leaves {@code description} alone when it
 * did not change: a long description is stored out of line (TOAST), and writing the same text again would store a
 * new copy at every start and complete.
 */
class TaskRowUpdatePostgresIT extends TaskRowUpdateContract {
    private Postgres pg;

    @Override
    Database open() {
        pg = new Postgres();
        return pg.database();
    }

    @Override
    void dispose() {
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void aLongDescriptionIsStoredOnceThroughStartsCompletesAndOtherEdits() throws Exception {
        StringBuilder text = new StringBuilder();
        Random random = new Random(17);
        String letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        while (text.length() < 9_000) {
            text.append(letters.charAt(random.nextInt(letters.length())));
        }
        TaskView t = service.create(new NewTask("long", text.toString(), null, null, null));
        Set<Long> stored = outOfLineValues();
        assertFalse(stored.isEmpty(), "a 9,000-character description is stored out of line");

        service.start(t.id());
        service.update(t.id(), new TaskChanges().title("long, renamed").agentWallet(W1));
        service.complete(t.id());
        assertEquals(stored, outOfLineValues(), "the same out-of-line value, not a new copy per change");
        assertEquals(text.toString(), service.get(t.id()).description());

        service.update(t.id(), new TaskChanges().description(text.reverse().toString()));
        assertNotEquals(stored, outOfLineValues(), "a changed description is a new value");
        assertEquals(text.toString(), service.get(t.id()).description());
    }

    /** The ids of the out-of-line values the task table's live rows hold. */
    private Set<Long> outOfLineValues() throws SQLException {
        Set<Long> ids = new TreeSet<>();
        try (Connection c = pg.connect(); Statement s = c.createStatement()) {
            String toast;
            try (ResultSet r = s.executeQuery("SELECT reltoastrelid::regclass FROM pg_class WHERE oid = 'task'::regclass")) {
                r.next();
                toast = r.getString(1);
            }
            try (ResultSet r = s.executeQuery("SELECT DISTINCT chunk_id FROM " + toast)) {
                while (r.next()) {
                    ids.add(r.getLong(1));
                }
            }
        }
        return ids;
    }
}
