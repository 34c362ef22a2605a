package dev.atlas.web;

import dev.atlas.db.Database;
import dev.atlas.task.IdempotencyConflictException;
import dev.atlas.task.IllegalTransitionException;
import dev.atlas.task.PreconditionFailedException;
import dev.atlas.task.TaskNotFoundException;
import dev.atlas.task.ValidationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/**
 * The task domain's refusals: invalid input (400 with every offending field), unknown task (404),
 * illegal status transition (409), stale {@code If-Match} (412), reused {@code Idempotency-Key} (422).
 */
@Provider
public class DomainExceptionMapper implements ExceptionMapper<RuntimeException> {
    @jakarta.inject.Inject
    Database db;

    /** Anything that is not a domain refusal goes on to the unexpected-error mapper. */
    private final UnexpectedErrorMapper fallback = new UnexpectedErrorMapper();

    @Override
    public Response toResponse(RuntimeException e) {
        if (e instanceof ValidationException v) {
            return Problem.of("validation", "Invalid request", 400, "One or more fields are invalid.")
                    .withErrors(v.errors()).toResponse();
        }
        if (e instanceof dev.atlas.agent.WalletSignInException w) {
            Response r = Problem.of(w.reason().slug(), w.reason().status() == 401 ? "Unauthorized" : "Forbidden",
                    w.reason().status(), e.getMessage()).toResponse();
            return w.reason().status() == 401
                    ? Response.fromResponse(r).header("WWW-Authenticate", "SIWE realm=\"atlas\"").build() : r;
        }
        if (e instanceof dev.atlas.agent.AgentNotFoundException) {
            return Problem.of("not-found", "Not Found", 404, e.getMessage()).toResponse();
        }
        if (e instanceof dev.atlas.agent.AgentExistsException) {
            return Problem.of("agent-exists", "Conflict", 409, e.getMessage()).toResponse();
        }
        if (e instanceof TaskNotFoundException) {
            return Problem.of("not-found", "Not Found", 404, e.getMessage()).toResponse();
        }
        if (e instanceof IllegalTransitionException) {
            return Problem.of("illegal-transition", "Conflict", 409, e.getMessage()).toResponse();
        }
        if (e instanceof PreconditionFailedException) {
            return Problem.of("precondition-failed", "Precondition Failed", 412, e.getMessage()
                    + ". Read the task again (its ETag is its version) and retry.").toResponse();
        }
        if (Database.isUnavailable(e) || (Database.mayBeUnavailable(e) && db != null && !db.ping(1))) {
            return Response.fromResponse(Problem.of("database-unavailable", "Service Unavailable", 503,
                    "The database cannot be reached right now; the request changed nothing. Retry shortly.")
                    .toResponse()).header("Retry-After", "5").build();
        }
        if (e instanceof IdempotencyConflictException) {
            return Problem.of("idempotency-key-reused", "Unprocessable Content", 422, e.getMessage()).toResponse();
        }
        return fallback.toResponse(e);
    }
}
