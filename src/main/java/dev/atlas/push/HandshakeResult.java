package dev.atlas.push;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atlas.config.Json;
import dev.atlas.security.Principal;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What {@link HandshakeCheck} decided about a push connection request: {@link Accepted} (it may proceed, and
 * holds one connection slot of its client IP until released) or {@link Refused} (an HTTP error, answered before
 * any WebSocket or Engine.IO session exists). Immutable.
 */
public sealed interface HandshakeResult {

    /**
     * The request may proceed. {@code principal} is who its token authenticated, or null when the client is to
     * authenticate in-band; {@code clientIp} holds a connection slot ({@link HandshakeCheck#release}).
     */
    record Accepted(Principal principal, String clientIp) implements HandshakeResult {
    }

    /**
     * The request is refused with {@code status}; {@code slug}, {@code title} and {@code detail} make its
     * problem document, {@code headers} are answered with it (for 401 {@code WWW-Authenticate}).
     */
    record Refused(int status, String slug, String title, String detail, Map<String, String> headers)
            implements HandshakeResult {
        private static final ObjectMapper JSON = Json.mapper().build();
        private static final String TYPE_BASE = "https://atlas.dev/problems/";

        public Refused(int status, String slug, String title, String detail) {
            this(status, slug, title, detail, Map.of());
        }

        /**
         * Answers the refusal as {@code application/problem+json} (RFC 9457). Headers first: once a body filled
         * the declared length, the response is committed and later headers are silently lost.
         */
        public void writeProblem(HttpServletResponse resp) throws IOException {
            ObjectNode body = JSON.createObjectNode().put("type", TYPE_BASE + slug).put("title", title)
                    .put("status", status).put("detail", detail);
            write(resp, JSON.writeValueAsString(body), "application/problem+json");
        }

        /** Answers the refusal with its status and headers and a body of the caller's protocol. */
        public void write(HttpServletResponse resp, String body, String contentType) throws IOException {
            resp.setStatus(status);
            headers.forEach(resp::setHeader);
            resp.setHeader("Cache-Control", "no-store");
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            resp.setContentType(contentType);
            resp.setContentLength(bytes.length);
            resp.getOutputStream().write(bytes);
        }
    }
}
