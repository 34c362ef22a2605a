package dev.atlas.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.ws.rs.core.UriBuilder;
import java.net.URI;
import java.util.Random;
import org.glassfish.jersey.server.internal.ContainerUtils;
import org.glassfish.jersey.uri.UriComponent;
import org.junit.jupiter.api.Test;

/**
 * {@link ApiServlet}'s URIs are Jersey's: for generated request URLs, paths, queries and base paths, either it makes
 * exactly the URIs Jersey's servlet makes (the steps of {@code ServletContainer.service}, through Jersey's own
 * {@code UriBuilder}, below) or it leaves the request to Jersey's code.
 */
class ApiServletTest {
    private final ApiServlet servlet = new ApiServlet();

    /** What Jersey's {@code ServletContainer.service(HttpServletRequest, HttpServletResponse)} makes, or null if it refuses. */
    private static URI[] jersey(String requestUrl, String requestPath, String query, String basePath) {
        try {
            UriBuilder absolute = UriBuilder.fromUri(requestUrl);
            String encodedBase = UriComponent.contextualEncode(basePath, UriComponent.Type.PATH) + "/";
            URI base = absolute.replacePath(encodedBase).build();
            String q = ContainerUtils.encodeUnsafeCharacters(query);
            URI request = absolute.replacePath(requestPath).replaceQuery(q == null ? "" : q).build();
            return new URI[] {base, request};
        } catch (RuntimeException e) {
            return null;
        }
    }

    @Test
    void theCommonRequestsTakeTheShortWayAndGetJerseysUris() {
        String[][] cases = {
                {"http://127.0.0.1:3001/api/tasks", "/api/tasks", null, "/api"},
                {"http://127.0.0.1:3001/api/tasks/42", "/api/tasks/42", null, "/api"},
                {"http://localhost:3001/api/tasks", "/api/tasks", "status=pending&limit=50&cursor=abc%3D%3D", "/api"},
                {"https://atlas.example.com/api/tasks/7/start", "/api/tasks/7/start", "", "/api"},
                {"http://[::1]:8080/atlas/api/agents/0xAb", "/atlas/api/agents/0xAb", "a=b&c=d+e", "/atlas/api"},
        };
        for (String[] c : cases) {
            URI[] ours = servlet.uris(c[0], c[1], c[2], c[3]);
            assertNotNull(ours, String.join(" ", c[0], c[1]));
            URI[] theirs = jersey(c[0], c[1], c[2], c[3]);
            assertEquals(theirs[0].toString(), ours[0].toString());
            assertEquals(theirs[1].toString(), ours[1].toString());
        }
    }

    @Test
    void theBaseUriIsMadeOnceForTheSameOrigin() {
        URI[] a = servlet.uris("http://127.0.0.1:3001/api/tasks", "/api/tasks", null, "/api");
        URI[] b = servlet.uris("http://127.0.0.1:3001/api/tasks/1", "/api/tasks/1", null, "/api");
        assertSame(a[0], b[0]);
        URI[] c = servlet.uris("http://localhost:3001/api/tasks", "/api/tasks", null, "/api");
        assertEquals("http://localhost:3001/api/", c[0].toString());
    }

    @Test
    void whatJerseyWouldEncodeOrRefuseIsLeftToJersey() {
        assertNull(servlet.uris("http://h/api/a%zz", "/api/a%zz", null, "/api"), "a bad escape");
        assertNull(servlet.uris("http://h/api/a{b}", "/api/a{b}", null, "/api"), "braces Jersey encodes");
        assertNull(servlet.uris("http://h/api/a", "/api/a", "x=|", "/api"), "a pipe in the query");
        assertNull(servlet.uris("http://h/api/a", "/api/a", null, "/my app/api"), "a decoded space in the context path");
        assertNull(servlet.uris("http://h_h/api/a", "/api/a", null, "/api"), "not a host name");
        assertNull(servlet.uris("http://u@h/api/a", "/api/a", null, "/api"), "user information");
        assertNull(servlet.uris("http://h/api/\u00e9", "/api/\u00e9", null, "/api"), "a character outside ASCII");
        assertTrue(ApiServlet.allowed("/a/b;c=d/%2F", false));
        assertFalse(ApiServlet.allowed("/a?b", false));
        assertFalse(ApiServlet.allowed("a?b", true));
        assertTrue(ApiServlet.allowed("a=b&c=%20", true));
        assertFalse(ApiServlet.allowed("%4", false));
    }

    @Test
    void agreesWithJerseyOnGeneratedRequests() {
        Random random = new Random(3986);
        String[] origins = {"http://127.0.0.1:3001", "http://localhost", "https://Atlas.Example.com:8443", "http://[::1]:80",
                "http://10.0.0.7:3001", "http://h_h:1", "http://xn--bcher-kva.example"};
        String[] bases = {"/api", "/ctx/api", "/a;b/api", "/c%20d/api", "/e f/api", "/\u00fc/api"};
        String pathChars = "az09-._~!$&'()*+,;=:@/%2F%41%zz{}|\\^`[] \"<>?#\u00e9";
        String queryChars = "az09=&+-._~%20%3D%zz?/:@,;!$'()*{}|\\^` []\"<>#\u00e9";
        int shortWay = 0;
        for (int i = 0; i < 20_000; i++) {
            String origin = origins[random.nextInt(origins.length)];
            String base = bases[random.nextInt(bases.length)];
            String path = base + "/" + pick(random, pathChars, random.nextInt(12));
            String query = switch (random.nextInt(3)) {
                case 0 -> null;
                case 1 -> "";
                default -> pick(random, queryChars, 1 + random.nextInt(12));
            };
            String encodedBase = UriComponent.contextualEncode(base, UriComponent.Type.PATH);
            String decodedBase = UriComponent.decode(encodedBase, UriComponent.Type.PATH);
            String url = origin + path;
            URI[] ours = servlet.uris(url, path, query, decodedBase);
            if (ours == null) {
                continue; // Jersey's own code runs: nothing to compare
            }
            shortWay++;
            URI[] theirs = jersey(url, path, query, decodedBase);
            String c = url + " ? " + query + " base " + decodedBase;
            assertNotNull(theirs, "Jersey refuses what the short way took: " + c);
            assertEquals(theirs[0].toString(), ours[0].toString(), c);
            assertEquals(theirs[1].toString(), ours[1].toString(), c);
        }
        assertTrue(shortWay > 1_000, "the generated requests also exercise the short way: " + shortWay);
    }

    private static String pick(Random random, String chars, int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            char c = chars.charAt(random.nextInt(chars.length()));
            if (c == '%' && random.nextBoolean()) {
                b.append("%4").append("1aF".charAt(random.nextInt(3)));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
