package dev.atlas.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Lost updates and retries: strong ETags and If-Match (412 on a stale version, nothing changed, no event),
 * Idempotency-Key on create (a retry returns the original task and emits nothing; another body is 422).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConditionalRequestsIT {
    AtlasProcess server;
    Api api;

    @BeforeAll
    void start() {
        AtlasProcess.wipeData("conditional");
        server = new AtlasProcess("conditional", Map.of()).start();
        api = new Api(server::uri);
    }

    @AfterAll
    void stop() {
        server.stop();
    }

    Api.Reply withHeader(String method, String path, String body, String name, String value) {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri(path)).header(name, value)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return api.send(b);
    }

    @Test
    void getCarriesAStrongETagAndStaleIfMatchIs412AndChangesNothing() {
        try (WsClient ws = WsClient.connectReady(server.wsUri("/ws"))) {
            long id = api.create("{\"title\":\"v1\"}").path("id").asLong();
            ws.nextJson();
            Api.Reply got = api.get("/api/tasks/" + id);
            assertEquals("\"1\"", got.header("ETag"));

            Api.Reply edited = withHeader("PUT", "/api/tasks/" + id, "{\"title\":\"v2\"}", "If-Match", "\"1\"");
            assertEquals(200, edited.status(), edited::body);
            assertEquals("\"2\"", edited.header("ETag"));
            assertEquals("taskUpdated", ws.nextJson().path("event").asText());

            for (String[] call : new String[][] {{"PUT", "", "{\"title\":\"lost\"}"}, {"POST", "/start", null},
                    {"POST", "/complete", null}, {"DELETE", "", null}}) {
                Api.Reply stale = withHeader(call[0], "/api/tasks/" + id + call[1], call[2], "If-Match", "\"1\"");
                assertEquals(412, stale.status(), () -> call[0] + call[1] + ": " + stale.body());
                assertEquals("application/problem+json", stale.contentType());
            }
            assertEquals(412, withHeader("PUT", "/api/tasks/" + id, "{\"title\":\"x\"}", "If-Match", "W/\"2\"").status(),
                    "a weak tag never matches If-Match");
            assertEquals(412, withHeader("PUT", "/api/tasks/" + id, "{\"title\":\"x\"}", "If-Match", "garbage").status());

            JsonNode now = api.get("/api/tasks/" + id).json();
            assertEquals("v2", now.path("title").asText(), "nothing changed by the refused calls");
            assertEquals(2, now.path("version").asLong());

            assertEquals(200, withHeader("POST", "/api/tasks/" + id + "/start", null, "If-Match", "\"0\", \"2\"").status(),
                    "a list of tags matches when one does");
            assertEquals(200, withHeader("POST", "/api/tasks/" + id + "/complete", null, "If-Match", "*").status());
            assertEquals(204, withHeader("DELETE", "/api/tasks/" + id, null, "If-Match", "\"4\"").status());
            assertEquals("taskUpdated", ws.nextJson().path("event").asText(), "no event for any refused call");
            assertEquals("taskCompleted", ws.nextJson().path("event").asText());
            assertEquals("taskDeleted", ws.nextJson().path("event").asText());
        }
    }

    @Test
    void anIdempotentRetryReturnsTheOriginalAndEmitsNothing() {
        try (WsClient ws = WsClient.connectReady(server.wsUri("/ws"))) {
            String body = "{\"title\":\"pay invoice 7\",\"priority\":\"high\"}";
            Api.Reply first = withHeader("POST", "/api/tasks", body, "Idempotency-Key", "order-7-create");
            assertEquals(201, first.status(), first::body);
            assertEquals("taskCreated", ws.nextJson().path("event").asText());

            Api.Reply retry = withHeader("POST", "/api/tasks", body, "Idempotency-Key", "order-7-create");
            assertEquals(201, retry.status());
            assertEquals(first.json(), retry.json(), "the original task");
            assertEquals(first.header("Location"), retry.header("Location"));
            assertEquals("true", retry.header("Idempotent-Replayed"));

            Api.Reply other = withHeader("POST", "/api/tasks", "{\"title\":\"something else\"}", "Idempotency-Key", "order-7-create");
            assertEquals(422, other.status(), other::body);
            assertEquals("application/problem+json", other.contentType());

            assertEquals(400, withHeader("POST", "/api/tasks", body, "Idempotency-Key", "has spaces in it").status());

            api.create("{\"title\":\"marker\"}");
            JsonNode next = ws.nextJson();
            assertEquals("marker", next.path("data").path("title").asText(), "no event from the retry or the refusal");
            assertTrue(api.get("/api/tasks?limit=200").json().path("items").toString().split("pay invoice 7", -1).length == 2,
                    "one task, not two");
        }
    }
}
