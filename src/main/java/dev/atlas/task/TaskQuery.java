package dev.atlas.task;

/**
 * A page request for the task list, newest first.
 *
 * @param status      only tasks in this status, or null for all
 * @param agentWallet only tasks of this agent (any case), or null for all
 * @param beforeId    the cursor: only tasks with a smaller id, or null for the first page
 * @param limit       page size, 1..200
 */
public record TaskQuery(TaskStatus status, String agentWallet, Long beforeId, int limit) {
    public static final int MAX_LIMIT = 200;
    public static final int DEFAULT_LIMIT = 50;
}
