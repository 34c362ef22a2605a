package dev.atlas.it;

import static dev.atlas.it.NodeClient.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Retention: old events are pruned (keeping the latest N) and a client resuming from a pruned id gets a resync;
 * a socket.io-client whose offset was pruned is told it did not recover.
 */
class PruneIT {
    static final Duration WAIT = Duration.ofSeconds(15);

    static AtlasProcess pruningServer(String name) {
        AtlasProcess.wipeData(name);
        return new AtlasProcess(name, Map.of(
                "ATLAS_EVENT_RETENTION_DAYS", "0",
                "ATLAS_EVENT_RETENTION_MIN_EVENTS", "3",
                "ATLAS_EVENT_PRUNE_INTERVAL_SECONDS", "1")).start();
    }

    /** Waits until the oldest event kept is {@code id}. */
    static void awaitOldest(Api api, long id) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        long oldest = 0;
        while (System.nanoTime() < deadline && oldest != id) {
            AtlasProcess.pause(100);
            oldest = api.get("/api/diagnostics").json().path("oldestEventId").asLong();
        }
        assertEquals(id, oldest, "the oldest event kept");
    }

    @Test
    void resumingFromAPrunedIdGetsAResync() {
        try (AtlasProcess server = pruningServer("prune")) {
            Api api = new Api(server::uri);
            for (int i = 0; i < 8; i++) {
                api.create("{\"title\":\"p" + i + "\"}");
            }
            awaitOldest(api, 6); // the latest 3 of 8 events are kept
            try (WsClient ws = WsClient.connectReady(server.wsUri("/ws?lastEventId=2"))) {
                JsonNode first = ws.nextJson();
                assertEquals("resync", first.path("event").asText(), first::toString);
            }
            try (WsClient ws = WsClient.connectReady(server.wsUri("/ws?lastEventId=5"))) {
                assertEquals(6, WsClient.idOf(ws.nextJson()), "still retained: replayed");
            }
        }
    }

    /** An offset older than retention: {@code socket.recovered} is false and a resync tells the app to refetch. */
    @Test
    void aSocketIoClientWhoseOffsetWasPrunedDoesNotRecoverAndIsToldToResync() {
        NodeClient.nodeExecutable();
        try (AtlasProcess server = pruningServer("prune-sio");
                NodeClient c = NodeClient.script("sio-pruned", "sio-client.mjs", server.uri("").toString(), "websocket", "60")) {
            Api api = new Api(server::uri);
            c.awaitLine(type("connect"), WAIT, "connect");
            api.create("{\"title\":\"seen\"}"); // event 1, the client's offset
            c.awaitLine(n -> "event".equals(n.path("type").asText()) && "1".equals(n.path("args").path(1).textValue()),
                    WAIT, "event 1");
            c.sendJson(Map.of("cmd", "drop"));
            c.awaitLine(type("disconnect"), WAIT, "disconnect");
            for (int i = 0; i < 6; i++) {
                api.create("{\"title\":\"missed " + i + "\"}");
            }
            awaitOldest(api, 5); // events 2..4, which the client missed, are gone
            c.sendJson(Map.of("cmd", "reconnect"));
            assertFalse(c.awaitLines(type("connect"), 2, WAIT, "connect again").get(1).path("recovered").asBoolean(true),
                    c::tail);
            JsonNode resync = c.awaitLine(n -> "resync".equals(n.path("name").asText()), WAIT, "resync");
            assertEquals("resync", resync.path("args").path(0).path("event").asText(), resync::toString);
        }
    }
}
