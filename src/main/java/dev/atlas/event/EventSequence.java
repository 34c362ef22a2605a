package dev.atlas.event;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * The single row holding the last event id and the last task id handed out; locking it serializes writers until
 * commit. Task ids come from here rather than from a database sequence (migration V5): the row is already locked and
 * read by every writing transaction and written at its commit, so an id costs no statement (a sequence's
 * {@code nextval} was one per creation inside the serialized write section, a round trip on PostgreSQL), and ids are
 * handed out in commit order on every node.
 *
 * <p>Read through this entity (locked), written by {@link EventLog.Appender#beforeCommit} in the statement that on
 * PostgreSQL also inserts the transaction's events and sends its NOTIFY: never changed through the entity, so EclipseLink's flush has
 * no statement of its own for it.
 */
@Entity
@Table(name = "event_sequence")
class EventSequence {
    static final int ROW = 1;

    @Id
    private int id;

    @Column(name = "last_id", nullable = false)
    private long lastId;

    @Column(name = "last_task_id", nullable = false)
    private long lastTaskId;

    protected EventSequence() {
    }

    long lastId() {
        return lastId;
    }

    long lastTaskId() {
        return lastTaskId;
    }
}
