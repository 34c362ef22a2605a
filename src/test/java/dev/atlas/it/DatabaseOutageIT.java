package dev.atlas.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * While PostgreSQL cannot be reached, API calls fail fast with 503 and Retry-After, readiness says not
 * ready, open WebSockets stay up; when it is back everything recovers by itself.
 */
class DatabaseOutageIT {
    @Test
    void failFastStayConnectedRecoverAlone() throws Exception {
        try (Postgres pg = new Postgres(); TcpProxy proxy = new TcpProxy(5432).start()) {
            Map<String, String> settings = new HashMap<>(pg.settings());
            settings.put("ATLAS_DB_URL", pg.jdbcUrl().replace(":5432/", ":" + proxy.port() + "/"));
            try (AtlasProcess server = new AtlasProcess("db-outage", settings).start();
                 WsClient ws = WsClient.connectReady(server.wsUri("/ws"))) {
                Api api = new Api(server::uri);
                api.create("{\"title\":\"before\"}");
                assertEquals("taskCreated", ws.nextJson().path("event").asText());

                proxy.cut();
                long t0 = System.nanoTime();
                Api.Reply down = api.post("/api/tasks", "{\"title\":\"during\"}");
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertEquals(503, down.status(), down::body);
                assertEquals("application/problem+json", down.contentType());
                assertEquals("5", down.header("Retry-After"));
                assertTrue(ms < 6000, "failed fast: " + ms + " ms");
                assertEquals(503, api.get("/api/tasks").status());
                assertEquals(503, api.get("/health/ready").status());
                assertEquals(200, api.get("/health/live").status());
                ws.send("{\"type\":\"ping\"}");
                assertEquals("pong", ws.nextJson().path("event").asText(), "open WebSockets stay up");

                proxy.restore();
                long deadline = System.nanoTime() + 30_000_000_000L;
                int status = 0;
                while (status != 201 && System.nanoTime() < deadline) {
                    status = api.post("/api/tasks", "{\"title\":\"after\"}").status();
                    if (status != 201) {
                        AtlasProcess.pause(250);
                    }
                }
                assertEquals(201, status, "recovers by itself");
                assertEquals(200, api.get("/health/ready").status());
                assertEquals("after", ws.nextJson().path("data").path("title").asText(),
                        "the event of the first change after the outage arrives; nothing from the failed one");
            }
        }
    }
}
