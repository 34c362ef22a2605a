package dev.atlas.web;

import dev.atlas.db.CacheLease;
import dev.atlas.db.Database;
import dev.atlas.push.OutboxListener;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Health for load balancers and orchestrators, without authentication and without details worth hiding:
 * {@code GET /health/live} is 200 while the application runs; {@code GET /health/ready} is 200 when the
 * database answers within a second, else 503 with {@code Retry-After} (take the node out of rotation; its
 * open WebSockets stay up). On PostgreSQL it also shows the outbox listener: while it is down the status is
 * {@code DEGRADED} (still 200: the node serves, other nodes' events reach it by the poll); and the cache lease
 * ({@link CacheLease}): while the node waits for it, {@code "lease":"WAITING"} and {@code DEGRADED} (writes wait
 * for it, up to 5 s, then get 503; reads are served). Stateless; thread-safe.
 */
@WebServlet("/health/*")
public class HealthServlet extends HttpServlet {
    @Inject
    Database db;
    @Inject
    OutboxListener listener;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getPathInfo() == null ? "" : req.getPathInfo();
        switch (path) {
            case "/live" -> write(resp, 200, "{\"status\":\"UP\"}");
            case "/ready" -> {
                boolean dbUp = db.ping(1);
                // the listener only speeds up other nodes' events: down, the node still serves (degraded, not out)
                String listening = !listener.isEnabled() ? null : listener.isUp() ? "UP" : "DOWN";
                // the cache lease: while a node waits for it (its first 1.5 s, a lost lease connection) writes wait
                CacheLease lease = db.cacheLease();
                String leased = lease == null ? null : lease.writable() ? "UP" : "WAITING";
                String status = !dbUp ? "DOWN" : "DOWN".equals(listening) || "WAITING".equals(leased) ? "DEGRADED" : "UP";
                write(resp, dbUp ? 200 : 503, "{\"status\":\"" + status + "\",\"checks\":{\"database\":\""
                        + (dbUp ? "UP" : "DOWN") + "\"" + (listening == null ? "" : ",\"listener\":\"" + listening + "\"")
                        + (leased == null ? "" : ",\"lease\":\"" + leased + "\"") + "}}");
                if (!dbUp) {
                    resp.setHeader("Retry-After", "5");
                }
            }
            default -> write(resp, 404, "{\"status\":\"UNKNOWN\",\"detail\":\"use /health/live or /health/ready\"}");
        }
    }

    private static void write(HttpServletResponse resp, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        resp.setStatus(status);
        resp.setContentType("application/json");
        resp.setHeader("Cache-Control", "no-store");
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }
}
