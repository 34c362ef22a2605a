package dev.atlas.web;

import dev.atlas.security.Authenticator;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;

/**
 * CORS for {@code /api}, from the same allowlist as the WebSocket origin check ({@code ATLAS_ALLOWED_ORIGINS}):
 * preflights from a listed origin are answered here (before authentication: browsers send them without
 * credentials), and responses to a listed origin carry {@code Access-Control-Allow-Origin}. An origin not
 * on the list gets no CORS headers, so the browser keeps the response from the page. Thread-safe.
 */
@Provider
@PreMatching
@Priority(Priorities.AUTHENTICATION - 100)
public class CorsFilter implements ContainerRequestFilter, ContainerResponseFilter {
    static final String ALLOWED_METHODS = "GET, POST, PUT, DELETE, OPTIONS";
    static final String ALLOWED_HEADERS = "Authorization, Content-Type, If-Match, Idempotency-Key";
    static final String EXPOSED_HEADERS = "ETag, Location, Retry-After, WWW-Authenticate";

    @Inject
    Authenticator authenticator;

    @Override
    public void filter(ContainerRequestContext req) {
        String origin = req.getHeaderString("Origin");
        if ("OPTIONS".equals(req.getMethod()) && req.getHeaderString("Access-Control-Request-Method") != null) {
            Response.ResponseBuilder b = Response.noContent();
            if (authenticator.listedOrigin(origin)) {
                b.header("Access-Control-Allow-Origin", origin)
                        .header("Access-Control-Allow-Methods", ALLOWED_METHODS)
                        .header("Access-Control-Allow-Headers", ALLOWED_HEADERS)
                        .header("Access-Control-Max-Age", "600")
                        .header("Vary", "Origin");
            }
            req.abortWith(b.build());
        }
    }

    @Override
    public void filter(ContainerRequestContext req, ContainerResponseContext resp) {
        String origin = req.getHeaderString("Origin");
        if (authenticator.listedOrigin(origin) && !resp.getHeaders().containsKey("Access-Control-Allow-Origin")) {
            resp.getHeaders().add("Access-Control-Allow-Origin", origin);
            resp.getHeaders().add("Access-Control-Expose-Headers", EXPOSED_HEADERS);
            resp.getHeaders().add("Vary", "Origin");
        }
    }
}
