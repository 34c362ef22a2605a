package dev.atlas.event;

/** The event names on the wire, unchanged from the server Atlas replaces. */
public enum EventType {
    TASK_CREATED("taskCreated"),
    TASK_UPDATED("taskUpdated"),
    TASK_COMPLETED("taskCompleted"),
    TASK_DELETED("taskDeleted"),
    TASK_ASSIGNED("taskAssigned");

    private final String wireName;

    EventType(String wireName) {
        this.wireName = wireName;
    }

    /** The {@code event} field of the envelope, e.g. {@code taskCreated}. */
    public String wireName() {
        return wireName;
    }

    public static EventType fromWireName(String name) {
        for (EventType t : values()) {
            if (t.wireName.equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown event type " + name);
    }
}
