package dev.atlas.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.atlas.db.Database;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What {@link EventLog.Appender} writes at each commit ({@link EventLog.Appender#beforeCommit}, outside the
 * persistence context) is what {@link EventLog#readAfter} reads back, field for field, whatever the text (quotes,
 * backslashes, braces, the word NULL, every plane, long data) and however many events; the sequence row carries the
 * ids handed out; a rolled-back transaction leaves neither. Subclasses choose the database.
 */
abstract class EventLogWriteContract {
    static final String W1 = "0x" + "1".repeat(40);
    static final String W2 = "0x" + "2".repeat(40);

    final EventLog log = new EventLog();
    Database db;

    abstract Database open();

    /** After the database is closed: what the subclass set up for it goes. */
    void dispose() {
    }

    @BeforeEach
    void start() {
        db = open();
    }

    @AfterEach
    void stop() {
        try {
            db.close();
        } finally {
            dispose();
        }
    }

    /** Appends events with these data texts (wallets and types varied) in one committed transaction. */
    List<TaskEvent> commit(String... data) {
        return db.inTransaction(em -> {
            EventLog.Appender a = log.begin(em);
            List<TaskEvent> out = new ArrayList<>();
            for (int i = 0; i < data.length; i++) {
                EventType type = EventType.values()[i % EventType.values().length];
                String wallet = i % 3 == 0 ? null : i % 3 == 1 ? W1 : "NULL";
                String previous = i % 2 == 0 ? null : W2;
                out.add(a.append(type, 100 + i, wallet, previous, data[i]));
            }
            a.beforeCommit();
            return out;
        });
    }

    List<TaskEvent> readAfter(long id) {
        return db.read(em -> log.readAfter(em, id, 10_000));
    }

    @Test
    void whatIsAppendedIsReadBackFieldForField() {
        List<TaskEvent> written = commit(
                "{}",
                "{\"title\":\"quote \\\" backslash \\\\ comma , braces {} NULL\"}",
                "{\"t\":\"\u00e9\u4e2d\ud83d\ude00\udbff\udfff\"}",
                "",
                "{\"description\":\"line\\nbreak\\ttab\"}",
                "{\"x\":\"" + "long ".repeat(20_000) + "\"}");
        assertEquals(written, readAfter(0));
        assertEquals(6L, (long) db.read(em -> log.lastEventId(em)));
    }

    @Test
    void manyEventsInOneTransactionKeepTheirOrderAndOneTimestamp() {
        String[] data = new String[500];
        for (int i = 0; i < data.length; i++) {
            data[i] = "{\"n\":" + i + "}";
        }
        List<TaskEvent> written = commit(data);
        List<TaskEvent> read = readAfter(0);
        assertEquals(written, read);
        assertEquals(1, read.stream().map(TaskEvent::timestamp).distinct().count(), "one timestamp per transaction");
        assertEquals(List.of(1L, 500L), List.of(read.get(0).id(), read.get(499).id()));
    }

    @Test
    void idsContinueFromTheSequenceRowAcrossTransactions() {
        commit("{}", "{}");
        List<TaskEvent> next = commit("{\"second\":1}");
        assertEquals(3, next.get(0).id());
        assertEquals(next, readAfter(2));
    }

    @Test
    void taskIdsHandedOutWithoutEventsAreWrittenToo() {
        long first = db.inTransaction(em -> {
            EventLog.Appender a = log.begin(em);
            long id = a.nextTaskId();
            a.nextTaskId();
            a.beforeCommit();
            return id;
        });
        long after = db.inTransaction(em -> {
            EventLog.Appender a = log.begin(em);
            long id = a.nextTaskId();
            a.beforeCommit();
            return id;
        });
        assertEquals(first + 2, after, "both ids of the first transaction stay taken");
        assertEquals(List.of(), readAfter(0));
    }

    @Test
    void aRolledBackTransactionLeavesNoEventAndItsIdsAreHandedOutAgain() {
        commit("{\"kept\":1}");
        assertThrows(IllegalStateException.class, () -> db.inTransaction(em -> {
            EventLog.Appender a = log.begin(em);
            a.append(EventType.TASK_CREATED, 1, null, null, "{\"lost\":1}");
            a.beforeCommit();
            throw new IllegalStateException("the unit fails after the outbox was written");
        }));
        List<TaskEvent> next = commit("{\"next\":1}");
        assertEquals(2, next.get(0).id(), "the rolled-back id is handed out again");
        assertEquals(List.of("{\"kept\":1}", "{\"next\":1}"), readAfter(0).stream().map(TaskEvent::dataJson).toList());
    }

    @Test
    void aTransactionWithNothingAppendedWritesNothing() {
        commit("{}");
        Instant before = readAfter(0).get(0).timestamp();
        db.inTransaction(em -> {
            log.begin(em).beforeCommit();
            return null;
        });
        assertEquals(1, readAfter(0).size());
        assertEquals(before, readAfter(0).get(0).timestamp());
        assertEquals(1L, (long) db.read(em -> log.lastEventId(em)));
    }
}
