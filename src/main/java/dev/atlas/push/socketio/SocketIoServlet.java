package dev.atlas.push.socketio;

import dev.atlas.push.HandshakeCheck;
import dev.atlas.push.HandshakeResult;
import dev.atlas.push.PlainConfigurator;
import dev.atlas.security.Principal;
import jakarta.inject.Inject;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * {@code /socket.io/}: Engine.IO v4 over HTTP long-polling, and the door to its WebSocket transport.
 * Every request is checked as the reference server does ({@code EIO}, {@code transport}, {@code sid},
 * method) and refused with the protocol's JSON error; a valid WebSocket request is upgraded here, to an
 * {@link EngineWebSocket} of the container's WebSocket implementation, with the standard
 * {@code ServerContainer.upgradeHttpToWebSocket} (Jakarta WebSocket 2.1), so that refusals happen before the
 * handshake.
 *
 * <p>Held GETs use servlet async: no thread waits for a polling client. Stateless; thread-safe.
 */
@WebServlet(urlPatterns = "/socket.io/*", asyncSupported = true)
public class SocketIoServlet extends HttpServlet {
    private static final PlainConfigurator PLAIN = new PlainConfigurator();

    @Inject
    EngineServer server;
    @Inject
    HandshakeCheck check;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException, ServletException {
        // The query string only: getParameter() would read a form-encoded POST body as parameters.
        Map<String, String> query = query(req.getQueryString());
        if (!String.valueOf(EnginePacket.PROTOCOL).equals(query.get("EIO"))) {
            error(resp, EngineError.UNSUPPORTED_PROTOCOL_VERSION);
            return;
        }
        String transport = query.get("transport");
        boolean polling = "polling".equals(transport);
        if (!polling && !Handshake.WEBSOCKET.equals(transport)) {
            error(resp, EngineError.UNKNOWN_TRANSPORT);
            return;
        }
        boolean upgrade = "websocket".equalsIgnoreCase(req.getHeader("Upgrade"));
        String sid = query.get("sid");
        if (!check.originAllowed(req)) {
            error(resp, EngineError.FORBIDDEN);
            return;
        }
        if (sid != null) {
            EngineTransport session = server.find(sid);
            if (session == null) {
                error(resp, EngineError.UNKNOWN_SID);
            } else if (!polling) {
                if (!upgrade || session.mode() != EngineTransport.Mode.POLLING) {
                    error(resp, EngineError.BAD_REQUEST);
                } else {
                    upgrade(req, resp, sid, null, null);
                }
            } else if ("GET".equals(req.getMethod())) {
                session.poll(req, resp);
            } else if ("POST".equals(req.getMethod())) {
                String body = readBody(req, resp, session);
                if (body != null) {
                    session.post(body, resp);
                }
            } else {
                error(resp, EngineError.BAD_REQUEST);
            }
            return;
        }
        if (!"GET".equals(req.getMethod())) {
            error(resp, EngineError.BAD_HANDSHAKE_METHOD);
            return;
        }
        if (!polling && !upgrade) {
            error(resp, EngineError.BAD_REQUEST);
            return;
        }
        // A new session: token (header or access_token), connections per IP — before any session exists.
        HandshakeResult result = check.check(req, "socket.io");
        if (result instanceof HandshakeResult.Refused refused) {
            refused.write(resp, "{\"code\":4,\"message\":" + JsonText.quoted(refused.detail()) + "}",
                    EngineError.CONTENT_TYPE);
            return;
        }
        HandshakeResult.Accepted accepted = (HandshakeResult.Accepted) result;
        if (!polling) {
            upgrade(req, resp, null, accepted.principal(), accepted.clientIp());
        } else {
            server.open(null, accepted.principal(), accepted.clientIp()).poll(req, resp);
        }
    }

    /** The first value of each query parameter, URL-decoded. */
    static Map<String, String> query(String queryString) {
        Map<String, String> out = new java.util.HashMap<>();
        if (queryString == null) {
            return out;
        }
        for (String pair : queryString.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                out.putIfAbsent(java.net.URLDecoder.decode(key, StandardCharsets.UTF_8),
                        java.net.URLDecoder.decode(value, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                // a malformed escape: the parameter is ignored, and the checks below refuse the request
            }
        }
        return out;
    }

    /**
     * Upgrades to an {@link EngineWebSocket}: a new session ({@code sid} null; {@code ip} holds a connection slot) or
     * the probe of the polling session {@code sid}. A request that is no valid opening handshake is the protocol's
     * "Bad request" with the RFC's status (400, or 426).
     */
    private void upgrade(HttpServletRequest req, HttpServletResponse resp, String sid, Principal principal, String ip)
            throws IOException, ServletException {
        HandshakeResult.Refused malformed = HandshakeCheck.upgradeRefusal(req);
        if (malformed != null) {
            if (ip != null) {
                check.release(ip);
            }
            malformed.write(resp, EngineError.BAD_REQUEST.json(), EngineError.CONTENT_TYPE);
            return;
        }
        ServerEndpointConfig config = ServerEndpointConfig.Builder.create(EngineWebSocket.class, "/socket.io/")
                .configurator(PLAIN).build();
        Map<String, Object> props = config.getUserProperties();
        props.put(EngineWebSocket.SERVER, server);
        if (sid != null) {
            props.put(EngineWebSocket.SID, sid);
        }
        if (principal != null) {
            props.put(EngineWebSocket.PRINCIPAL, principal);
        }
        if (ip != null) {
            props.put(EngineWebSocket.CLIENT_IP, ip);
        }
        ServerContainer container = (ServerContainer) getServletContext().getAttribute(ServerContainer.class.getName());
        try {
            container.upgradeHttpToWebSocket(req, resp, config, Map.of());
        } catch (DeploymentException | IOException | RuntimeException e) {
            if (ip != null) {
                check.release(ip);
            }
            throw new ServletException("WebSocket upgrade failed", e);
        }
    }

    /** Reads a POST body up to maxPayload; a larger one is answered with 413 and ends the session. */
    private String readBody(HttpServletRequest req, HttpServletResponse resp, EngineTransport session) throws IOException {
        int max = server.settings().maxPayloadBytes();
        if (req.getContentLengthLong() > max) {
            tooLarge(resp, session);
            return null;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, (int) Math.min(max, Math.max(0, req.getContentLengthLong()))));
        byte[] buf = new byte[8192];
        try (InputStream in = req.getInputStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                if (out.size() + n > max) {
                    tooLarge(resp, session);
                    return null;
                }
                out.write(buf, 0, n);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void tooLarge(HttpServletResponse resp, EngineTransport session) throws IOException {
        text(resp, 413, "Payload Too Large", "text/plain; charset=UTF-8");
        session.terminate("polling body over maxPayload", dev.atlas.push.CloseCodes.TOO_BIG);
    }

    static void error(HttpServletResponse resp, EngineError error) throws IOException {
        text(resp, error.httpStatus(), error.json(), EngineError.CONTENT_TYPE);
    }

    static void payload(HttpServletResponse resp, String body) throws IOException {
        text(resp, 200, body, EnginePacket.PAYLOAD_CONTENT_TYPE);
    }

    static void text(HttpServletResponse resp, int status, String body, String contentType) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        resp.setStatus(status);
        resp.setContentType(contentType);
        resp.setContentLength(bytes.length);
        resp.setHeader("Cache-Control", "no-store");
        resp.getOutputStream().write(bytes);
    }
}
