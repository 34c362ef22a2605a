package dev.atlas.task;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/** The states of a task and, in {@link #ALLOWED}, the one table of legal transitions. */
public enum TaskStatus {
    PENDING("pending"),
    IN_PROGRESS("in_progress"),
    COMPLETED("completed");

    /** Every legal move; anything else is refused with 409. */
    private static final Map<TaskStatus, Set<TaskStatus>> ALLOWED = new EnumMap<>(Map.of(
            PENDING, EnumSet.of(IN_PROGRESS),
            IN_PROGRESS, EnumSet.of(COMPLETED),
            COMPLETED, EnumSet.noneOf(TaskStatus.class)));

    private final String wireName;

    TaskStatus(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public boolean canMoveTo(TaskStatus target) {
        return ALLOWED.get(this).contains(target);
    }

    /** The status with this wire name, or null when there is none. */
    public static TaskStatus fromWireName(String name) {
        for (TaskStatus s : values()) {
            if (s.wireName.equals(name)) {
                return s;
            }
        }
        return null;
    }
}
