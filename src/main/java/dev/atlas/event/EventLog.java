package dev.atlas.event;

import dev.atlas.db.GroupCommit;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.List;

/**
 * The outbox: appends events inside the writer's transaction, and reads them back (gap filling, replay).
 *
 * <p>Ordering: {@link #begin} locks the single {@code event_sequence} row ({@code SELECT … FOR UPDATE})
 * and holds the lock until the caller's transaction ends. Writers are therefore serialized from that
 * point to commit, so event ids are assigned in commit order on every node sharing the database, and a
 * reader that sees id N has already been able to see every id below it. This is the "serialize id
 * assignment until commit" answer to the outbox ordering trap in DESIGN.md.
 *
 * <p>Stateless; safe from any thread.
 */
@ApplicationScoped
public class EventLog {
    /** The PostgreSQL channel told of new events at each commit that appends some; null: none (H2, or switched off). */
    private volatile String notifyChannel;

    /**
     * From now on every transaction that appends events also sends {@code NOTIFY <channel>, '<last id>'} once,
     * just before its commit: PostgreSQL delivers it to the listeners of every node when, and only if, the
     * transaction commits. A hint for other nodes to read the outbox, never the data.
     */
    public void notifyOnCommit(String channel) {
        this.notifyChannel = channel;
    }

    /**
     * Takes the write lock for this transaction. Call it first in a writing transaction, before reading
     * the rows it changes, so that the change is computed from the latest committed state.
     */
    public Appender begin(EntityManager em) {
        EventSequence seq = em.find(EventSequence.class, EventSequence.ROW, LockModeType.PESSIMISTIC_WRITE);
        if (seq == null) {
            throw new IllegalStateException("event_sequence row missing: the schema was not migrated");
        }
        return new Appender(em, seq, notifyChannel);
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
     * {@link #beforeCommit()} last in the transaction (group commit does): it records the ids handed out.
     *
     * <p>Ids are counted here from the locked {@code event_sequence} row's values, and the row is written once, just
     * before the commit, by one statement that on PostgreSQL also sends the NOTIFY: one round trip for both where an
     * entity update and a {@code SELECT pg_notify} were two, inside the serialized write section.
     */
    public static final class Appender implements GroupCommit.BeforeCommit {
        /** PostgreSQL: the row written and the notification sent in one statement; answers the rows written. */
        private static final String WRITE_AND_NOTIFY = "WITH s AS (UPDATE event_sequence SET last_id = ?1, last_task_id = ?2"
                + " WHERE id = ?3 RETURNING id) SELECT count(*) FROM s, pg_notify(?4, ?5)";
        private static final String WRITE = "UPDATE event_sequence SET last_id = ?1, last_task_id = ?2 WHERE id = ?3";

        private final EntityManager em;
        private final Instant timestamp;
        private final String notifyChannel;
        private final long lockedLastId;
        private final long lockedLastTaskId;
        private long lastId;
        private long lastTaskId;

        private Appender(EntityManager em, EventSequence seq, String notifyChannel) {
            this.em = em;
            this.notifyChannel = notifyChannel;
            this.lockedLastId = seq.lastId();
            this.lockedLastTaskId = seq.lastTaskId();
            this.lastId = lockedLastId;
            this.lastTaskId = lockedLastTaskId;
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

        public TaskEvent append(EventType type, long taskId, String agentWallet, String previousWallet,
                                String dataJson) {
            TaskEvent e = new TaskEvent(++lastId, type, timestamp, taskId, agentWallet, previousWallet, dataJson);
            em.persist(new EventRecord(e));
            return e;
        }

        /**
         * Writes the ids handed out to the sequence row, when there are any, and (PostgreSQL, notifying on) sends one
         * NOTIFY for the whole transaction, in the same statement, when it appended events.
         */
        @Override
        public void beforeCommit() {
            if (lastId == lockedLastId && lastTaskId == lockedLastTaskId) {
                return;
            }
            long written;
            if (notifyChannel != null && lastId != lockedLastId) {
                written = ((Number) em.createNativeQuery(WRITE_AND_NOTIFY)
                        .setParameter(1, lastId).setParameter(2, lastTaskId).setParameter(3, EventSequence.ROW)
                        .setParameter(4, notifyChannel).setParameter(5, Long.toString(lastId))
                        .getSingleResult()).longValue();
            } else {
                written = em.createNativeQuery(WRITE)
                        .setParameter(1, lastId).setParameter(2, lastTaskId).setParameter(3, EventSequence.ROW)
                        .executeUpdate();
            }
            if (written != 1) {
                throw new IllegalStateException("event_sequence row not written (" + written + " rows)");
            }
        }
    }
}
