package dev.atlas.web;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Headers on every response: no MIME sniffing, no framing by other sites (clickjacking), and no caching of
 * API answers, which carry one caller's view of the tasks. Every page but the Swagger UI gets a strict
 * {@link #STRICT_POLICY Content-Security-Policy}: scripts, styles and connections from this server only, no inline
 * script or style (the console and the agent view are written for it). Stateless; thread-safe.
 */
@WebFilter(urlPatterns = "/*", asyncSupported = true)
public class SecurityHeadersFilter implements Filter {
    /** The console's policy: everything from this origin ({@code 'self'} covers its ws:/wss: too), nothing inline. */
    public static final String STRICT_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
            + " connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
    /** The Swagger UI (third-party code that styles its elements inline) may only not be framed. */
    static final String API_DOCS_POLICY = "frame-ancestors 'none'";

    @Override
    public void doFilter(ServletRequest req, ServletResponse resp, FilterChain chain) throws IOException, ServletException {
        apply((HttpServletResponse) resp, ((HttpServletRequest) req).getRequestURI());
        chain.doFilter(req, resp);
    }

    /** Sets the headers for a response to a request for {@code path} (also used by {@link ErrorPageServlet}). */
    static void apply(HttpServletResponse r, String path) {
        r.setHeader("X-Content-Type-Options", "nosniff");
        r.setHeader("X-Frame-Options", "DENY");
        r.setHeader("Content-Security-Policy", path.startsWith("/api-docs") ? API_DOCS_POLICY : STRICT_POLICY);
        r.setHeader("Referrer-Policy", "no-referrer");
        if (path.startsWith("/api/") || path.equals("/api")) {
            r.setHeader("Cache-Control", "no-store");
        }
    }
}
