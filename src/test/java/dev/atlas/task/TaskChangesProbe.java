package dev.atlas.task;

import java.time.Instant;

/**
 * Test-only window on {@link TaskChanges}' package-private accessors, for tests in other packages
 * (e.g. {@code task.api}) that check which fields a request set.
 */
public final class TaskChangesProbe {
    private final TaskChanges c;

    public TaskChangesProbe(TaskChanges c) {
        this.c = c;
    }

    public boolean titleSet() { return c.titleSet(); }
    public String title() { return c.title(); }
    public boolean descriptionSet() { return c.descriptionSet(); }
    public String description() { return c.description(); }
    public boolean agentWalletSet() { return c.agentWalletSet(); }
    public String agentWallet() { return c.agentWallet(); }
    public boolean prioritySet() { return c.prioritySet(); }
    public Priority priority() { return c.priority(); }
    public boolean dueAtSet() { return c.dueAtSet(); }
    public Instant dueAt() { return c.dueAt(); }
}
