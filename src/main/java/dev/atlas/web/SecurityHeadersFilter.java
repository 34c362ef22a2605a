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
 * API answers, which carry one caller's view of the tasks. Stateless; thread-safe.
 */
@WebFilter(urlPatterns = "/*", asyncSupported = true)
public class SecurityHeadersFilter implements Filter {
    @Override
    public void doFilter(ServletRequest req, ServletResponse resp, FilterChain chain) throws IOException, ServletException {
        HttpServletResponse r = (HttpServletResponse) resp;
        r.setHeader("X-Content-Type-Options", "nosniff");
        r.setHeader("X-Frame-Options", "DENY");
        r.setHeader("Content-Security-Policy", "frame-ancestors 'none'");
        r.setHeader("Referrer-Policy", "no-referrer");
        String path = ((HttpServletRequest) req).getRequestURI();
        if (path.startsWith("/api/") || path.equals("/api")) {
            r.setHeader("Cache-Control", "no-store");
        }
        chain.doFilter(req, resp);
    }
}
