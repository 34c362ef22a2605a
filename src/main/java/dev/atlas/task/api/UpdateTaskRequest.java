package dev.atlas.task.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atlas.task.TaskChanges;

/**
 * The body of {@code PUT /api/tasks/{id}}: any of title, description, agentWallet, priority, dueAt.
 * Fields left out keep their value; {@code null} clears description, agentWallet and dueAt.
 */
final class UpdateTaskRequest {
    private UpdateTaskRequest() {
    }

    static TaskChanges parse(JsonNode body) {
        TaskJsonInput in = new TaskJsonInput(body);
        TaskChanges c = new TaskChanges();
        if (in.has("title")) {
            c.title(in.string("title"));
        }
        if (in.has("description")) {
            c.description(in.string("description"));
        }
        if (in.has("agentWallet")) {
            c.agentWallet(in.string("agentWallet"));
        }
        if (in.has("priority")) {
            c.priority(in.priority(false));
        }
        if (in.has("dueAt")) {
            c.dueAt(in.dueAt());
        }
        in.done();
        return c;
    }
}
