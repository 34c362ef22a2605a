package dev.atlas.web;

import dev.atlas.db.Database;
import dev.atlas.event.EventLog;
import dev.atlas.push.Envelope;
import dev.atlas.push.PushDispatcher;
import dev.atlas.push.SessionRegistry;
import dev.atlas.push.SessionWriter;
import dev.atlas.push.socketio.EngineServer;
import dev.atlas.push.socketio.SocketFrames;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.Map;

/**
 * {@code GET /api/diagnostics}: what this node is doing right now — open sessions by transport, the last
 * event id pushed, node id, uptime and version, how many envelopes and Socket.IO frames were built (each event
 * once, whatever the number of clients), how many clients were closed as slow consumers, and how many sends stalled
 * a sender lane (each handed the lane's other clients to a new thread). Admin only.
 */
@Tag(name = "operations")
@Path("/diagnostics")
@Produces(MediaType.APPLICATION_JSON)
@RequestScoped
public class DiagnosticsResource {
    @Inject
    SessionRegistry registry;
    @Inject
    PushDispatcher dispatcher;
    @Inject
    NodeInfo node;
    @Inject
    EngineServer engine;
    @Inject
    Database db;
    @Inject
    EventLog eventLog;

    /** The diagnostics document. */
    public record Diagnostics(String nodeId, String version, long uptimeSeconds, long lastEventId,
                              long oldestEventId, int sessions, Map<String, Integer> sessionsByTransport,
                              Map<String, Integer> sessionsByRole,
                              int engineIoSessions,
                              long envelopesSerialized, long socketIoFramesBuilt, long slowConsumerCloses,
                              long stalledSends) {
    }

    @jakarta.ws.rs.core.Context
    jakarta.ws.rs.core.SecurityContext security;

    @GET
    @Operation(operationId = "getDiagnostics", summary = "What this node is doing (admin)")
    @ApiResponse(responseCode = "200", description = "Diagnostics of the node that answered",
            content = @Content(schema = @Schema(implementation = Diagnostics.class)))
    @ApiResponse(responseCode = "403", ref = "Forbidden")
    public Diagnostics get() {
        if (!(security.getUserPrincipal() instanceof dev.atlas.security.Principal p) || !p.isAdmin()) {
            throw new jakarta.ws.rs.ForbiddenException("Diagnostics are for admins.");
        }
        return new Diagnostics(node.nodeId(), node.version(), node.uptimeSeconds(), dispatcher.lastDispatched(),
                db.read(eventLog::oldestEventId), registry.size(), registry.countByTransport(), registry.countByRole(), engine.size(), Envelope.serializations(),
                SocketFrames.eventFrames(), SessionWriter.slowConsumerCloses(), dispatcher.stalledSends());
    }
}
