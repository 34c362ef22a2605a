package dev.atlas.task.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atlas.task.TaskQuery;
import dev.atlas.task.TaskService;
import dev.atlas.task.TaskStatus;
import dev.atlas.task.TaskView;
import dev.atlas.task.ValidationException;
import dev.atlas.task.Created;
import dev.atlas.task.IdempotencyKey;
import dev.atlas.task.NewTask;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;

/**
 * {@code /api/tasks}: create, list, read, edit, start, complete and delete tasks. Admins may do everything;
 * agents see, start and complete only their own tasks. Reads carry a strong {@code ETag} (the version);
 * changes honour {@code If-Match}; creates honour {@code Idempotency-Key}.
 *
 * <p>The OpenAPI annotations say what the signatures cannot (bodies read as JSON trees, {@code Response}
 * results) and each operation's own errors; {@code web.ApiDocs} adds what every operation shares (401, 429, 503,
 * the body errors, {@code ETag} on task responses).
 *
 * <p>One instance for the application, stateless, registered as that instance by {@code web.AtlasApplication}, so
 * Jersey calls it directly: what belongs to a request comes as a method parameter, or, for the caller, from
 * {@link dev.atlas.security.RequestPrincipal}. Costs measured in profiles (docs/benchmarks.md): as a request-scoped
 * bean it cost every request a CDI creation and Jersey's reflective {@code @Context} field injection (about a tenth of
 * a REST request's CPU); as an application-scoped CDI bean, a lookup through HK2 and Weld per request (2.8 %); a
 * {@code @Context SecurityContext} parameter, HK2's request scope per request (3.6 %).
 */
@Tag(name = "tasks")
@Path("/tasks")
@Produces(MediaType.APPLICATION_JSON)
public class TaskResource {
    private static final String ID = "{id: [0-9]{1,18}}";

    private final TaskService tasks;

    public TaskResource(TaskService tasks) {
        this.tasks = java.util.Objects.requireNonNull(tasks, "tasks");
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "createTask", summary = "Create a task (admin)", description = "Emits `taskCreated`, then "
            + "`taskAssigned` when the task has an agent. With `Idempotency-Key`, a repeat of the same body within 24 h "
            + "answers the original task (`Idempotent-Replayed: true`) and emits nothing; another body is 422.")
    @RequestBody(required = true, content = @Content(schema = @Schema(ref = "CreateTaskRequest")))
    @ApiResponse(responseCode = "201", description = "The new task, at `Location`",
            content = @Content(schema = @Schema(implementation = TaskView.class)))
    @ApiResponse(responseCode = "403", ref = "Forbidden")
    @ApiResponse(responseCode = "422", ref = "IdempotencyConflict")
    public Response create(JsonNode body, @HeaderParam("Idempotency-Key") String key) {
        Caller.current().requireAdmin("create");
        NewTask input = CreateTaskRequest.parse(body);
        IdempotencyKey idem = key == null ? null : new IdempotencyKey(key, Hashes.sha256(body.toString()));
        Created created = tasks.create(input, idem);
        TaskView t = created.task();
        // relative: JAX-RS resolves it against the application's base URI (no UriInfo through HK2 per creation)
        return Response.created(URI.create("tasks/" + t.id()))
                .header(HttpHeaders.ETAG, etag(t)).header("Idempotent-Replayed", created.replayed() ? "true" : null).entity(t).build();
    }

    @GET
    @Operation(operationId = "listTasks", summary = "List tasks, newest first",
            description = "Agents see only their own tasks (another agent's `agentWallet` gives an empty page).")
    @Parameter(name = "status", in = ParameterIn.QUERY, description = "Only tasks in this status",
            schema = @Schema(allowableValues = {"pending", "in_progress", "completed"}))
    @Parameter(name = "agentWallet", in = ParameterIn.QUERY, description = "Only tasks of this agent (any case)")
    @Parameter(name = "limit", in = ParameterIn.QUERY, description = "Page size, 1 to 200",
            schema = @Schema(type = "integer", minimum = "1", maximum = "200", defaultValue = "50"))
    @Parameter(name = "cursor", in = ParameterIn.QUERY, description = "The `nextCursor` of the previous page")
    @ApiResponse(responseCode = "200", description = "A page of tasks",
            content = @Content(schema = @Schema(implementation = TaskListView.class)))
    @ApiResponse(responseCode = "400", ref = "BadRequest")
    public TaskListView list(@QueryParam("status") String status, @QueryParam("agentWallet") String agentWallet,
                             @QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        Caller caller = Caller.current();
        TaskStatus s = null;
        if (status != null) {
            s = TaskStatus.fromWireName(status);
            if (s == null) {
                throw new ValidationException("status", "must be one of pending, in_progress, completed");
            }
        }
        Long before = Cursor.decode(cursor);
        int size = parseLimit(limit);
        String wallet = agentWallet;
        if (!caller.principal().isAdmin()) {
            String own = caller.principal().wallet();
            if (wallet != null && !own.equalsIgnoreCase(tasks.rules().walletFilter(wallet))) {
                return new TaskListView(java.util.List.of(), null); // another agent's tasks: none visible
            }
            wallet = own;
        }
        var page = tasks.list(new TaskQuery(s, wallet, before, size));
        return new TaskListView(page.items(), Cursor.encode(page.nextBeforeId()));
    }

