package dev.atlas.task;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * A task as the API returns it and as every event's {@code data} carries it. Immutable.
 * Timestamps are ISO-8601 UTC strings with milliseconds; absent values are explicit nulls.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonPropertyOrder({"id", "title", "description", "status", "agentWallet", "priority", "dueAt",
        "createdAt", "updatedAt", "startedAt", "completedAt", "version"})
public record TaskView(long id, String title, String description, String status, String agentWallet,
                       String priority, String dueAt, String createdAt, String updatedAt, String startedAt,
                       String completedAt, long version) {
}
