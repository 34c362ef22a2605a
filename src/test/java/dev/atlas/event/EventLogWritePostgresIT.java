package dev.atlas.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.atlas.db.Database;
import dev.atlas.it.Postgres;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * {@link EventLogWriteContract} on PostgreSQL, where one statement inserts the events from arrays, writes the sequence
 * row and sends the NOTIFY: the notification carries the last id of each committed transaction that appended events,
 * and of no other.
 */
class EventLogWritePostgresIT extends EventLogWriteContract {
    private static final String CHANNEL = "atlas_event_log_it";
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
    void eachCommitThatAppendsNotifiesItsLastIdOnceAndNoOtherDoes() throws Exception {
        log.notifyOnCommit(CHANNEL);
        try (Connection listener = pg.connect()) {
            try (Statement s = listener.createStatement()) {
                s.execute("LISTEN " + CHANNEL);
            }
            commit("{\"a\":1}", "{\"a\":2}");
            db.inTransaction(em -> { // task ids only: nothing for another node to read
                EventLog.Appender a = log.begin(em);
                a.nextTaskId();
                a.beforeCommit();
                return null;
            });
            assertThrows(IllegalStateException.class, () -> db.inTransaction(em -> {
                EventLog.Appender a = log.begin(em);
                a.append(EventType.TASK_CREATED, 1, null, null, "{}");
                a.beforeCommit();
                throw new IllegalStateException("rolled back: its NOTIFY is never delivered");
            }));
            commit("{\"b\":1}");
            List<String> payloads = new ArrayList<>();
            PGConnection pgListener = listener.unwrap(PGConnection.class);
            while (payloads.size() < 2) {
                PGNotification[] got = pgListener.getNotifications(10_000);
                if (got == null || got.length == 0) {
                    break;
                }
                for (PGNotification n : got) {
                    payloads.add(n.getParameter());
                }
            }
            // The connection answers in order: once this query returns, a third notification would have arrived.
            try (Statement s = listener.createStatement()) {
                s.execute("SELECT 1");
            }
            PGNotification[] more = pgListener.getNotifications();
            if (more != null) {
                for (PGNotification n : more) {
                    payloads.add(n.getParameter());
                }
            }
            assertEquals(List.of("2", "3"), payloads);
        }
    }
}
