package dev.atlas.event;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * A row of the outbox table {@code task_event}, as read back (replay, gap filling, retention). Package-private: only
 * {@link EventLog} touches it; it writes the rows with JDBC at each commit ({@link EventLog.Appender#beforeCommit}).
 */
@Entity
@Table(name = "task_event")
class EventRecord {
    @Id
    private long id;

    @Column(nullable = false, length = 32)
    private String type;

    @Column(name = "task_id", nullable = false)
    private long taskId;

    @Column(name = "agent_wallet")
    private String agentWallet;

    @Column(name = "previous_wallet")
    private String previousWallet;

    @Column(name = "created_at", nullable = false)
    private long createdAt;

    @Column(nullable = false, length = 1000000)
    private String data;

    protected EventRecord() {
    }

    TaskEvent toEvent() {
        return new TaskEvent(id, EventType.fromWireName(type), Instant.ofEpochMilli(createdAt), taskId,
                agentWallet, previousWallet, data);
    }
}
