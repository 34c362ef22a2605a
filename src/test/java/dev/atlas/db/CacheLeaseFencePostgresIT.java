package dev.atlas.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.event.EventLog;
import dev.atlas.event.EventType;
import dev.atlas.it.Postgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The cache lease's write fence, statement by statement, against a session that stands for another node: while that
 * session holds the lock exclusively, a write transaction passes the fence only when it names that session as its own
 * node's and the session holds its token; a transaction that passed holds off the exclusive hold and the barrier until
 * it ends; a node that cannot confirm its lease refuses writes as the database being unavailable (a 503), then writes
 * again once it can; and a write whose node lost its lease session to another node's exclusive hold is refused by the
 * fence inside the event sequence's lock, having changed nothing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CacheLeaseFencePostgresIT {

    private static int key(Connection c) throws SQLException {
        return queryInt(c, CacheLease.KEY_SQL);
    }

    private static int tokenKey(Connection c) throws SQLException {
        return queryInt(c, CacheLease.TOKEN_KEY_SQL);
    }

    private static int queryInt(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getInt(1);
        }
    }

    private static boolean queryBool(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getBoolean(1);
        }
    }

    /** Runs the fence in a new transaction on {@code c} (left open) naming {@code pid} as this node's lease session. */
    private static boolean fence(Connection c, int key, int pid) throws SQLException {
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement(CacheLease.fenceSql(key, tokenKey(c)))) {
            ps.setInt(1, pid);
            try (ResultSet r = ps.executeQuery()) {
                r.next();
                return r.getBoolean(1);
            }
        }
    }

    @Test
    void theFencePassesOnlyTheExclusiveHoldersOwnNodeAndHoldsOffTheOthers() throws Exception {
        try (Postgres pg = new Postgres(); Connection holder = pg.connect(); Connection writer = pg.connect()) {
            int key = key(holder);
            int holderPid = queryInt(holder, "SELECT pg_backend_pid()");

            assertTrue(fence(writer, key, 0), "nobody holds the lock: any node may write");
            assertFalse(queryBool(holder, "SELECT pg_try_advisory_lock(" + key + ", 1)"),
                    "a write transaction that passed the fence keeps every node from holding the lock exclusively");
            assertFalse(queryBool(holder, "SELECT pg_try_advisory_lock(" + key + ", 2)"),
                    "and from passing the barrier until it ends");
            writer.commit();

            assertTrue(queryBool(holder, "SELECT pg_try_advisory_lock(" + key + ", 1)"), "the other node holds it now");
            assertFalse(fence(writer, key, 0), "a node whose own session does not hold it may not write");
            writer.rollback();
            assertFalse(fence(writer, key, holderPid + 100_000), "nor one naming another session");
            writer.rollback();
            assertFalse(fence(writer, key, holderPid), "nor the holder's own node while its session has no token");
            writer.rollback();
            assertTrue(queryBool(holder, "SELECT pg_try_advisory_lock(" + tokenKey(holder) + ", " + holderPid + ")"),
                    "no write transaction holds the token after its refusal");
            assertTrue(fence(writer, key, holderPid), "the holder's own node writes once its session holds the token");
            assertFalse(queryBool(holder, "SELECT pg_try_advisory_lock(" + key + ", 2)"),
                    "and its write holds off the barrier of a node that would take the lock after it");
            writer.commit();
            assertTrue(queryBool(holder, "SELECT pg_try_advisory_lock(" + key + ", 2)"));
        }
    }

    @Test
    void aNodeThatCannotTakeTheLeaseRefusesWritesAsUnavailableThenWritesOnceItCan() throws Exception {
        try (Postgres pg = new Postgres(); Connection other = pg.connect()) {
            int key = key(other);
            // Another node that holds the lock exclusively and never hands it over (say, of an older version).
            assertTrue(queryBool(other, "SELECT pg_try_advisory_lock(" + key + ", 1)"));
            Database db = pg.database();
            try {
                CacheLease lease = db.cacheLease();
                assertTrue(lease.sessionPid() == 0, "no lease while the other node holds the lock exclusively");
                RuntimeException refused = assertThrows(RuntimeException.class,
                        () -> db.inTransaction(em -> {
                            new EventLog().begin(em, lease.pass());
                            return null;
                        }));
                assertTrue(Database.isUnavailable(refused), "a 503, as for an unreachable database: " + refused);
                assertTrue(lease.refusals() > 0);

                queryBool(other, "SELECT pg_advisory_unlock(" + key + ", 1)");
                db.inTransaction(em -> {
                    new EventLog().begin(em, lease.pass()); // waits for the lease and its grace, then passes
                    return null;
                });
                assertTrue(lease.sessionPid() != 0);
            } finally {
                db.close();
            }
        }
    }

    @Test
    void aWriteWhoseLeaseSessionWasLostToAnotherNodesExclusiveHoldIsRefusedInsideTheLockAndChangesNothing() throws Exception {
        try (Postgres pg = new Postgres(); Connection other = pg.connect()) {
            int key = key(other);
            Database db = pg.database();
            try {
                CacheLease lease = db.cacheLease();
                EventLog log = new EventLog();
                long first = db.inTransaction(em -> { // this node alone: its session holds the lock exclusively
                    EventLog.Appender a = log.begin(em, lease.pass());
                    long id = a.append(EventType.TASK_CREATED, 1, null, null, "{}").id();
                    a.beforeCommit();
                    return id;
                });
                CacheLease.Pass stale = lease.pass();
                int lost = lease.sessionPid();
                // The session dies (its locks, the token with them, go at once) and another node takes the lock
                // exclusively before this node has noticed: its lease is still within its validity.
                assertTrue(queryBool(other, "SELECT pg_terminate_backend(" + lost + ")"));
                try (Statement st = other.createStatement()) {
                    st.execute("SELECT pg_advisory_lock(" + key + ", 1)");
                }
                RuntimeException refused = assertThrows(RuntimeException.class, () -> db.inTransaction(em -> {
                    log.begin(em, stale);
                    return null;
                }));
                assertTrue(Database.isUnavailable(refused), "a 503, as for an unreachable database: " + refused);
                StringBuilder messages = new StringBuilder();
                for (Throwable t = refused; t != null; t = t.getCause()) {
                    messages.append(t.getMessage()).append(" / ");
                }
                assertTrue(messages.toString().contains("Another node holds the cache lock exclusively"),
                        "refused by the fence: " + messages);
                long next = db.inTransaction(em -> { // the row was not left locked; no id was taken
                    EventLog.Appender a = log.begin(em);
                    long id = a.append(EventType.TASK_CREATED, 2, null, null, "{}").id();
                    a.beforeCommit();
                    return id;
                });
                assertEquals(first + 1, next);
            } finally {
                db.close();
            }
        }
    }
}
