package dev.atlas.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atlas.event.EventType;
import io.swagger.v3.core.util.Json;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document as built from the resources: every endpoint with its parameters and errors, the bearer
 * scheme, headers, the event envelope, and no dangling reference.
 */
class ApiDocsTest {
    static JsonNode doc;

    @BeforeAll
    static void build() throws Exception {
        doc = new ObjectMapper().readTree(Json.pretty().writeValueAsString(ApiDocs.build("test")));
    }

    JsonNode op(String path, String method) {
        JsonNode o = doc.path("paths").path(path).path(method);
        assertFalse(o.isMissingNode(), () -> method + " " + path + " missing; paths: " + doc.path("paths").fieldNames());
        return o;
    }

    Set<String> statuses(JsonNode op) {
        Set<String> s = new TreeSet<>();
        op.path("responses").fieldNames().forEachRemaining(s::add);
        return s;
    }

    @Test
    void everyEndpointIsThere() {
        Map<String, List<String>> expected = Map.ofEntries(
                Map.entry("/api/tasks", List.of("get", "post")),
                Map.entry("/api/tasks/{id}", List.of("get", "put", "delete")),
                Map.entry("/api/tasks/{id}/start", List.of("post")),
                Map.entry("/api/tasks/{id}/complete", List.of("post")),
                Map.entry("/api/diagnostics", List.of("get")),
                Map.entry("/api/tokens", List.of("post")),
                Map.entry("/api/agents", List.of("get", "post")),
                Map.entry("/api/agents/{wallet}", List.of("get", "put", "delete")),
                Map.entry("/api/auth/nonce", List.of("post")),
                Map.entry("/api/auth/wallet", List.of("post")),
                Map.entry("/health/live", List.of("get")),
                Map.entry("/health/ready", List.of("get")),
                Map.entry("/metrics", List.of("get")));
        expected.forEach((path, methods) -> methods.forEach(m -> op(path, m)));
        Set<String> paths = new TreeSet<>();
        doc.path("paths").fieldNames().forEachRemaining(paths::add);
        assertEquals(new TreeSet<>(expected.keySet()), paths);
    }

    @Test
    void operationsHaveIdsAndTheErrorsTheyCanAnswer() {
        assertEquals("createTask", op("/api/tasks", "post").path("operationId").asText());
        assertEquals(Set.of("201", "400", "401", "403", "413", "415", "422", "429", "500", "503"), statuses(op("/api/tasks", "post")));
        assertEquals(Set.of("200", "400", "401", "429", "500", "503"), statuses(op("/api/tasks", "get")));
        assertEquals(Set.of("200", "401", "404", "429", "500", "503"), statuses(op("/api/tasks/{id}", "get")));
        assertEquals(Set.of("200", "400", "401", "403", "404", "412", "413", "415", "429", "500", "503"),
                statuses(op("/api/tasks/{id}", "put")));
        assertEquals(Set.of("200", "401", "404", "409", "412", "429", "500", "503"), statuses(op("/api/tasks/{id}/start", "post")));
        assertEquals(Set.of("200", "401", "404", "409", "412", "429", "500", "503"), statuses(op("/api/tasks/{id}/complete", "post")));
        assertEquals(Set.of("204", "401", "403", "404", "412", "429", "500", "503"), statuses(op("/api/tasks/{id}", "delete")));
        assertEquals(Set.of("200", "401", "403", "429", "500", "503"), statuses(op("/api/diagnostics", "get")));
        assertEquals(Set.of("200", "400", "401", "403", "404", "413", "415", "429", "500", "503"), statuses(op("/api/tokens", "post")));
        assertEquals(0, op("/api/auth/wallet", "post").path("security").size(), "the sign-in needs no token");
        assertEquals(0, op("/api/auth/nonce", "post").path("security").size());
        assertTrue(statuses(op("/api/auth/wallet", "post")).containsAll(Set.of("200", "401", "403")));
        assertEquals("#/components/responses/NotFound", op("/api/tasks/{id}", "get").path("responses").path("404").path("$ref").asText());
    }

    @Test
    void errorsAreProblemDocumentsWithRetryAfterWhereItApplies() {
        JsonNode responses = doc.path("components").path("responses");
        for (String name : List.of("BadRequest", "Unauthorized", "Forbidden", "NotFound", "Conflict", "PreconditionFailed",
                "PayloadTooLarge", "UnsupportedMediaType", "IdempotencyConflict", "TooManyRequests", "ServiceUnavailable", "InternalError")) {
            assertEquals("#/components/schemas/Problem",
                    responses.path(name).path("content").path("application/problem+json").path("schema").path("$ref").asText(), name);
        }
        assertFalse(responses.path("TooManyRequests").path("headers").path("Retry-After").isMissingNode());
        assertFalse(responses.path("ServiceUnavailable").path("headers").path("Retry-After").isMissingNode());
        assertFalse(responses.path("Unauthorized").path("headers").path("WWW-Authenticate").isMissingNode());
        JsonNode problem = doc.path("components").path("schemas").path("Problem").path("properties");
        for (String p : List.of("type", "title", "status", "detail", "errors", "errorId")) {
            assertFalse(problem.path(p).isMissingNode(), p);
        }
    }

