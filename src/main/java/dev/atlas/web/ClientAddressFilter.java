package dev.atlas.web;

import dev.atlas.security.RequestPrincipal;
import jakarta.inject.Inject;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;

/**
 * Works out each {@code /api} request's client IP once (the forwarded one only from a trusted proxy) and
 * leaves it in the request attribute {@value #ATTRIBUTE}, which JAX-RS filters read as a request property.
 * (Injecting the servlet request into a singleton JAX-RS filter needs an HK2 proxy, which breaks when the
 * WAR's libraries are also on the parent class path, as under Arquillian's embedded Tomcat.) When the request
 * ends it clears the thread's {@link RequestPrincipal}. Thread-safe.
 */
@WebFilter(urlPatterns = "/api/*", asyncSupported = true)
public class ClientAddressFilter implements Filter {
    public static final String ATTRIBUTE = "atlas.clientIp";

    @Inject
    AuthFilter.ApiLimits limits;

    @Override
    public void doFilter(ServletRequest req, ServletResponse resp, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest http = (HttpServletRequest) req;
        req.setAttribute(ATTRIBUTE, limits.clientIp().of(http.getRemoteAddr(), http.getHeader("X-Forwarded-For")));
        try {
            chain.doFilter(req, resp);
        } finally {
            RequestPrincipal.clear(); // the request is over: its caller does not stay on a pooled thread
        }
    }
}
