package dev.atlas.event;

import java.time.Instant;
import java.util.Objects;

/**
 * One committed event: the CDI payload fired after commit, and what replay reads back from the outbox.
 * Immutable; safe to share between threads.
 *
 * @param id             global event sequence, increasing in commit order (the envelope {@code id})
 * @param type           the event name
 * @param timestamp      when the change committed (millisecond precision)
 * @param taskId         the task the event is about
 * @param agentWallet    the task's agent after the change (null when unassigned); the envelope's
 *                       {@code agentWallet} on {@code taskAssigned}
 * @param previousWallet the agent the task had before the change, when the change moved it away from them
 * @param dataJson       the envelope's {@code data}: the task as {@code GET /api/tasks/{id}} returns it,
 *                       already serialized (or {@code {"id":…}} for {@code taskDeleted})
 */
public record TaskEvent(long id, EventType type, Instant timestamp, long taskId, String agentWallet,
                        String previousWallet, String dataJson) {
    public TaskEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(dataJson, "dataJson");
    }
}
