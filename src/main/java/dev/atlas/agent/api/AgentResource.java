package dev.atlas.agent.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atlas.agent.AgentService;
import dev.atlas.agent.AgentView;
import dev.atlas.security.Principal;
import dev.atlas.task.FieldError;
import dev.atlas.task.ValidationException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.ForbiddenException;
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
import jakarta.ws.rs.core.SecurityContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code /api/agents}: the roster. Admins list (optionally by {@code active}), register, change and deactivate
 * agents; an agent sees only itself. Deactivation ({@code DELETE}) keeps the agent and its tasks, closes its
 * sessions (1008) and stops its wallet sign-in.
 */
@Tag(name = "agents")
@Path("/agents")
@Produces(MediaType.APPLICATION_JSON)
@RequestScoped
public class AgentResource {
    private static final Set<String> FIELDS = Set.of("wallet", "displayName", "active");

    @Inject
    AgentService agents;
    @Context
    SecurityContext security;

    @GET
    @Operation(operationId = "listAgents", summary = "The roster (admins: every agent; an agent: itself)")
    @ApiResponse(responseCode = "200", description = "The agents, by wallet")
    public Map<String, List<AgentView>> list(
            @Parameter(description = "only active (true) or only deactivated (false) agents") @QueryParam("active") String active) {
        Boolean filter = null;
        if (active != null) {
            if (!active.equals("true") && !active.equals("false")) {
                throw new ValidationException("active", "must be true or false");
            }
            filter = Boolean.valueOf(active);
        }
        Principal p = principal();
        if (!p.isAdmin()) {
            Boolean f = filter;
            List<AgentView> self = agents.list(null).stream()
                    .filter(a -> a.wallet().equals(p.wallet()) && (f == null || a.active() == f)).toList();
            return Map.of("agents", self);
        }
        return Map.of("agents", agents.list(filter));
    }

    @GET
    @Path("{wallet}")
    @Operation(operationId = "getAgent", summary = "One agent (an agent may read only itself)")
    @ApiResponse(responseCode = "200", description = "The agent")
    @ApiResponse(responseCode = "404", ref = "NotFound")
    public AgentView get(@PathParam("wallet") String wallet) {
        Principal p = principal();
        AgentView a = agents.get(wallet);
        if (!p.isAdmin() && !a.wallet().equals(p.wallet())) {
            throw new dev.atlas.agent.AgentNotFoundException(a.wallet());
        }
        return a;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "createAgent", summary = "Register an agent (admin)")
    @RequestBody(required = true, content = @Content(schema = @Schema(example = "{\"wallet\":\"0x…\",\"displayName\":\"Alice\"}")))
    @ApiResponse(responseCode = "201", description = "The agent, active")
    @ApiResponse(responseCode = "403", ref = "Forbidden")
    @ApiResponse(responseCode = "409", description = "An agent with that wallet exists", content = @Content(mediaType = "application/problem+json"))
    public Response create(JsonNode body) {
        requireAdmin();
        object(body);
        AgentView a = agents.create(text(body, "wallet"), text(body, "displayName"));
        return Response.status(201).location(java.net.URI.create("/api/agents/" + a.wallet())).entity(a).build();
    }

    @PUT
    @Path("{wallet}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "updateAgent", summary = "Change an agent's display name or active flag (admin)")
    @RequestBody(required = true, content = @Content(schema = @Schema(example = "{\"displayName\":\"Alice\",\"active\":true}")))
    @ApiResponse(responseCode = "200", description = "The agent")
    @ApiResponse(responseCode = "403", ref = "Forbidden")
    @ApiResponse(responseCode = "404", ref = "NotFound")
    public AgentView update(@PathParam("wallet") String wallet, JsonNode body) {
        requireAdmin();
        object(body);
        Boolean active = null;
        if (body.has("active")) {
            if (!body.get("active").isBoolean()) {
                throw new ValidationException("active", "must be true or false");
            }
            active = body.get("active").booleanValue();
        }
        return agents.update(wallet, body.has("displayName") ? text(body, "displayName") : null, active);
    }

    @DELETE
    @Path("{wallet}")
    @Operation(operationId = "deactivateAgent", summary = "Deactivate an agent (admin): its tasks stay, its sessions close (1008), it can no longer sign in")
    @ApiResponse(responseCode = "200", description = "The agent, inactive")
    @ApiResponse(responseCode = "403", ref = "Forbidden")
    @ApiResponse(responseCode = "404", ref = "NotFound")
    public AgentView deactivate(@PathParam("wallet") String wallet) {
        requireAdmin();
        return agents.deactivate(wallet);
    }

    private Principal principal() {
        if (!(security.getUserPrincipal() instanceof Principal p)) {
            throw new IllegalStateException("no authenticated principal on an /api request");
        }
        return p;
    }

    private void requireAdmin() {
        if (!principal().isAdmin()) {
            throw new ForbiddenException("Only admins may change the roster.");
        }
    }

    private static void object(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new ValidationException("body", "a JSON object is required");
        }
        List<FieldError> unknown = new ArrayList<>();
        body.fieldNames().forEachRemaining(f -> {
            if (!FIELDS.contains(f)) {
                unknown.add(new FieldError(f, "is not a field of an agent"));
            }
        });
        if (!unknown.isEmpty()) {
            throw new ValidationException(unknown);
        }
    }

    private static String text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new ValidationException(field, "must be a string");
        }
        return v.asText();
    }
}
