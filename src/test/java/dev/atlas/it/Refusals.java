package dev.atlas.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.junit.jupiter.api.function.Executable;

/**
 * Requests that the container or Jersey refuses before Atlas's code sees them, sent byte for byte, and the exact
 * answer to each. Inside the web application (a header Jersey cannot parse, {@code TRACE}, a path with no resource,
 * the error page itself) the answer is Atlas's problem document with the security headers. Before it (a path Tomcat
 * cannot decode, a request line or header over the limit, a non-numeric length) it is the container's JSON report
 * that {@code AtlasServer} and {@code conf/tomcat/server.xml} configure: {@code {"status": 400}}. No answer names
 * the container or its version.
 */
final class Refusals {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LONG = "a".repeat(9_000);

    /** Who answers a refusal. */
    enum By { APPLICATION, CONTAINER }

    record Case(String name, String request, int status, String type, By by) {
    }

    static final List<Case> CASES = List.of(
            new Case("malformed Content-Type", "POST /api/tasks HTTP/1.1\r\nContent-Type: ;;;\r\nContent-Length: 2\r\n\r\n{}",
                    400, "bad-request", By.APPLICATION),
            new Case("Content-Type with a broken parameter",
                    "POST /api/tasks HTTP/1.1\r\nContent-Type: application/json; charset=\"\r\nContent-Length: 2\r\n\r\n{}",
                    400, "bad-request", By.APPLICATION),
            new Case("malformed Accept", "GET /api/tasks HTTP/1.1\r\nAccept: ;;;\r\n", 400, "bad-request",
                    By.APPLICATION),
            new Case("TRACE on the API", "TRACE /api/tasks HTTP/1.1\r\n", 405, "method-not-allowed", By.APPLICATION),
            new Case("TRACE on a page", "TRACE / HTTP/1.1\r\n", 405, "method-not-allowed", By.APPLICATION),
            new Case("no such page", "GET /nothing-here.html HTTP/1.1\r\n", 404, "not-found", By.APPLICATION),
            new Case("no such API path", "GET /api/nothing-here HTTP/1.1\r\n", 404, "not-found", By.APPLICATION),
            new Case("the error page asked for", "GET /error HTTP/1.1\r\n", 404, "not-found", By.APPLICATION),
            new Case("NUL in the path", "GET /api/tasks/%00 HTTP/1.1\r\n", 400, null, By.CONTAINER),
            new Case("encoded slash after dot-dot", "GET /api/..%2ftasks HTTP/1.1\r\n", 400, null, By.CONTAINER),
            new Case("dot-dot above the root", "GET /../etc/passwd HTTP/1.1\r\n", 400, null, By.CONTAINER),
            new Case("request line over the limit", "GET /api/tasks?q=" + LONG + " HTTP/1.1\r\n", 400, null, By.CONTAINER),
            new Case("header over the limit", "GET /api/tasks HTTP/1.1\r\nX-Padding: " + LONG + "\r\n", 400, null,
                    By.CONTAINER),
            new Case("non-numeric Content-Length", "POST /api/tasks HTTP/1.1\r\nContent-Length: abc\r\n", 400, null,
                    By.CONTAINER));

    private Refusals() {
    }

    /** Sends every case to {@code send} (a raw request to the server's reply) and checks each answer. */
    static void assertEachIsClean(Function<String, RawHttp.Reply> send) {
        assertAll(CASES.stream().map(c -> (Executable) () -> check(c, send.apply(c.request()))));
    }

    /** A HEAD that finds nothing: the problem's headers, no body. */
    static void assertHeadIsClean(Function<String, RawHttp.Reply> send) {
        RawHttp.Reply r = send.apply("HEAD /nothing-here.html HTTP/1.1\r\n");
        assertEquals(404, r.status(), r::whole);
        assertEquals("application/problem+json", r.header("Content-Type"), r::whole);
        assertEquals("", r.body(), r::whole);
        securityHeaders("HEAD", r);
    }

    private static void check(Case c, RawHttp.Reply r) throws Exception {
        String what = c.name() + ":\n" + r.whole();
        assertEquals(c.status(), r.status(), what);
        String lower = r.whole().toLowerCase(Locale.ROOT);
        assertFalse(lower.contains("tomcat") || lower.contains("jetty") || lower.contains("jersey")
                || lower.contains("apache"), () -> "names the server: " + what);
        assertFalse(lower.contains("<html") || lower.contains("exception"), () -> "an HTML page or a class: " + what);
        String server = r.header("Server");
        assertTrue(server == null || server.equals("Atlas"), what);
        if (c.by() == By.APPLICATION) {
            assertEquals("application/problem+json", r.header("Content-Type"), what);
            JsonNode p = JSON.readTree(r.body());
            assertEquals("https://atlas.dev/problems/" + c.type(), p.path("type").asText(), what);
            assertEquals(c.status(), p.path("status").asInt(), what);
            assertFalse(p.path("title").asText().isEmpty(), what);
            assertFalse(p.path("detail").asText().isEmpty(), what);
            securityHeaders(what, r);
            assertEquals("no-store", r.header("Cache-Control"), what);
            if (c.status() == 405) {
                assertNotNull(r.header("Allow"), what);
            }
        } else {
            assertTrue(r.header("Content-Type").startsWith("application/json"), what);
            assertEquals(c.status(), JSON.readTree(r.body()).path("status").asInt(), what);
        }
    }

    private static void securityHeaders(String what, RawHttp.Reply r) {
        assertEquals("nosniff", r.header("X-Content-Type-Options"), what);
        assertEquals("DENY", r.header("X-Frame-Options"), what);
        assertNotNull(r.header("Content-Security-Policy"), what);
    }

    /** {@code port} to a sender of raw requests from 127.0.0.1. */
    static Function<String, RawHttp.Reply> to(int port) {
        return request -> RawHttp.exchange("127.0.0.1", port, request);
    }
}