    @GET
    @Path(ID)
    @Operation(operationId = "getTask", summary = "Read a task", description = "Another agent's task is 404.")
    @ApiResponse(responseCode = "200", description = "The task", content = @Content(schema = @Schema(implementation = TaskView.class)))
    @ApiResponse(responseCode = "404", ref = "NotFound")
    public Response get(@PathParam("id") long id) {
        TaskView t = tasks.get(id, Caller.current().guard());
        return Response.ok(t).header(HttpHeaders.ETAG, etag(t)).build();
    }

    @PUT
    @Path(ID)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "updateTask", summary = "Edit or assign a task (admin)", description = "Absent fields stay "
            + "unchanged, `null` clears. Emits `taskUpdated`, plus `taskAssigned` when the agent changed to another agent.")
    @RequestBody(required = true, content = @Content(schema = @Schema(ref = "UpdateTaskRequest")))
    @ApiResponse(responseCode = "200", description = "The task", content = @Content(schema = @Schema(implementation = TaskView.class)))
    @ApiResponse(responseCode = "403", ref = "Forbidden")
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "412", ref = "PreconditionFailed")
    public Response update(@PathParam("id") long id, JsonNode body, @HeaderParam("If-Match") String ifMatch) {
        Caller caller = Caller.current();
        caller.requireAdmin("edit or assign");
        TaskView t = tasks.update(id, UpdateTaskRequest.parse(body), caller.guard().withIfMatch(IfMatch.parse(ifMatch)));
        return Response.ok(t).header(HttpHeaders.ETAG, etag(t)).build();
    }

    @POST
    @Path(ID + "/start")
    @Operation(operationId = "startTask", summary = "Start a task: pending → in_progress", description = "Emits `taskUpdated`.")
    @ApiResponse(responseCode = "200", description = "The task", content = @Content(schema = @Schema(implementation = TaskView.class)))
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @ApiResponse(responseCode = "412", ref = "PreconditionFailed")
    public Response start(@PathParam("id") long id, @HeaderParam("If-Match") String ifMatch) {
        TaskView t = tasks.start(id, Caller.current().guard().withIfMatch(IfMatch.parse(ifMatch)));
        return Response.ok(t).header(HttpHeaders.ETAG, etag(t)).build();
    }

    @POST
    @Path(ID + "/complete")
    @Operation(operationId = "completeTask", summary = "Complete a task: in_progress → completed", description = "Emits `taskCompleted`.")
    @ApiResponse(responseCode = "200", description = "The task", content = @Content(schema = @Schema(implementation = TaskView.class)))
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @ApiResponse(responseCode = "412", ref = "PreconditionFailed")
    public Response complete(@PathParam("id") long id, @HeaderParam("If-Match") String ifMatch) {
        TaskView t = tasks.complete(id, Caller.current().guard().withIfMatch(IfMatch.parse(ifMatch)));
        return Response.ok(t).header(HttpHeaders.ETAG, etag(t)).build();
    }

    @DELETE
    @Path(ID)
    @Operation(operationId = "deleteTask", summary = "Delete a task (admin)", description = "Emits `taskDeleted`.")
    @ApiResponse(responseCode = "204", description = "Deleted")
    @ApiResponse(responseCode = "403", ref = "Forbidden")
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "412", ref = "PreconditionFailed")
    public Response delete(@PathParam("id") long id, @HeaderParam("If-Match") String ifMatch) {
        Caller caller = Caller.current();
        caller.requireAdmin("delete");
        tasks.delete(id, caller.guard().withIfMatch(IfMatch.parse(ifMatch)));
        return Response.noContent().build();
    }

    /**
     * The strong ETag of a task: its version, quoted ({@code "3"}). A string, not an {@code EntityTag}: Jersey writes a
     * string header as it is, and looks up a header delegate (with property lookups) for every other type, every
     * response (~1 % of a REST request's CPU for this header, docs/benchmarks.md, tenth session).
     */
    static String etag(TaskView t) {
        return "\"" + t.version() + '"';
    }

    private static int parseLimit(String limit) {
        if (limit == null) {
            return TaskQuery.DEFAULT_LIMIT;
        }
        try {
            int n = Integer.parseInt(limit);
            if (n >= 1 && n <= TaskQuery.MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ValidationException("limit", "must be a whole number from 1 to " + TaskQuery.MAX_LIMIT);
    }
}
