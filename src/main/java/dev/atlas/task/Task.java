package dev.atlas.task;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.Objects;

/**
 * The task row. Package-private: it never leaves {@link TaskService}, which hands out {@link TaskView}s.
 *
 * <p>Fields are private and changed only through this class's methods: EclipseLink's static weaving
 * tracks changes by rewriting field access inside the entity class, so a write from another class
 * would go unnoticed and never reach the database.
 */
@Entity
@Table(name = "task")
@org.eclipse.persistence.annotations.Customizer(TaskRowUpdate.class) // one update statement for every change
class Task {
    /** Handed out by the writing transaction's event sequence row ({@code EventLog.Appender#nextTaskId}). */
    @Id
    private long id;

    // Column lengths are in UTF-16 units, twice TaskRules' limits in code points (migration V3).
    @Column(nullable = false, length = 400)
    private String title;

    @Column(length = 20000)
    private String description;

    @Column(nullable = false, length = 16)
    private String status;

    @Column(name = "agent_wallet", length = 256)
    private String agentWallet;

    @Column(nullable = false, length = 8)
    private String priority;

    @Column(name = "due_at")
    private Long dueAt;

    @Column(name = "created_at", nullable = false, updatable = false)
    private long createdAt;

    @Column(name = "updated_at", nullable = false)
    private long updatedAt;

    @Column(name = "started_at")
    private Long startedAt;

    @Column(name = "completed_at")
    private Long completedAt;

    /**
     * One more per change, counted here rather than by JPA's {@code @Version}: every write runs under the
     * {@code event_sequence} lock (TaskService), so there is no concurrent writer for optimistic locking to catch,
     * and a JPA version is only known after a flush — one database round trip per change inside the serialized
     * write section. Counting it here lets a group-commit batch flush once, at its commit.
     */
    @Column(nullable = false)
    private long version;

    protected Task() {
    }

    Task(long id, String title, String description, String agentWallet, Priority priority, Long dueAt, long now) {
        this.id = id;
        this.title = title;
        this.description = description;
        this.agentWallet = agentWallet;
        this.priority = priority.wireName();
        this.dueAt = dueAt;
        this.status = TaskStatus.PENDING.wireName();
        this.createdAt = now;
        this.updatedAt = now;
        this.version = 1;
    }

    // The setters of an edit say whether the value changed: an edit that changes nothing is not a new version.

    boolean setTitle(String title) {
        boolean changed = !Objects.equals(this.title, title);
        this.title = title;
        return changed;
    }

    boolean setDescription(String description) {
        boolean changed = !Objects.equals(this.description, description);
        this.description = description;
        return changed;
    }

    boolean setAgentWallet(String agentWallet) {
        boolean changed = !Objects.equals(this.agentWallet, agentWallet);
        this.agentWallet = agentWallet;
        return changed;
    }

    boolean setPriority(Priority priority) {
        boolean changed = !Objects.equals(this.priority, priority.wireName());
        this.priority = priority.wireName();
        return changed;
    }

    boolean setDueAt(Long dueAt) {
        boolean changed = !Objects.equals(this.dueAt, dueAt);
        this.dueAt = dueAt;
        return changed;
    }

    /** Marks a change (after the setters of an edit): the update time, and the next version. */
    void touch(long now) {
        this.updatedAt = now;
        this.version++;
    }

    /** Moves to {@code target} if the transition table allows it. */
    void moveTo(TaskStatus target, long now) {
        TaskStatus from = status();
        if (!from.canMoveTo(target)) {
            throw new IllegalTransitionException(id, from, target);
        }
        status = target.wireName();
        updatedAt = now;
        version++;
        if (target == TaskStatus.IN_PROGRESS) {
            startedAt = now;
        } else if (target == TaskStatus.COMPLETED) {
            completedAt = now;
        }
    }

    TaskStatus status() {
        return TaskStatus.fromWireName(status);
    }

    long id() {
        return id;
    }

    String agentWallet() {
        return agentWallet;
    }

    long version() {
        return version;
    }

    TaskView view() {
        return new TaskView(id, title, description, status, agentWallet, priority,
                dev.atlas.event.WireTime.formatMillis(dueAt), dev.atlas.event.WireTime.formatMillis(createdAt),
                dev.atlas.event.WireTime.formatMillis(updatedAt), dev.atlas.event.WireTime.formatMillis(startedAt),
                dev.atlas.event.WireTime.formatMillis(completedAt), version);
    }
}
