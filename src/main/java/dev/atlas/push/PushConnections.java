package dev.atlas.push;

import dev.atlas.metrics.Metrics;
import dev.atlas.security.Authenticator;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.websocket.Session;
import java.time.Duration;

/**
 * What a push connection is made of and how it ends, the same on every wire, so that each wire's manager
 * ({@code WsSessions}, {@code EngineServer}) is only about its protocol: the WebSocket transport over a container
 * session, the session's writer, the authentication lifecycle, joining and leaving the dispatcher, and the end
 * (out of the registry, writer closed, connection slot given back).
 *
 * <p>Thread-safe.
 */
@ApplicationScoped
public class PushConnections {
    /** How long closing waits for a client that stopped reading before the connection is cut. */
    public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    @Inject
    PushDispatcher dispatcher;
    @Inject
    SessionWriters writers;
    @Inject
    HandshakeCheck check;
    @Inject
    Authenticator authenticator;
    @Inject
    Metrics metrics;
    @Inject
    PushThreads threads;
    @Inject
    Replayer replayer;
    @Inject
    SessionRegistry registry;

    /**
     * The transport over a container WebSocket session, its blocking waits bounded by {@link #CLOSE_TIMEOUT} (a close
     * frame) and by the send timeout and that (a message).
     */
    public WebSocketTransport webSocket(Session session) {
        WebSocketTransport.configure(session, CLOSE_TIMEOUT, writers.sendTimeout());
        return new WebSocketTransport(session, threads.closer());
    }

    /** The one writer of a new session, watched for stalled sends until {@link #ended}. */
    public SessionWriter writer(Transport transport) {
        return writers.open(transport);
    }

    /** The authentication lifecycle of a connection ({@code channel}: {@code ws}, {@code socket.io}). */
    public AuthLifecycle auth(String channel, String connection, AuthLifecycle.Owner owner) {
        return new AuthLifecycle(authenticator, threads, metrics, channel, connection, owner);
    }

    /** The session joins the push pipeline: hello (unless its protocol greeted), replay after {@code resumeAfter}, events. */
    public void join(PushSession session, Long resumeAfter) {
        dispatcher.open(session, resumeAfter);
    }

    /** As {@link #join(PushSession, Long)}; {@code afterHello} runs once the hello is offered, before any event. */
    public void join(PushSession session, Long resumeAfter, Runnable afterHello) {
        dispatcher.open(session, resumeAfter, afterHello);
    }

    /** The id of the last event pushed on this node: where a session that joins now starts. */
    public long lastEventId() {
        return dispatcher.lastDispatched();
    }

    /**
     * Whether a session resuming after {@code after} would get every event it missed (none pruned, none unknown),
     * rather than a {@code resync}.
     */
    public boolean canReplayFrom(long after) {
        try {
            return replayer.retains(after, dispatcher.lastDispatched());
        } catch (RuntimeException e) {
            return false; // the database cannot say (an outage): the client is told it did not recover
        }
    }

    /** A resume request on a session that joined already. */
    public void resume(PushSession session, long after) {
        dispatcher.resume(session, after);
    }

    /** The session leaves the pipeline, its connection and writer stay (a Socket.IO namespace disconnect). */
    public void leave(PushSession session) {
        dispatcher.unregister(session);
    }

    /**
     * The connection ended: its session (null if it never joined) leaves the registry, its writer is closed and no
     * longer watched, and its client IP (null if it held no slot) gets its connection slot back. Idempotent per part.
     */
    public void ended(PushSession session, SessionWriter writer, String clientIp) {
        if (session != null) {
            dispatcher.close(session);
        }
        writers.closed(writer);
        if (clientIp != null) {
            check.release(clientIp);
        }
    }

    /** The origin rule of {@link HandshakeCheck}, for a handshake only the endpoint saw (Jetty; see {@code WsConnection}). */
    public boolean originAllowed(String origin, String scheme, String host) {
        return authenticator.originAllowed(origin, scheme, host);
    }

    /**
     * A deactivated agent's sessions close with 1008, on /ws and Socket.IO alike (both are in the registry once
     * authenticated). Runs on the thread that fired the event, after the deactivation committed.
     */
    void agentDeactivated(@jakarta.enterprise.event.Observes dev.atlas.security.AgentDeactivated e) {
        int closed = 0;
        for (PushSession s : registry.all()) {
            dev.atlas.security.Principal v = s.viewer();
            if (v != null && !v.isAdmin() && e.wallet().equals(v.wallet())) {
                s.writer().close(CloseCodes.POLICY_VIOLATION, "agent deactivated");
                closed++;
            }
        }
        if (closed > 0) {
            int n = closed;
            java.util.logging.Logger.getLogger(PushConnections.class.getName())
                    .info(() -> "Closed " + n + " session(s) of deactivated agent " + e.wallet());
        }
    }
}
