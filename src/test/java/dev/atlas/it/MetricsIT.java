package dev.atlas.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code /metrics} of the packaged server: Prometheus text with Atlas's meters, the JVM's and the pool's, and
 * counters that move with real traffic — one task created while two {@code /ws} clients listen is one committed
 * event, two deliveries and two latency samples (each recorded when that client's send completed).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsIT {
    AtlasProcess server;
    Api api;

    @BeforeAll
    void start() {
        AtlasProcess.wipeData("metrics");
        server = new AtlasProcess("metrics", Map.of()).start();
        api = new Api(server::uri);
    }

    @AfterAll
    void stop() {
        server.stop();
    }

    Scrape scrape() {
        Api.Reply r = api.get("/metrics");
        assertEquals(200, r.status(), r::body);
        return new Scrape(r.body());
    }

    @Test
    void answersPrometheusTextWithAtlasJvmAndPoolMeters() {
        Api.Reply r = api.get("/metrics");
        assertEquals(200, r.status());
        assertEquals("text/plain;version=0.0.4;charset=utf-8", r.contentType().toLowerCase().replace(" ", ""));
        assertEquals("no-store", r.header("Cache-Control"));
        assertTrue(r.body().contains("# TYPE atlas_events_committed_total counter"), r.body());
        assertTrue(r.body().contains("# TYPE atlas_events_delivery_latency_seconds histogram"), r.body());
        Scrape s = new Scrape(r.body());
        for (String name : List.of("atlas_events_committed_total", "atlas_events_delivered_total", "atlas_events_dropped_total",
                "atlas_events_delivery_latency_seconds_bucket", "atlas_events_delivery_latency_seconds_count",
                "atlas_push_slow_consumer_closes_total", "atlas_engineio_sessions",
                "jvm_memory_used_bytes", "jvm_gc_memory_allocated_bytes_total", "jvm_threads_live_threads",
                "jvm_classes_loaded_classes", "process_uptime_seconds")) {
            assertTrue(s.hasMetric(name), () -> name + " missing from\n" + r.body());
        }
        assertTrue(s.has("atlas_push_sessions{transport=\"ws\"}"), r.body());
        assertTrue(s.has("atlas_push_sessions{transport=\"socket.io\"}"), r.body());
        assertTrue(s.has("hikaricp_connections_active{pool=\"atlas\"}"), r.body());
        assertTrue(s.has("hikaricp_connections_max{pool=\"atlas\"}"), r.body());
        assertTrue(s.has("atlas_events_delivery_latency_seconds_bucket{le=\"+Inf\"}"), r.body());
    }

    @Test
    void aCreatedTaskIsOneCommittedEventAndADeliveryAndLatencySamplePerClient() {
        List<WsClient> clients = new ArrayList<>();
        try {
            clients.add(WsClient.connectReady(server.wsUri("/ws")));
            clients.add(WsClient.connectReady(server.wsUri("/ws")));
            Scrape before = Scrape.await(this::scrape, s -> s.value("atlas_push_sessions{transport=\"ws\"}") == 2,
                    "two open /ws sessions");
            double latencyBefore = before.value("atlas_events_delivery_latency_seconds_count");

            JsonNode task = api.create("{\"title\":\"Counted\"}");
            for (WsClient c : clients) {
                JsonNode event = c.nextJson();
                assertEquals("taskCreated", event.path("event").asText());
                assertEquals(task.path("id").asLong(), event.path("data").path("id").asLong());
            }
            // each latency sample is recorded when Tomcat reports that client's send complete
            Scrape after = Scrape.await(this::scrape,
                    s -> s.value("atlas_events_delivery_latency_seconds_count") >= latencyBefore + 2, "two latency samples");
            assertEquals(before.value("atlas_events_committed_total") + 1, after.value("atlas_events_committed_total"));
            assertEquals(before.value("atlas_events_delivered_total") + 2, after.value("atlas_events_delivered_total"));
            assertEquals(before.value("atlas_events_dropped_total"), after.value("atlas_events_dropped_total"));
            assertEquals(latencyBefore + 2, after.value("atlas_events_delivery_latency_seconds_count"));
            assertEquals(after.value("atlas_events_delivery_latency_seconds_count"),
                    after.value("atlas_events_delivery_latency_seconds_bucket{le=\"+Inf\"}"));
        } finally {
            clients.forEach(WsClient::close);
        }
        Scrape.await(this::scrape, s -> s.value("atlas_push_sessions{transport=\"ws\"}") == 0, "the sessions to close");
    }

    @Test
    void engineIoConnectionsAndTheirLongPollsAreCounted() {
        double before = scrape().value("atlas_engineio_sessions");
        Api.Reply open = api.get("/socket.io/?EIO=4&transport=polling");
        assertEquals(200, open.status(), open::body);
        String sid = open.body().replaceAll("(?s).*\"sid\":\"([^\"]+)\".*", "$1");
        Scrape.await(this::scrape, s -> s.value("atlas_engineio_sessions") >= before + 1, "an Engine.IO session");
        // a GET with nothing to collect is held (servlet async) until a frame is due; "40" (CONNECT) makes one due
        var held = java.net.http.HttpClient.newHttpClient().sendAsync(java.net.http.HttpRequest.newBuilder(
                server.uri("/socket.io/?EIO=4&transport=polling&sid=" + sid)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, api.post("/socket.io/?EIO=4&transport=polling&sid=" + sid, "40").status());
        assertEquals(200, held.orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join().statusCode());
        Scrape s = Scrape.await(this::scrape, x -> x.value("http_server_requests_seconds_count{method=\"GET\",outcome=\"SUCCESS\","
                + "status=\"200\",uri=\"/socket.io/*\"}") >= 2, "two timed polls");
        assertTrue(s.value("http_server_requests_seconds_count{method=\"POST\",outcome=\"SUCCESS\",status=\"200\",uri=\"/socket.io/*\"}") >= 1, s::text);
        assertFalse(s.text().contains(sid), "no session id in a label");
    }

    @Test
    void httpRequestsAreTimedByRouteTemplateNeverByRawPath() {
        JsonNode task = api.create("{\"title\":\"Routed\"}");
        long id = task.path("id").asLong();
        assertEquals(200, api.get("/api/tasks/" + id).status());
        assertEquals(200, api.post("/api/tasks/" + id + "/start", null).status());
        assertEquals(404, api.get("/api/tasks/987654321").status());
        assertEquals(404, api.get("/no/such/page/" + id).status());
        Scrape s = scrape();
        assertTrue(s.value("http_server_requests_seconds_count{method=\"GET\",outcome=\"SUCCESS\",status=\"200\",uri=\"/api/tasks/{id}\"}") >= 1, s::text);
        assertTrue(s.value("http_server_requests_seconds_count{method=\"POST\",outcome=\"SUCCESS\",status=\"200\",uri=\"/api/tasks/{id}/start\"}") >= 1, s::text);
        assertTrue(s.value("http_server_requests_seconds_count{method=\"GET\",outcome=\"CLIENT_ERROR\",status=\"404\",uri=\"/api/tasks/{id}\"}") >= 1, s::text);
        assertTrue(s.value("http_server_requests_seconds_count{method=\"GET\",outcome=\"CLIENT_ERROR\",status=\"404\",uri=\"NOT_FOUND\"}") >= 1, s::text);
        assertTrue(s.value("http_server_requests_seconds_count{method=\"GET\",outcome=\"SUCCESS\",status=\"200\",uri=\"/health/*\"}") >= 1, s::text);
        assertFalse(s.text().contains("/" + id + "\""), () -> "a raw path with an id in\n" + s.text());
        assertFalse(s.text().contains("987654321"), s::text);
        assertFalse(s.text().contains("/no/such"), s::text);
    }
}
