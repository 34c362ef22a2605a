package dev.atlas.task;

/** How urgent a task is; {@code normal} when not given. */
public enum Priority {
    LOW("low"),
    NORMAL("normal"),
    HIGH("high");

    private final String wireName;

    Priority(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** The priority with this wire name, or null when there is none. */
    public static Priority fromWireName(String name) {
        for (Priority p : values()) {
            if (p.wireName.equals(name)) {
                return p;
            }
        }
        return null;
    }
}
