package dev.atlas.web;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.ext.Provider;
import java.util.List;
import org.glassfish.jersey.server.ExtendedUriInfo;
import org.glassfish.jersey.uri.UriTemplate;

/**
 * Leaves the matched resource template of every {@code /api} request ({@code /tasks/{id}/start}, never the
 * path with its ids) in the request attribute {@value #ATTRIBUTE} for {@link HttpMetricsFilter}'s
 * {@code uri} tag. Runs for aborted requests and mapped exceptions too. Stateless; thread-safe.
 */
@Provider
public class MatchedRouteFilter implements ContainerResponseFilter {
    /** A JAX-RS request property, which in a servlet container is a request attribute. */
    public static final String ATTRIBUTE = "atlas.route";

    @Override
    public void filter(ContainerRequestContext req, ContainerResponseContext resp) {
        if (req.getUriInfo() instanceof ExtendedUriInfo info) {
            List<UriTemplate> matched = info.getMatchedTemplates();
            if (!matched.isEmpty()) {
                req.setProperty(ATTRIBUTE, template(matched));
            }
        }
    }

    /** Jersey lists the templates innermost first: {@code [{id: [0-9]+}/start, /tasks]} → {@code /tasks/{id}/start}. */
    static String template(List<UriTemplate> innermostFirst) {
        StringBuilder path = new StringBuilder();
        for (int i = innermostFirst.size() - 1; i >= 0; i--) {
            String t = withoutRegex(innermostFirst.get(i).getTemplate());
            if (!t.isEmpty() && !t.equals("/")) {
                path.append(t.startsWith("/") ? "" : "/").append(t.endsWith("/") ? t.substring(0, t.length() - 1) : t);
            }
        }
        return path.length() == 0 ? "/" : path.toString();
    }

    /** {@code {id: [0-9]{1,18}}} → {@code {id}}: the variable's name without its pattern (which has braces of its own). */
    static String withoutRegex(String template) {
        StringBuilder out = new StringBuilder(template.length());
        int depth = 0;
        boolean skipping = false;
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c == '{') {
                depth++;
                if (depth == 1) {
                    out.append(c);
                }
            } else if (c == '}') {
                depth--;
                if (depth == 0) {
                    skipping = false;
                    out.append(c);
                }
            } else if (depth == 1 && c == ':') {
                skipping = true;
            } else if (depth == 0 || (depth == 1 && !skipping && c != ' ')) {
                out.append(c);
            }
        }
        return out.toString();
    }
}
