package dev.atlas.task.api;

import dev.atlas.task.TaskView;
import java.util.List;

/** A page of {@code GET /api/tasks}: the tasks, newest first, and the cursor of the next page (null at the end). */
public record TaskListView(List<TaskView> items, String nextCursor) {
}
