package dev.atlas.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code /api-docs} of the packaged server with authentication on, asked without a token: the OpenAPI document
 * (JSON and YAML) with every endpoint and the bearer scheme, and the Swagger UI page whose scripts and styles
 * are served from the WAR with the right content types (the browser honours {@code nosniff}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiDocsIT {
    AtlasProcess server;
    Api anonymous;

    @BeforeAll
    void start() {
        AtlasProcess.wipeData("api-docs");
        server = new AtlasProcess("api-docs", Tokens.settings()).start();
        anonymous = new Api(server::uri);
    }

    @AfterAll
    void stop() {
        server.stop();
    }

    @Test
    void theDocumentNeedsNoTokenAndListsEveryEndpoint() {
        Api.Reply r = anonymous.get("/api-docs/openapi.json");
        assertEquals(200, r.status(), r::body);
        assertTrue(r.contentType().startsWith("application/json"), r.contentType());
        JsonNode doc = r.json();
        assertTrue(doc.path("openapi").asText().startsWith("3."), doc.path("openapi").asText());
        Map<String, List<String>> endpoints = Map.of(
                "/api/tasks", List.of("get", "post"),
                "/api/tasks/{id}", List.of("get", "put", "delete"),
                "/api/tasks/{id}/start", List.of("post"),
                "/api/tasks/{id}/complete", List.of("post"),
                "/api/diagnostics", List.of("get"),
                "/api/tokens", List.of("post"),
                "/health/live", List.of("get"),
                "/health/ready", List.of("get"),
                "/metrics", List.of("get"));
        endpoints.forEach((path, methods) -> methods.forEach(m ->
                assertFalse(doc.path("paths").path(path).path(m).isMissingNode(), m + " " + path)));
        assertEquals("bearer", doc.path("components").path("securitySchemes").path("bearerAuth").path("scheme").asText());
        assertFalse(doc.path("components").path("schemas").path("EventEnvelope").isMissingNode());
        assertTrue(doc.path("info").path("version").asText().length() > 0);
        assertEquals(401, anonymous.get("/api/tasks").status(), "the API itself still needs a token");
    }

    @Test
    void theYamlIsTheSameDocument() {
        Api.Reply r = anonymous.get("/api-docs/openapi.yaml");
        assertEquals(200, r.status());
        assertTrue(r.contentType().startsWith("application/yaml"), r.contentType());
        assertTrue(r.body().startsWith("openapi: 3."), r.body().substring(0, 40));
        assertTrue(r.body().contains("/api/tasks/{id}/start:"));
    }

    @Test
    void theUiPageAndItsFilesAreServedWithTheirTypes() {
        for (String page : List.of("/api-docs", "/api-docs/")) {
            Api.Reply r = anonymous.get(page);
            assertEquals(200, r.status(), page);
            assertTrue(r.contentType().startsWith("text/html"), r.contentType());
            assertTrue(r.body().contains("id=\"swagger-ui\""), r.body());
            assertEquals("nosniff", r.header("X-Content-Type-Options"));
        }
        String html = anonymous.get("/api-docs").body();
        Matcher scripts = Pattern.compile("src=\"([^\"]+)\"").matcher(html);
        int n = 0;
        while (scripts.find()) {
            Api.Reply js = anonymous.get(scripts.group(1));
            assertEquals(200, js.status(), scripts.group(1));
            assertTrue(js.contentType().startsWith("text/javascript"), scripts.group(1) + ": " + js.contentType());
            n++;
        }
        assertEquals(3, n, "bundle, standalone preset, initializer");
        Api.Reply bundle = anonymous.get("/api-docs/swagger-ui-bundle.js");
        assertTrue(bundle.body().length() > 500_000, "the whole Swagger UI bundle");
        assertTrue(bundle.body().contains("SwaggerUIBundle"));
        assertTrue(anonymous.get("/api-docs/init.js").body().contains("openapi.json"));
        Api.Reply css = anonymous.get("/api-docs/swagger-ui.css");
        assertEquals(200, css.status());
        assertTrue(css.contentType().startsWith("text/css"), css.contentType());
        assertEquals(404, anonymous.get("/api-docs/swagger-ui.js.map").status());
        assertEquals(404, anonymous.get("/api-docs/../WEB-INF/classes/dev/atlas/web/api-docs.html").status());
    }
}
