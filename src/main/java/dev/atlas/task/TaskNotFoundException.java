package dev.atlas.task;

/** No task with that id (answered as 404). */
public class TaskNotFoundException extends RuntimeException {
    public TaskNotFoundException(long id) {
        super("Task " + id + " does not exist");
    }
}
