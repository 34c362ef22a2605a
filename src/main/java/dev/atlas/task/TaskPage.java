package dev.atlas.task;

import java.util.List;

/** One page of tasks, newest first; {@code nextBeforeId} is the cursor of the next page or null at the end. */
public record TaskPage(List<TaskView> items, Long nextBeforeId) {
}
