package dev.atlas.web;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import org.glassfish.jersey.servlet.ServletContainer;

/**
 * Jersey's servlet for {@code /api}, named in {@code web.xml} after {@link AtlasApplication} (Jersey's initializer then
 * gives it the application and the {@code @ApplicationPath} mapping), with one change: the base and request URIs of a
 * request are made from the request's own (already encoded) URL by {@link java.net.URI}, where Jersey's servlet rebuilds
 * both through its {@code UriBuilder} (parsing the URL, checking the host, encoding each part, parsing the result):
 * ~4 % of a REST request's CPU in a profile (docs/benchmarks.md, tenth session).
 *
 * <p>Only when every part is already what Jersey would make of it: the path and the query hold only characters Jersey
 * keeps as they are (see {@link #allowed}; {@code %} followed by two hex digits), and the authority is a host (and
 * port). Anything else goes through Jersey's own code, unchanged, which encodes or refuses
 * it. {@code ApiServletTest} checks both give the same URIs.
 */
public class ApiServlet extends ServletContainer {
    private static final long serialVersionUID = 1L;

    /** The last base URI made: the same for every request through one host name, scheme and port. */
    private transient volatile URI lastBase;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws ServletException, IOException {
        URI[] uris = uris(request.getRequestURL().toString(), request.getRequestURI(), request.getQueryString(),
                request.getContextPath() + request.getServletPath());
        if (uris == null) {
            super.service(request, response);
            return;
        }
        service(uris[0], uris[1], request, response);
    }

    /**
     * The base URI and the request URI, as Jersey's servlet makes them, or null when Jersey's own code must make them.
     *
     * @param requestUrl  {@code getRequestURL()}: scheme, authority and the encoded path
     * @param requestPath {@code getRequestURI()}: the encoded path, as the request line has it
     * @param query       {@code getQueryString()}, encoded, or null
     * @param basePath    the decoded context and servlet paths
     */
    URI[] uris(String requestUrl, String requestPath, String query, String basePath) {
        if (!requestUrl.endsWith(requestPath) || !allowed(requestPath, false) || (query != null && !allowed(query, true))
                || !allowed(basePath, false) || basePath.indexOf('%') >= 0) {
            return null;
        }
        String origin = requestUrl.substring(0, requestUrl.length() - requestPath.length());
        try {
            URI request = new URI(query == null || query.isEmpty() ? requestUrl : requestUrl + '?' + query);
            if (request.getHost() == null || request.getRawUserInfo() != null || request.getRawFragment() != null) {
                return null;
            }
            String base = origin + basePath + '/';
            URI last = lastBase;
            if (last == null || !last.toString().equals(base)) {
                last = new URI(base);
                lastBase = last;
            }
            return new URI[] {last, request};
        } catch (URISyntaxException e) {
            return null;
        }
    }

    /**
     * Whether {@code s} holds only characters Jersey keeps as they are: in a path RFC 3986's {@code pchar} and {@code /},
     * in a query unreserved characters and {@code & + =}; escapes well formed.
     */
    static boolean allowed(String s, boolean query) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
                continue;
            }
            switch (c) {
                case '-', '.', '_', '~', '&', '+', '=':
                    continue;
                case '!', '$', '\'', '(', ')', '*', ',', ';', ':', '@', '/':
                    if (!query) { // Jersey's query encoding escapes these; the path keeps them
                        continue;
                    }
                    return false;
                case '%':
                    if (i + 2 < n && hex(s.charAt(i + 1)) && hex(s.charAt(i + 2))) {
                        i += 2;
                        continue;
                    }
                    return false;
                default:
                    return false;
            }
        }
        return true;
    }

    private static boolean hex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
}
