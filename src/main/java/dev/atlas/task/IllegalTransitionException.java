package dev.atlas.task;

/** The task's status does not allow the requested move (answered as 409). */
public class IllegalTransitionException extends RuntimeException {
    public IllegalTransitionException(long id, TaskStatus from, TaskStatus to) {
        super("Task " + id + " is " + from.wireName() + " and cannot become " + to.wireName());
    }
}
