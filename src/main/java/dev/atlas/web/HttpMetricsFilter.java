package dev.atlas.web;

import dev.atlas.metrics.Metrics;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.http.Outcome;
import jakarta.inject.Inject;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Times every HTTP request ({@code http_server_requests_seconds{method,uri,status,outcome}}): REST calls,
 * health, metrics, the API docs, static files, Socket.IO polls and WebSocket handshakes (status 101; the
 * socket's life is not a request). {@code uri} is a template of bounded cardinality, never a raw path:
 * the matched JAX-RS template under {@code /api} ({@code /api/tasks/{id}/start}, see
 * {@link MatchedRouteFilter}), else the servlet mapping ({@code /health/*}, {@code /ws}, {@code /socket.io/*},
 * {@code /**} for static files), and {@code NOT_FOUND} or {@code REDIRECTION} for 404 and 3xx without a
 * template. An asynchronous request (a held long-poll) is timed until it completes. Stateless; thread-safe.
 */
@WebFilter(urlPatterns = "/*", asyncSupported = true)
public class HttpMetricsFilter implements Filter {
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH");

    @Inject
    Metrics metrics;

    @Override
    public void doFilter(ServletRequest req, ServletResponse resp, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) resp;
        long start = System.nanoTime();
        try {
            chain.doFilter(req, resp);
        } catch (IOException | ServletException | RuntimeException | Error e) {
            record(request, 500, start); // what Tomcat answers for an exception that escapes
            throw e;
        }
        if (!request.isAsyncStarted() || !timeUntilComplete(request, response, start)) {
            record(request, response.getStatus(), start);
        }
    }

    /** Times an asynchronous request (a held long-poll) until it completes; false if it cannot be followed. */
    private boolean timeUntilComplete(HttpServletRequest request, HttpServletResponse response, long start) {
        try {
            request.getAsyncContext().addListener(new AsyncListener() {
                @Override
                public void onComplete(AsyncEvent event) {
                    record(request, response.getStatus(), start);
                }

                @Override
                public void onTimeout(AsyncEvent event) {
                }

                @Override
                public void onError(AsyncEvent event) {
                }

                @Override
                public void onStartAsync(AsyncEvent event) {
                    event.getAsyncContext().addListener(this);
                }
            });
            return true;
        } catch (IllegalStateException e) {
            return false; // completed meanwhile: time it now
        }
    }

    private void record(HttpServletRequest req, int status, long startNanos) {
        String method = METHODS.contains(req.getMethod()) ? req.getMethod() : "OTHER";
        Timer.builder("http.server.requests")
                .description("HTTP requests by method, route template and status")
                .tag("method", method)
                .tag("uri", route(req, status))
                .tag("status", Integer.toString(status))
                .tag("outcome", Outcome.forStatus(status).name())
                .register(metrics.registry())
                .record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }

    /** The {@code uri} tag: bounded, never containing ids or other client-chosen text. */
    static String route(HttpServletRequest req, int status) {
        Object template = req.getAttribute(MatchedRouteFilter.ATTRIBUTE);
        if (template != null) {
            return req.getServletPath() + template;
        }
        if (status == 404) {
            return "NOT_FOUND";
        }
        if (status >= 300 && status < 400) {
            return "REDIRECTION";
        }
        HttpServletMapping m = req.getHttpServletMapping();
        if (m == null || m.getMappingMatch() == null) {
            return "UNKNOWN";
        }
        return switch (m.getMappingMatch()) {
            case DEFAULT -> "/**";
            case CONTEXT_ROOT -> "/";
            default -> m.getPattern();
        };
    }
}
