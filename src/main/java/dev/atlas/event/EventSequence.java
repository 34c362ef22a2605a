package dev.atlas.event;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The single row holding the last event id handed out; locking it serializes writers until commit. */
@Entity
@Table(name = "event_sequence")
class EventSequence {
    static final int ROW = 1;

    @Id
    private int id;

    @Column(name = "last_id", nullable = false)
    private long lastId;

    protected EventSequence() {
    }

    long next() {
        return ++lastId;
    }
}
