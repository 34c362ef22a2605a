package dev.atlas.task.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atlas.task.TaskQuery;
import dev.atlas.task.TaskService;
import dev.atlas.task.TaskStatus;
import dev.atlas.task.TaskView;
import dev.atlas.task.ValidationException;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
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

/** {@code /api/tasks}: create, list, read, edit, start, complete and delete tasks. */
@Path("/tasks")
@Produces(MediaType.APPLICATION_JSON)
@RequestScoped
public class TaskResource {
    private static final String ID = "{id: [0-9]{1,18}}";

    @Inject
    TaskService tasks;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(JsonNode body, @Context UriInfo uri) {
        TaskView created = tasks.create(CreateTaskRequest.parse(body));
        return Response.created(uri.getAbsolutePathBuilder().path(Long.toString(created.id())).build())
                .entity(created).build();
    }

    @GET
    public TaskListView list(@QueryParam("status") String status, @QueryParam("agentWallet") String agentWallet,
                             @QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        TaskStatus s = null;
        if (status != null) {
            s = TaskStatus.fromWireName(status);
            if (s == null) {
                throw new ValidationException("status", "must be one of pending, in_progress, completed");
            }
        }
        var page = tasks.list(new TaskQuery(s, agentWallet, Cursor.decode(cursor), parseLimit(limit)));
        return new TaskListView(page.items(), Cursor.encode(page.nextBeforeId()));
    }

    @GET
    @Path(ID)
    public TaskView get(@PathParam("id") long id) {
        return tasks.get(id);
    }

    @PUT
    @Path(ID)
    @Consumes(MediaType.APPLICATION_JSON)
    public TaskView update(@PathParam("id") long id, JsonNode body) {
        return tasks.update(id, UpdateTaskRequest.parse(body));
    }

    @POST
    @Path(ID + "/start")
    public TaskView start(@PathParam("id") long id) {
        return tasks.start(id);
    }

    @POST
    @Path(ID + "/complete")
    public TaskView complete(@PathParam("id") long id) {
        return tasks.complete(id);
    }

    @DELETE
    @Path(ID)
    public Response delete(@PathParam("id") long id) {
        tasks.delete(id);
        return Response.noContent().build();
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
