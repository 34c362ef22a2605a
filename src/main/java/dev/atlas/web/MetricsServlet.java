package dev.atlas.web;

import dev.atlas.metrics.Metrics;
import dev.atlas.security.AuthenticationException;
import dev.atlas.security.Authenticator;
import dev.atlas.security.BearerToken;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.logging.Logger;

/**
 * {@code GET /metrics}: every meter in the Prometheus text format, for a Prometheus scrape. Who may read it
 * is {@link MetricsAccess}'s decision ({@code ATLAS_METRICS_ACCESS}, {@code ATLAS_METRICS_TOKEN}); a refusal is
 * a problem document (401 with a Bearer challenge, or 403), logged and counted without the token. Outside
 * {@code /api}: no REST rate limit, no JAX-RS. Stateless; thread-safe.
 */
@WebServlet("/metrics")
public class MetricsServlet extends HttpServlet {
    private static final Logger LOG = Logger.getLogger(MetricsServlet.class.getName());

    @Inject
    Metrics metrics;
    @Inject
    MetricsSetup setup;
    @Inject
    Authenticator authenticator;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String bearer = BearerToken.fromAuthorizationHeader(req.getHeader("Authorization")).orElse(null);
        MetricsAccess.Outcome o = setup.access().decide(req.getRemoteAddr(), req.getHeader("X-Forwarded-For"),
                req.getHeader("X-Real-IP"), req.getHeader("Forwarded"), bearer, authenticator::verify);
        resp.setHeader("Cache-Control", "no-store");
        if (!o.allowed()) {
            if (o.failure() != null) {
                metrics.authFailure("metrics", o.failure());
            }
            String why = o.failure() != null ? o.failure().message() : o.how();
            LOG.info(() -> "Refused /metrics to " + req.getRemoteAddr() + " (" + o.status() + "): " + why);
            String detail = o.status() == 401 ? "A metrics token or an admin bearer token is required: " + why + "."
                    : "Only admins (or the metrics token) may read metrics.";
            byte[] body = ("{\"type\":\"https://atlas.dev/problems/" + (o.status() == 401 ? "unauthorized" : "forbidden")
                    + "\",\"title\":\"" + (o.status() == 401 ? "Unauthorized" : "Forbidden") + "\",\"status\":" + o.status()
                    + ",\"detail\":\"" + detail + "\"}").getBytes(StandardCharsets.UTF_8);
            if (o.status() == 401) {
                resp.setHeader("WWW-Authenticate", BearerToken.challenge(new AuthenticationException(o.failure())));
            }
            resp.setStatus(o.status());
            resp.setContentType(Problem.MEDIA_TYPE);
            resp.setContentLength(body.length);
            resp.getOutputStream().write(body);
            return;
        }
        resp.setStatus(200);
        resp.setContentType(Metrics.CONTENT_TYPE);
        metrics.scrape(resp.getOutputStream());
    }
}
