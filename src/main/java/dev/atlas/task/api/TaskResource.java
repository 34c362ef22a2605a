package dev.atlas.task.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atlas.task.TaskQuery;
import dev.atlas.task.TaskService;
import dev.atlas.task.TaskStatus;
import dev.atlas.task.TaskView;
import dev.atlas.task.ValidationException;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import dev.atlas.task.Created;
import dev.atlas.task.IdempotencyKey;
import dev.atlas.task.NewTask;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

/**
 * {@code /api/tasks}: create, list, read, edit, start, complete and delete tasks. Admins may do everything;
 * agents see, start and complete only their own tasks. Reads carry a strong {@code ETag} (the version);
 * changes honour {@code If-Match}; creates honour {@code Idempotency-Key}.
 */
@Path("/tasks")
@Produces(MediaType.APPLICATION_JSON)
@RequestScoped
public class TaskResource {
    private static final String ID = "{id: [0-9]{1,18}}";

    @Inject
    TaskService tasks;
    @Context
    SecurityContext security;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(JsonNode body, @Context UriInfo uri, @HeaderParam("Idempotency-Key") String key) {
        Caller.of(security).requireAdmin("create");
        NewTask input = CreateTaskRequest.parse(body);
        IdempotencyKey idem = key == null ? null : new IdempotencyKey(key, Hashes.sha256(body.toString()));
        Created created = tasks.create(input, idem);
        TaskView t = created.task();
        return Response.created(uri.getAbsolutePathBuilder().path(Long.toString(t.id())).build())
                .tag(etag(t)).header("Idempotent-Replayed", created.replayed() ? "true" : null).entity(t).build();
    }

    @GET
    public TaskListView list(@QueryParam("status") String status, @QueryParam("agentWallet") String agentWallet,
                             @QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        Caller caller = Caller.of(security);
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
    public Response get(@PathParam("id") long id) {
        TaskView t = tasks.get(id, Caller.of(security).guard());
        return Response.ok(t).tag(etag(t)).build();
    }

    @PUT
    @Path(ID)
    @Consumes(MediaType.APPLICATION_JSON)
    public Response update(@PathParam("id") long id, JsonNode body, @HeaderParam("If-Match") String ifMatch) {
        Caller caller = Caller.of(security);
        caller.requireAdmin("edit or assign");
        TaskView t = tasks.update(id, UpdateTaskRequest.parse(body), caller.guard().withIfMatch(IfMatch.parse(ifMatch)));
        return Response.ok(t).tag(etag(t)).build();
    }

    @POST
    @Path(ID + "/start")
    public Response start(@PathParam("id") long id, @HeaderParam("If-Match") String ifMatch) {
        TaskView t = tasks.start(id, Caller.of(security).guard().withIfMatch(IfMatch.parse(ifMatch)));
        return Response.ok(t).tag(etag(t)).build();
    }

    @POST
    @Path(ID + "/complete")
    public Response complete(@PathParam("id") long id, @HeaderParam("If-Match") String ifMatch) {
        TaskView t = tasks.complete(id, Caller.of(security).guard().withIfMatch(IfMatch.parse(ifMatch)));
        return Response.ok(t).tag(etag(t)).build();
    }

    @DELETE
    @Path(ID)
    public Response delete(@PathParam("id") long id, @HeaderParam("If-Match") String ifMatch) {
        Caller caller = Caller.of(security);
        caller.requireAdmin("delete");
        tasks.delete(id, caller.guard().withIfMatch(IfMatch.parse(ifMatch)));
        return Response.noContent().build();
    }

    /** The strong ETag of a task: its version. */
    static EntityTag etag(TaskView t) {
        return new EntityTag(Long.toString(t.version()));
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
