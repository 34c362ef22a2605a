package dev.atlas.event;

import dev.atlas.db.CacheLease;
import dev.atlas.db.GroupCommit;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.PGConnection;

/**
 * The outbox: appends events inside the writer's transaction, and reads them back (gap filling, replay).
 *
 * <p>Ordering: {@link #begin} locks the single {@code event_sequence} row ({@code SELECT … FOR UPDATE})
 * and holds the lock until the caller's transaction ends. Writers are therefore serialized from that
 * point to commit, so event ids are assigned in commit order on every node sharing the database, and a
 * reader that sees id N has already been able to see every id below it. This is the "serialize id
 * assignment until commit" answer to the outbox ordering trap in DESIGN.md.
 *
 * <p>The row holds the last event id and the last task id handed out. Task ids come from it rather than from a
 * database sequence (migration V5): the row is already locked and read by every writing transaction and written at
 * its commit, so an id costs no statement, and ids are handed out in commit order on every node. It is read and written
 * over the transaction's JDBC connection, not through an entity: EclipseLink's locking {@code find} cost the serialized
 * write section more than the statement itself (docs/benchmarks.md, twenty-third session).
 *
 * <p>Safe from any thread; its state is the notify channel and the fenced lock statement last made (volatile).
 */
@ApplicationScoped
public class EventLog {
    /** The PostgreSQL channel told of new events at each commit that appends some; null: none (H2, or switched off). */
    private volatile String notifyChannel;

    /**
     * From now on every transaction that appends events also sends {@code NOTIFY <channel>, '<last id>'} once,
     * just before its commit: PostgreSQL delivers it to the listeners of every node when, and only if, the
     * transaction commits. A hint for other nodes to read the outbox, never the data.
     *
     * <p>Except while its node is alone on the database ({@link CacheLease.Pass#alone}: the pass it was fenced with
     * found the lease held exclusively): there is no other node to tell then, and the notification would only cost
     * PostgreSQL's notification queue at the commit, inside the serialized write section, and this node's own listener
     * waking for nothing (docs/benchmarks.md, twenty-fourth session). A node that starts meanwhile reads the outbox
     * once its listener is connected, and by the poll until the hand-over, a fraction of a second later: a
     * notification is a hint, and a missing one costs latency, never an event.
     */
    public void notifyOnCommit(String channel) {
        this.notifyChannel = channel;
    }

    /** The single row of {@code event_sequence}. */
    static final int ROW = 1;
    private static final String LOCK = "SELECT last_id, last_task_id FROM event_sequence WHERE id = ? FOR UPDATE";
    /**
     * The lock, after the write fence's query in the same statement (PostgreSQL, where every write transaction has the
     * fence): its one-row subquery is kept apart ({@code OFFSET 0}) and the row is locked above the join, so the fence
     * has run when the lock is taken, as when they were two statements; a wait for the row re-reads the row, never the
     * fence (its row is copied).
     *
     * <p>It also turns whole-table scans off for the rest of the transaction ({@code set_config(…, true)}, no round trip
     * of its own): a write transaction reads rows by key only, and a server-prepared statement keeps the plan it first
     * settles on for the connection's life; made while a table was small, that plan would be a sequential scan, kept
     * as the table grows. A statement with no other way still scans.
     */
    private static final String FENCED_LOCK = "SELECT s.last_id, s.last_task_id, f.allowed,"
            + " set_config('enable_seqscan', 'off', true) FROM (%s OFFSET 0) AS f(allowed)"
            + " CROSS JOIN event_sequence s WHERE s.id = ? FOR UPDATE OF s";

    /** The fence query the lock's statement was last made for, with that statement; it changes when the lease's session does. */
    private record Fenced(String fence, String sql) {
    }

    private volatile Fenced fenced;

    /** {@link #FENCED_LOCK} around {@code fence}, made once per fence query rather than for every write transaction. */
    private String fencedLock(String fence) {
        Fenced f = fenced;
        if (f == null || !f.fence().equals(fence)) {
            f = new Fenced(fence, FENCED_LOCK.formatted(fence));
            fenced = f;
        }
        return f.sql();
    }

    /**
     * Takes the write lock for this transaction. Call it first in a writing transaction, before reading
     * the rows it changes, so that the change is computed from the latest committed state.
     */
    public Appender begin(EntityManager em) {
        return begin(em, null);
    }