    @Test
    void bearerAuthIsTheDefaultAndHealthNeedsNone() {
        JsonNode scheme = doc.path("components").path("securitySchemes").path("bearerAuth");
        assertEquals("http", scheme.path("type").asText());
        assertEquals("bearer", scheme.path("scheme").asText());
        assertEquals("bearerAuth", doc.path("security").path(0).fieldNames().next());
        assertEquals(0, op("/health/ready", "get").path("security").size());
        assertTrue(op("/health/ready", "get").path("security").isArray());
    }

    @Test
    void headersAndParametersAreDocumented() {
        JsonNode create = op("/api/tasks", "post");
        JsonNode created = create.path("responses").path("201").path("headers");
        for (String h : List.of("Location", "ETag", "Idempotent-Replayed")) {
            assertFalse(created.path(h).isMissingNode(), h);
        }
        assertTrue(params(create).contains("header:Idempotency-Key"));
        assertEquals("#/components/schemas/CreateTaskRequest",
                create.path("requestBody").path("content").path("application/json").path("schema").path("$ref").asText());
        assertTrue(params(op("/api/tasks/{id}/start", "post")).containsAll(List.of("path:id", "header:If-Match")));
        assertFalse(op("/api/tasks/{id}", "get").path("responses").path("200").path("headers").path("ETag").isMissingNode());
        List<String> list = params(op("/api/tasks", "get"));
        assertTrue(list.containsAll(List.of("query:status", "query:agentWallet", "query:limit", "query:cursor")), list::toString);
        JsonNode status = paramNamed(op("/api/tasks", "get"), "status");
        assertEquals(List.of("pending", "in_progress", "completed"), texts(status.path("schema").path("enum")));
        assertFalse(status.path("description").asText().isEmpty());
    }

    @Test
    void theEnvelopeAndTheEventNamesComeFromTheCode() {
        JsonNode schemas = doc.path("components").path("schemas");
        List<String> names = Arrays.stream(EventType.values()).map(EventType::wireName).toList();
        assertEquals(names, texts(schemas.path("EventName").path("enum")));
        JsonNode envelope = schemas.path("EventEnvelope");
        assertEquals(Set.of("event", "timestamp", "id", "data"), Set.copyOf(texts(envelope.path("required"))));
        assertEquals("#/components/schemas/EventName", envelope.path("properties").path("event").path("$ref").asText());
        String description = doc.path("info").path("description").asText();
        names.forEach(n -> assertTrue(description.contains("`" + n + "`"), n));
        assertTrue(description.contains("/ws") && description.contains("/socket.io/"));
        assertEquals(List.of("pending", "in_progress", "completed"),
                texts(schemas.path("TaskView").path("properties").path("status").path("enum")));
    }

    @Test
    void everyReferenceResolves() {
        List<String> dangling = new ArrayList<>();
        walk(doc, dangling);
        assertTrue(dangling.isEmpty(), () -> "dangling: " + dangling);
        assertFalse(doc.toString().contains("JsonNode"), "a JSON tree parameter leaked into the document");
    }

    private static void walk(JsonNode n, List<String> dangling) {
        if (n.isObject()) {
            JsonNode ref = n.get("$ref");
            if (ref != null && ref.isTextual()) {
                String[] parts = ref.asText().substring(2).split("/");
                JsonNode target = doc;
                for (String p : parts) {
                    target = target.path(p);
                }
                if (target.isMissingNode()) {
                    dangling.add(ref.asText());
                }
            }
            n.elements().forEachRemaining(c -> walk(c, dangling));
        } else if (n.isArray()) {
            n.elements().forEachRemaining(c -> walk(c, dangling));
        }
    }

    private static List<String> params(JsonNode op) {
        List<String> out = new ArrayList<>();
        op.path("parameters").forEach(p -> out.add(p.path("in").asText() + ":" + p.path("name").asText()));
        return out;
    }

    private static JsonNode paramNamed(JsonNode op, String name) {
        for (JsonNode p : op.path("parameters")) {
            if (p.path("name").asText().equals(name)) {
                return p;
            }
        }
        throw new AssertionError("no parameter " + name);
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(e -> out.add(e.asText()));
        return out;
    }
}
