package dev.atlas.push;

import dev.atlas.config.AtlasConfig;
import dev.atlas.config.Setting;
import dev.atlas.metrics.Metrics;
import dev.atlas.security.AuthenticationException;
import dev.atlas.security.Authenticator;
import dev.atlas.security.BearerToken;
import dev.atlas.security.ClientIp;
import dev.atlas.security.ConnectionLimiter;
import dev.atlas.security.Principal;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The one check of every push connection request ({@code /ws} handshakes, new {@code /socket.io/} sessions), made
 * with the Servlet API before any WebSocket or Engine.IO session exists: a foreign {@code Origin} is 403 (cross-site
 * WebSocket hijacking), a bad token (the {@code Authorization} header or the {@code access_token} parameter) is 401
 * with {@code WWW-Authenticate}, too many connections from one client IP is 429. Also the RFC 6455 shape of an
 * opening handshake (400, 426), checked before the container sees it so that its refusals are problem documents.
 *
 * <p>Thread-safe.
 */
@ApplicationScoped
public class HandshakeCheck {
    private static final Logger LOG = Logger.getLogger(HandshakeCheck.class.getName());

    @Inject
    Authenticator authenticator;
    @Inject
    Metrics metrics;
    @Inject
    AtlasConfig config;

    private ConnectionLimiter connections;
    private ClientIp clientIp;

    @PostConstruct
    void init() {
        connections = new ConnectionLimiter(config.getInt(Setting.MAX_CONNECTIONS_PER_IP));
        clientIp = new ClientIp(config.get(Setting.TRUSTED_PROXIES));
    }

    /**
     * Origin, token and connection slot, in that order. {@code channel} ({@code ws}, {@code socket.io}) names the
     * wire in logs and in the authentication-failure meter.
     */
    public HandshakeResult check(HttpServletRequest req, String channel) {
        String ip = clientIp(req);
        if (!originAllowed(req)) {
            String origin = req.getHeader("Origin");
            LOG.info(() -> "Refused origin " + origin + " from " + ip + " on " + channel);
            return new HandshakeResult.Refused(403, "forbidden-origin", "Forbidden", "Origin " + origin + " is not allowed.");
        }
        String token = BearerToken.fromAuthorizationHeader(req.getHeader("Authorization"))
                .orElse(req.getParameter("access_token"));
        Principal principal = null;
        if (token != null || !authenticator.enabled()) {
            try {
                principal = authenticator.verify(token);
            } catch (AuthenticationException e) {
                LOG.info(() -> "Authentication failed from " + ip + " on " + channel + ": " + e.getMessage());
                metrics.authFailure(channel, e.reason());
                return new HandshakeResult.Refused(401, "unauthorized", "Unauthorized", "Invalid token: " + e.getMessage(),
                        Map.of("WWW-Authenticate", BearerToken.challenge(e)));
            }
        }
        if (!connections.tryAcquire(ip)) {
            return new HandshakeResult.Refused(429, "too-many-connections", "Too Many Requests",
                    "Too many open connections from " + ip + ".");
        }
        return new HandshakeResult.Accepted(principal, ip);
    }

    /** Gives back the connection slot an {@link HandshakeResult.Accepted} took. */
    public void release(String ip) {
        connections.release(ip);
    }

    /** Whether the request's {@code Origin} (none: a non-browser client) is this server's own or an allowed one. */
    public boolean originAllowed(HttpServletRequest req) {
        return authenticator.originAllowed(req.getHeader("Origin"), req.getScheme(), req.getHeader("Host"));
    }

    /** The client IP of a request (the forwarded one only from a trusted proxy). */
    public String clientIp(HttpServletRequest req) {
        return clientIp.of(req.getRemoteAddr(), req.getHeader("X-Forwarded-For"));
    }

    /**
     * Null when {@code req} has the shape of an RFC 6455 opening handshake (section 4.2.1), else its refusal: 400, or
     * 426 with {@code Sec-WebSocket-Version: 13} for another protocol version.
     */
    public static HandshakeResult.Refused upgradeRefusal(HttpServletRequest req) {
        if (!"GET".equals(req.getMethod())) {
            return badRequest("A WebSocket handshake is a GET request.");
        }
        if (!hasToken(req.getHeader("Upgrade"), "websocket")) {
            return badRequest("This is a WebSocket endpoint: connect with ws:// or wss://.");
        }
        if (!hasToken(req.getHeader("Connection"), "upgrade")) {
            return badRequest("The Connection header must include 'Upgrade'.");
        }
        if (!"13".equals(trim(req.getHeader("Sec-WebSocket-Version")))) {
            return new HandshakeResult.Refused(426, "upgrade-required", "Upgrade Required",
                    "Only WebSocket protocol version 13 is supported.", Map.of("Sec-WebSocket-Version", "13"));
        }
        if (!validKey(trim(req.getHeader("Sec-WebSocket-Key")))) {
            return badRequest("Sec-WebSocket-Key must be 16 bytes in base64.");
        }
        return null;
    }

    private static HandshakeResult.Refused badRequest(String detail) {
        return new HandshakeResult.Refused(400, "bad-request", "Bad Request", detail);
    }

    private static boolean validKey(String key) {
        if (key == null || key.length() != 24) {
            return false;
        }
        try {
            return Base64.getDecoder().decode(key).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Whether a comma-separated header value lists {@code token} (case-insensitive). */
    private static boolean hasToken(String header, String token) {
        if (header == null) {
            return false;
        }
        for (String part : header.split(",")) {
            if (part.trim().toLowerCase(Locale.ROOT).equals(token)) {
                return true;
            }
        }
        return false;
    }

    private static String trim(String s) {
        return s == null ? null : s.trim();
    }
}