    /**
     * The same, after the cache lease's write fence ({@code pass}, null: none) in the same statement, one round trip
     * inside the serialized write section where they were two: it throws the fence's exception (a 503) when the write
     * may not go on, and the transaction, which has changed nothing, must roll back.
     */
    public Appender begin(EntityManager em, CacheLease.Pass pass) {
        Connection c = em.unwrap(Connection.class); // the transaction's, held until it ends
        if (c == null) {
            throw new IllegalStateException("EventLog.begin must be called inside a transaction");
        }
        long lastId;
        long lastTaskId;
        boolean allowed = true;
        try (PreparedStatement ps = c.prepareStatement(pass == null ? LOCK : fencedLock(pass.query()))) {
            int at = 1;
            if (pass != null) {
                pass.bind(ps, at++);
            }
            ps.setInt(at, ROW);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("event_sequence row missing: the schema was not migrated");
                }
                lastId = rs.getLong(1);
                lastTaskId = rs.getLong(2);
                if (pass != null) {
                    allowed = rs.getBoolean(3);
                }
            }
        } catch (SQLException e) {
            throw new PersistenceException(pass == null ? "Locking the event sequence failed"
                    : "The write fence and the event sequence's lock failed", e);
        }
        if (pass != null) {
            pass.verify(allowed);
        }
        return new Appender(em, c, lastId, lastTaskId, pass != null && pass.alone() ? null : notifyChannel);
    }

    /** The id of the last committed event, 0 when there is none. */
    public long lastEventId(EntityManager em) {
        Long max = em.createQuery("SELECT MAX(e.id) FROM EventRecord e", Long.class).getSingleResult();
        return max == null ? 0 : max;
    }

    /** The id of the oldest event still kept, 0 when there is none. */
    public long oldestEventId(EntityManager em) {
        Long min = em.createQuery("SELECT MIN(e.id) FROM EventRecord e", Long.class).getSingleResult();
        return min == null ? 0 : min;
    }

    /**
     * Deletes the events that come before the first one (in id order) created at or after {@code cutoff}, but
     * never the latest {@code keepLatest}. Returns how many were deleted. Call it in a transaction.
     *
     * <p>By id, not by each event's time: the outbox needs no index on {@code created_at} (migration V6), and the
     * query that finds the first event to keep walks the primary key from the oldest event kept and stops at it,
     * reading about as many rows as it deletes. Ids follow commit order; should a clock have gone back, an older
     * event with a higher id is kept until the ones before it go: retention keeps at least its window, never less.
     */
    public int prune(EntityManager em, Instant cutoff, long keepLatest) {
        long keepFrom = lastEventId(em) - keepLatest;
        if (keepFrom <= 0) {
            return 0;
        }
        List<Long> firstKept = em.createQuery(
                        "SELECT e.id FROM EventRecord e WHERE e.createdAt >= :cutoff ORDER BY e.id", Long.class)
                .setParameter("cutoff", cutoff.toEpochMilli())
                .setMaxResults(1)
                .getResultList();
        long below = firstKept.isEmpty() ? Long.MAX_VALUE : firstKept.get(0);
        return em.createQuery("DELETE FROM EventRecord e WHERE e.id < :below AND e.id <= :keepFrom")
                .setParameter("below", below)
                .setParameter("keepFrom", keepFrom)
                .executeUpdate();
    }

    /** Up to {@code limit} committed events with an id above {@code afterId}, in id order. */
    public List<TaskEvent> readAfter(EntityManager em, long afterId, int limit) {
        return em.createQuery("SELECT e FROM EventRecord e WHERE e.id > :after ORDER BY e.id", EventRecord.class)
                .setParameter("after", afterId)
                .setMaxResults(limit)
                .getResultList()
                .stream()
                .map(EventRecord::toEvent)
                .toList();
    }

    /**
     * Writes the events of one transaction. Not thread-safe: it belongs to the transaction's thread. Call
     * {@link #beforeCommit()} last in the transaction (group commit does): it writes the events appended and the ids
     * handed out.
     *
     * <p>Ids are counted here from the locked {@code event_sequence} row's values; the events are kept until
     * {@link #beforeCommit()} and written then, with the row, over the transaction's own JDBC connection rather than
     * through the persistence context (outbox rows are never read back in the transaction that writes them). On
     * PostgreSQL one statement inserts every event (from arrays, {@code unnest}), writes the row and sends the NOTIFY:
     * one round trip inside the serialized write section where the events' batch insert, the row's update and the
     * notification were two (and before that three). On H2, in the same process, a batch insert and an update.
     */
    public static final class Appender implements GroupCommit.BeforeCommit {
        /** PostgreSQL: the events inserted and the row written; answers the rows written. */
        private static final String WRITE_POSTGRES = "WITH e AS (INSERT INTO task_event"
                + " (id, type, task_id, agent_wallet, previous_wallet, created_at, data)"
                + " SELECT u.id, u.type, u.task_id, u.agent_wallet, u.previous_wallet, ?, u.data"
                + " FROM unnest(?::bigint[], ?::varchar[], ?::bigint[], ?::varchar[], ?::varchar[], ?::varchar[])"
                + " AS u(id, type, task_id, agent_wallet, previous_wallet, data)),"
                + " s AS (UPDATE event_sequence SET last_id = ?, last_task_id = ? WHERE id = ? RETURNING id)"
                + " SELECT count(*) FROM s";
        /** PostgreSQL, notifying on: the same, and the notification sent. */
        private static final String WRITE_POSTGRES_AND_NOTIFY = WRITE_POSTGRES + ", pg_notify(?, ?)";
        private static final String INSERT = "INSERT INTO task_event"
                + " (id, type, task_id, agent_wallet, previous_wallet, created_at, data) VALUES (?, ?, ?, ?, ?, ?, ?)";
        private static final String WRITE = "UPDATE event_sequence SET last_id = ?, last_task_id = ? WHERE id = ?";

        private final EntityManager em;
        private final Connection connection;
        private final boolean postgres;
        private final Instant timestamp;
        private final String notifyChannel;
        private final long lockedLastTaskId;
        private final List<TaskEvent> events = new ArrayList<>();
        private long lastId;
        private long lastTaskId;

        private Appender(EntityManager em, Connection connection, long lastId, long lastTaskId, String notifyChannel) {
            this.em = em;
            this.connection = connection;
            try {
                this.postgres = connection.isWrapperFor(PGConnection.class);
            } catch (SQLException e) {
                throw new PersistenceException("Could not inspect the transaction's connection", e);
            }
            this.notifyChannel = notifyChannel;
            this.lockedLastTaskId = lastTaskId;
            this.lastId = lastId;
            this.lastTaskId = lastTaskId;
            // One timestamp for every event of the transaction, at millisecond precision as on the wire.
            this.timestamp = Instant.ofEpochMilli(System.currentTimeMillis());
        }

        /** The commit timestamp every event of this transaction carries. */
        public Instant timestamp() {
            return timestamp;
        }

        /**
         * A new task id, above every id handed out before on any node (the sequence row is locked by this
         * transaction); taken for good only if the transaction commits.
         */
        public long nextTaskId() {
            return ++lastTaskId;
        }

        /** An event with the next id; written at {@link #beforeCommit()}, committed with the transaction. */
        public TaskEvent append(EventType type, long taskId, String agentWallet, String previousWallet,
                                String dataJson) {
            TaskEvent e = new TaskEvent(++lastId, type, timestamp, taskId, agentWallet, previousWallet, dataJson);
            events.add(e);
            return e;
        }

        /**
         * Writes the events appended and the ids handed out, when there are any, and (PostgreSQL, notifying on) sends
         * one NOTIFY for the whole transaction, in the same statement, when it appended events.
         */
        @Override
        public void beforeCommit() {
            if (events.isEmpty() && lastTaskId == lockedLastTaskId) {
                return;
            }
            // The transaction's other changes first, as a query would flush them: a statement that fails there fails
            // here, in the transaction, as the caller's failure (at the commit EclipseLink would also log it).
            em.flush();
            long written;
            try {
                written = postgres ? writePostgres() : writeH2();
            } catch (SQLException e) {
                throw new PersistenceException("Writing " + events.size() + " outbox events failed", e);
            }
            if (written != 1) {
                throw new IllegalStateException("event_sequence row not written (" + written + " rows)");
            }
            events.clear();
        }

        private long writePostgres() throws SQLException {
            int n = events.size();
            Long[] ids = new Long[n];
            String[] types = new String[n];
            Long[] taskIds = new Long[n];
            String[] wallets = new String[n];
            String[] previous = new String[n];
            String[] data = new String[n];
            for (int i = 0; i < n; i++) {
                TaskEvent e = events.get(i);
                ids[i] = e.id();
                types[i] = e.type().wireName();
                taskIds[i] = e.taskId();
                wallets[i] = e.agentWallet();
                previous[i] = e.previousWallet();
                data[i] = e.dataJson();
            }
            boolean notify = notifyChannel != null && n > 0;
            try (PreparedStatement ps = connection.prepareStatement(notify ? WRITE_POSTGRES_AND_NOTIFY : WRITE_POSTGRES)) {
                ps.setLong(1, timestamp.toEpochMilli());
                ps.setArray(2, connection.createArrayOf("bigint", ids));
                ps.setArray(3, connection.createArrayOf("varchar", types));
                ps.setArray(4, connection.createArrayOf("bigint", taskIds));
                ps.setArray(5, connection.createArrayOf("varchar", wallets));
                ps.setArray(6, connection.createArrayOf("varchar", previous));
                ps.setArray(7, connection.createArrayOf("varchar", data));
                ps.setLong(8, lastId);
                ps.setLong(9, lastTaskId);
                ps.setInt(10, ROW);
                if (notify) {
                    ps.setString(11, notifyChannel);
                    ps.setString(12, Long.toString(lastId));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        }

        private long writeH2() throws SQLException {
            if (!events.isEmpty()) {
                try (PreparedStatement ps = connection.prepareStatement(INSERT)) {
                    for (TaskEvent e : events) {
                        ps.setLong(1, e.id());
                        ps.setString(2, e.type().wireName());
                        ps.setLong(3, e.taskId());
                        ps.setString(4, e.agentWallet());
                        ps.setString(5, e.previousWallet());
                        ps.setLong(6, e.timestamp().toEpochMilli());
                        ps.setString(7, e.dataJson());
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
            try (PreparedStatement ps = connection.prepareStatement(WRITE)) {
                ps.setLong(1, lastId);
                ps.setLong(2, lastTaskId);
                ps.setInt(3, ROW);
                return ps.executeUpdate();
            }
        }
    }
}
