package dev.atlas.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.db.CacheLease;
import dev.atlas.db.Database;
import dev.atlas.it.Poll;
import dev.atlas.it.Postgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * {@link EventLogWriteContract} on PostgreSQL, where one statement inserts the events from arrays, writes the sequence
 * row and sends the NOTIFY: the notification carries the last id of each committed transaction that appended events,
 * and of no other. And the lock, with and without the write fence in its statement: a second writer waits for the
 * first to commit, then continues from its ids (the row read again after the wait); behind the fence, the
 * transaction's plans use no whole-table scan, even a generic one made on an empty table. A node alone on the database
 * (its lease held exclusively) notifies nobody, and notifies again while another node is there.
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
            payloads.addAll(notificationsSoFar(listener)); // a third would have arrived by now
            assertEquals(List.of("2", "3"), payloads);
        }
    }

    @Test
    void aNodeAloneOnTheDatabaseNotifiesNobodyUntilAnotherNodeHasJoined() throws Exception {
        log.notifyOnCommit(CHANNEL);
        CacheLease lease = db.cacheLease();
        Poll.until(() -> lease.mode() == 2, Duration.ofSeconds(30), "this node, alone, holds the cache lock exclusively");
        try (Connection listener = pg.connect()) {
            try (Statement s = listener.createStatement()) {
                s.execute("LISTEN " + CHANNEL);
            }
            commitFenced("{\"alone\":1}");
            assertEquals(List.of(), notificationsSoFar(listener), "alone: nobody to tell");

            Database other = pg.database(); // another node starts: this one hands its exclusive hold over
            try {
                Poll.until(() -> lease.mode() == 1 && other.cacheLease().mode() == 1, Duration.ofSeconds(30),
                        "both nodes hold the lock shared");
                long joined = commitFenced("{\"joined\":1}");
                PGNotification[] got = listener.unwrap(PGConnection.class).getNotifications(10_000);
                assertTrue(got != null && got.length == 1, "one notification once another node has joined");
                assertEquals(Long.toString(joined), got[0].getParameter());
                assertEquals(List.of(), notificationsSoFar(listener));
            } finally {
                other.close();
            }
            Poll.until(() -> lease.mode() == 2, Duration.ofSeconds(30),
                    "this node, alone again, holds the lock exclusively again");
            commitFenced("{\"alone again\":1}");
            assertEquals(List.of(), notificationsSoFar(listener), "alone again: nobody to tell");
        }
    }

    /** One event committed behind the write fence, as group commit writes; answers its id. */
    private long commitFenced(String data) {
        return db.inTransaction(em -> {
            EventLog.Appender a = log.begin(em, db.cacheLease().pass());
            long id = a.append(EventType.TASK_CREATED, 1, null, null, data).id();
            a.beforeCommit();
            return id;
        });
    }

    /** The payloads of the notifications that arrived on {@code listener} so far, without waiting for more. */
    private static List<String> notificationsSoFar(Connection listener) throws Exception {
        // The connection answers in order: once this query returns, a notification of an earlier commit has arrived.
        try (Statement s = listener.createStatement()) {
            s.execute("SELECT 1");
        }
        List<String> payloads = new ArrayList<>();
        PGNotification[] got = listener.unwrap(PGConnection.class).getNotifications();
        if (got != null) {
            for (PGNotification n : got) {
                payloads.add(n.getParameter());
            }
        }
        return payloads;
    }

    @Test
    void aSecondWriterWaitsForTheRowThenContinuesFromTheFirstsIds() throws Exception {
        secondWriterWaits(false);
    }

    @Test
    void soDoesOneBehindTheWriteFence() throws Exception {
        secondWriterWaits(true);
    }

    private EventLog.Appender begin(jakarta.persistence.EntityManager em, boolean fenced) {
        return fenced ? log.begin(em, db.cacheLease().pass()) : log.begin(em);
    }

    private void secondWriterWaits(boolean fenced) throws Exception {
        long before = commit("{\"before\":1}").get(0).id();
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        int[] firstPid = new int[1];
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Long> first = pool.submit(() -> db.inTransaction(em -> {
                EventLog.Appender a = begin(em, fenced);
                long id = a.append(EventType.TASK_CREATED, 1, null, null, "{}").id();
                a.beforeCommit();
                firstPid[0] = backendPid(em.unwrap(Connection.class));
                locked.countDown();
                try {
                    assertTrue(release.await(30, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return id;
            }));
            assertTrue(locked.await(30, TimeUnit.SECONDS));
            Future<Long> second = pool.submit(() -> db.inTransaction(em -> {
                EventLog.Appender a = begin(em, fenced);
                long id = a.append(EventType.TASK_ASSIGNED, 2, null, null, "{}").id();
                a.beforeCommit();
                return id;
            }));
            try (Connection watcher = pg.connect();
                 PreparedStatement blocked = watcher.prepareStatement(
                         "SELECT count(*) FROM pg_stat_activity WHERE ? = ANY(pg_blocking_pids(pid))")) {
                blocked.setInt(1, firstPid[0]);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (true) {
                    try (ResultSet r = blocked.executeQuery()) {
                        r.next();
                        if (r.getInt(1) > 0) {
                            break;
                        }
                    }
                    assertTrue(System.nanoTime() < deadline, "the second writer never waited for the first");
                }
            }
            assertFalse(second.isDone(), "the second writer waits for the row");
            release.countDown();
            assertEquals(before + 1, first.get(30, TimeUnit.SECONDS));
            assertEquals(before + 2, second.get(30, TimeUnit.SECONDS), "continued from the first's ids, read after the wait");
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    private static int backendPid(Connection c) {
        try (Statement st = c.createStatement(); ResultSet r = st.executeQuery("SELECT pg_backend_pid()")) {
            r.next();
            return r.getInt(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aWriteTransactionBehindTheFencePlansNoWholeTableScanEvenOnASmallTable() {
        // A generic plan, as a server-prepared statement keeps after five runs, made while task is empty.
        String explain = "EXPLAIN EXECUTE load_tasks('{1,2,3}')";
        String outside = db.inTransaction(em -> plan(em.unwrap(Connection.class), explain));
        assertTrue(outside.contains("Seq Scan"), "the trap, without the setting: " + outside);
        String inside = db.inTransaction(em -> {
            log.begin(em, db.cacheLease().pass());
            return plan(em.unwrap(Connection.class), explain);
        });
        assertFalse(inside.contains("Seq Scan"), inside);
        assertTrue(inside.contains("Index"), inside);
        assertEquals("on", db.inTransaction(em -> plan(em.unwrap(Connection.class), "SHOW enable_seqscan")).trim(),
                "only for that transaction");
    }

    private static String plan(Connection c, String sql) {
        try (Statement st = c.createStatement()) {
            st.execute("SET LOCAL plan_cache_mode = force_generic_plan");
            st.execute("PREPARE load_tasks(bigint[]) AS SELECT * FROM task WHERE id = ANY($1)");
            StringBuilder out = new StringBuilder();
            try (ResultSet r = st.executeQuery(sql)) {
                while (r.next()) {
                    out.append(r.getString(1)).append('\n');
                }
            }
            st.execute("DEALLOCATE load_tasks");
            return out.toString();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
