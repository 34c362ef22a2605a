package dev.atlas.task.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atlas.task.NewTask;

/**
 * The body of {@code POST /api/tasks}: title (required), description, agentWallet, priority (absent or
 * null: normal), dueAt.
 */
final class CreateTaskRequest {
    private CreateTaskRequest() {
    }

    static NewTask parse(JsonNode body) {
        TaskJsonInput in = new TaskJsonInput(body);
        NewTask t = new NewTask(in.string("title"), in.string("description"), in.string("agentWallet"),
                in.priority(true), in.dueAt());
        in.done();
        return t;
    }
}
