package dev.atlas.task;

import java.time.Instant;

/**
 * An edit: only the fields that are {@code set} change; a set field with a null value clears it
 * (description, agentWallet, dueAt). Mutable builder, used by one thread.
 */
public final class TaskChanges {
    private boolean titleSet;
    private String title;
    private boolean descriptionSet;
    private String description;
    private boolean agentWalletSet;
    private String agentWallet;
    private boolean prioritySet;
    private Priority priority;
    private boolean dueAtSet;
    private Instant dueAt;

    public TaskChanges title(String v) {
        titleSet = true;
        title = v;
        return this;
    }

    public TaskChanges description(String v) {
        descriptionSet = true;
        description = v;
        return this;
    }

    public TaskChanges agentWallet(String v) {
        agentWalletSet = true;
        agentWallet = v;
        return this;
    }

    public TaskChanges priority(Priority v) {
        prioritySet = true;
        priority = v;
        return this;
    }

    public TaskChanges dueAt(Instant v) {
        dueAtSet = true;
        dueAt = v;
        return this;
    }

    boolean titleSet() { return titleSet; }
    String title() { return title; }
    boolean descriptionSet() { return descriptionSet; }
    String description() { return description; }
    boolean agentWalletSet() { return agentWalletSet; }
    String agentWallet() { return agentWallet; }
    boolean prioritySet() { return prioritySet; }
    Priority priority() { return priority; }
    boolean dueAtSet() { return dueAtSet; }
    Instant dueAt() { return dueAt; }
}
