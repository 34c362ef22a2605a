package dev.atlas.push;

import dev.atlas.push.websocket.WebSocketHandshake;
import dev.atlas.security.AuthenticationException;
import dev.atlas.security.BearerToken;
import dev.atlas.security.Principal;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.logging.Logger;

/**
 * The door of {@code /ws}: checks the handshake before any WebSocket exists — a foreign {@code Origin} is
 * 403 (cross-site WebSocket hijacking), a bad token (header or {@code access_token} parameter) is 401, too
 * many connections from one IP is 429 — then upgrades to {@link WsEndpoint}. Without a token the socket
 * opens but must authenticate in-band within the deadline. Stateless; thread-safe.
 */
@WebServlet("/ws")
public class WsServlet extends HttpServlet {
    private static final Logger LOG = Logger.getLogger(WsServlet.class.getName());

    @Inject
    PushHub hub;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        WebSocketHandshake.Refusal refusal = WebSocketHandshake.check(req);
        if (refusal != null) {
            WebSocketHandshake.refuseHeaders(refusal, resp);
            refuse(resp, refusal.status(), refusal.status() == 426 ? "upgrade-required" : "bad-request",
                    refusal.status() == 426 ? "Upgrade Required" : "Bad Request", refusal.detail());
            return;
        }
        String ip = hub.clientIp(req);
        Handshakes.Outcome outcome = Handshakes.check(hub, req, ip);
        if (outcome.status() != 0) {
            refuse(resp, outcome.status(), outcome.slug(), outcome.title(), outcome.detail());
            if (outcome.challenge() != null) {
                resp.setHeader("WWW-Authenticate", outcome.challenge());
            }
            return;
        }
        try {
            WebSocketHandshake.upgrade(req, resp, hub.webSockets(),
                    new WsEndpoint(hub, ip, outcome.principal(), ResumeIds.parse(req.getParameter("lastEventId"))));
        } catch (IOException | RuntimeException e) {
            hub.connections().release(ip);
            throw e;
        }
    }

    private static void refuse(HttpServletResponse resp, int status, String slug, String title, String detail)
            throws IOException {
        byte[] body = ("{\"type\":\"https://atlas.dev/problems/" + slug + "\",\"title\":\"" + title + "\",\"status\":"
                + status + ",\"detail\":" + com.fasterxml.jackson.databind.node.TextNode.valueOf(detail) + "}")
                .getBytes(StandardCharsets.UTF_8);
        resp.setStatus(status);
        resp.setContentType("application/problem+json");
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }

    /** The checks every push handshake gets ({@code /ws} and {@code /socket.io/}). */
    public static final class Handshakes {
        private Handshakes() {
        }

        /**
         * The result of the checks: status 0 and the principal (null: not authenticated yet) when the
         * connection may proceed — it then holds a connection slot for {@code ip} — or the refusal.
         */
        public record Outcome(int status, String slug, String title, String detail, String challenge, Principal principal) {
            static Outcome ok(Principal p) {
                return new Outcome(0, null, null, null, null, p);
            }
        }

        public static Outcome check(PushHub hub, HttpServletRequest req, String ip) {
            String origin = req.getHeader("Origin");
            String host = req.getHeader("Host");
            if (!hub.authenticator().originAllowed(origin, req.getScheme(), host)) {
                LOG.info(() -> "Refused origin " + origin + " from " + ip + " on " + req.getRequestURI());
                return new Outcome(403, "forbidden-origin", "Forbidden", "Origin " + origin + " is not allowed.", null, null);
            }
            String header = req.getHeader("Authorization");
            String token = BearerToken.fromAuthorizationHeader(header).orElse(req.getParameter("access_token"));
            Principal principal = null;
            if (token != null || !hub.authenticator().enabled()) {
                try {
                    principal = hub.authenticator().verify(token);
                } catch (AuthenticationException e) {
                    LOG.info(() -> "Authentication failed from " + ip + " on " + req.getRequestURI() + ": " + e.getMessage());
                    hub.metrics().authFailure(req.getRequestURI().contains("/socket.io") ? "socket.io" : "ws", e.reason());
                    return new Outcome(401, "unauthorized", "Unauthorized", "Invalid token: " + e.getMessage(),
                            BearerToken.challenge(e), null);
                }
            }
            if (!hub.connections().tryAcquire(ip)) {
                return new Outcome(429, "too-many-connections", "Too Many Requests",
                        "Too many open connections from " + ip + ".", null, null);
            }
            return Outcome.ok(principal);
        }
    }
}
