package dev.atlas.web;

import dev.atlas.config.AtlasConfig;
import dev.atlas.config.Setting;
import dev.atlas.metrics.Metrics;
import dev.atlas.security.AuthenticationException;
import dev.atlas.security.Authenticator;
import dev.atlas.security.BearerToken;
import dev.atlas.security.ClientIp;
import dev.atlas.security.Principal;
import dev.atlas.security.RateLimiter;
import dev.atlas.security.RequestPrincipal;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.ext.Provider;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Every {@code /api} request: the REST rate limit (per token, or per client IP without one), then the
 * bearer token. No token or a bad one is 401 with {@code WWW-Authenticate: Bearer}; a good one becomes the
 * request's {@link Principal}: the {@link SecurityContext}'s, and this thread's {@link RequestPrincipal}. Preflight requests are answered before
 * this (see {@link CorsFilter}). Stateless apart from the shared limiter; thread-safe.
 */
@Provider
@Priority(Priorities.AUTHENTICATION)
public class AuthFilter implements ContainerRequestFilter {
    private static final Logger LOG = Logger.getLogger(AuthFilter.class.getName());

    @Inject
    Authenticator authenticator;
    @Inject
    ApiLimits limits;
    @Inject
    Metrics metrics;

    @Override
    public void filter(ContainerRequestContext ctx) {
        RequestPrincipal.clear(); // whatever happens below, no earlier request's caller remains on this thread
        String header = ctx.getHeaderString(HttpHeaders.AUTHORIZATION);
        Optional<String> token = BearerToken.fromAuthorizationHeader(header);
        Object attribute = ctx.getProperty(ClientAddressFilter.ATTRIBUTE);
        String ip = attribute == null ? "unknown" : attribute.toString();
        long retryAfter = limits.rest().acquire(token.map(t -> "t:" + t).orElse("ip:" + ip), System.currentTimeMillis());
        if (retryAfter > 0) {
            ctx.abortWith(Response.fromResponse(Problem.of("rate-limited", "Too Many Requests", 429,
                    "More than " + limits.perMinute() + " requests in a minute; retry after " + retryAfter + " s.")
                    .toResponse()).header(HttpHeaders.RETRY_AFTER, retryAfter).build());
            return;
        }
        String path = ctx.getUriInfo().getPath();
        if (path.equals("auth/nonce") || path.equals("auth/wallet")) {
            return; // wallet sign-in: the caller has no token yet (rate-limited above, nonces per IP besides)
        }
        Principal principal;
        try {
            principal = authenticator.verify(token.orElse(null));
        } catch (AuthenticationException e) {
            LOG.info(() -> "Authentication failed from " + ip + " on " + ctx.getMethod() + " "
                    + ctx.getUriInfo().getPath() + ": " + e.getMessage());
            metrics.authFailure("rest", e.reason());
            ctx.abortWith(Response.fromResponse(Problem.of("unauthorized", "Unauthorized", 401,
                            "A valid bearer token is required: " + e.getMessage()).toResponse())
                    .header(HttpHeaders.WWW_AUTHENTICATE, BearerToken.challenge(header == null ? null : e)).build());
            return;
        }
        RequestPrincipal.set(principal);
        boolean secure = ctx.getSecurityContext().isSecure();
        ctx.setSecurityContext(new SecurityContext() {
            @Override
            public java.security.Principal getUserPrincipal() {
                return principal;
            }

            @Override
            public boolean isUserInRole(String role) {
                return principal.role().claim().equals(role);
            }

            @Override
            public boolean isSecure() {
                return secure;
            }

            @Override
            public String getAuthenticationScheme() {
                return "Bearer";
            }
        });
    }

    /** The REST limits of this application, built once from settings. */
    @jakarta.enterprise.context.ApplicationScoped
    public static class ApiLimits {
        private RateLimiter rest;
        private ClientIp clientIp;
        private int perMinute;

        protected ApiLimits() {
        }

        @Inject
        public ApiLimits(AtlasConfig config) {
            this.perMinute = config.getInt(Setting.REST_RATE_LIMIT);
            this.rest = new RateLimiter(perMinute);
            this.clientIp = new ClientIp(config.get(Setting.TRUSTED_PROXIES));
        }

        public RateLimiter rest() {
            return rest;
        }

        public ClientIp clientIp() {
            return clientIp;
        }

        public int perMinute() {
            return perMinute;
        }
    }
}
