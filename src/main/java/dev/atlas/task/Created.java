package dev.atlas.task;

/** The result of a create: the task, and whether it is the stored answer to an earlier request with the same key. */
public record Created(TaskView task, boolean replayed) {
}
