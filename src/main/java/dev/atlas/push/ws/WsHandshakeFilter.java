package dev.atlas.push.ws;

import dev.atlas.push.HandshakeCheck;
import dev.atlas.push.HandshakeResult;
import dev.atlas.push.ResumeIds;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The door of {@code /ws}, in front of the container's WebSocket upgrade: refuses a request that is no valid opening
 * handshake (400, 426), a foreign {@code Origin} (403), a bad token (401 with {@code WWW-Authenticate}) and one
 * connection too many from a client IP (429), each with a problem document, before any WebSocket exists. An accepted
 * handshake goes on to the container, which upgrades it to {@link WsEndpoint}; what the check established (who, from
 * which IP, resuming after which id) reaches the endpoint through {@link WsConfigurator#modifyHandshake}, which the
 * container calls on this thread, inside {@code chain.doFilter}.
 *
 * <p>A container may also upgrade before this filter runs (Jetty puts its upgrade filter first in the chain): the
 * endpoint then makes the same checks itself when the connection opens, and refuses by closing with 1008.
 *
 * <p>Stateless apart from the hand-over to the configurator on the request's own thread; thread-safe.
 */
@WebFilter(urlPatterns = "/ws")
public class WsHandshakeFilter extends HttpFilter {
    /** What the check established, for the configurator called during {@code chain.doFilter} on this thread. */
    static final ThreadLocal<Checked> CHECKED = new ThreadLocal<>();

    /** An accepted handshake on its way to the container; {@code taken} once the configurator moved it on. */
    static final class Checked {
        final HandshakeResult.Accepted accepted;
        final Long resumeAfter;
        boolean taken;

        Checked(HandshakeResult.Accepted accepted, Long resumeAfter) {
            this.accepted = accepted;
            this.resumeAfter = resumeAfter;
        }
    }

    @Inject
    HandshakeCheck check;

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse resp, FilterChain chain)
            throws IOException, ServletException {
        HandshakeResult.Refused malformed = HandshakeCheck.upgradeRefusal(req);
        if (malformed != null) {
            malformed.writeProblem(resp);
            return;
        }
        HandshakeResult result = check.check(req, "ws");
        if (result instanceof HandshakeResult.Refused refused) {
            refused.writeProblem(resp);
            return;
        }
        HandshakeResult.Accepted accepted = (HandshakeResult.Accepted) result;
        Checked checked = new Checked(accepted, ResumeIds.parse(req.getParameter("lastEventId")));
        CHECKED.set(checked);
        try {
            chain.doFilter(req, resp);
        } finally {
            CHECKED.remove();
            if (!checked.taken) {
                check.release(accepted.clientIp()); // the container refused the upgrade itself
            }
        }
    }
}
