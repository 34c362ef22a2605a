package dev.atlas.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Retention: old events are pruned (keeping the latest N) and a client resuming from a pruned id gets a resync. */
class PruneIT {
    @Test
    void resumingFromAPrunedIdGetsAResync() {
        AtlasProcess.wipeData("prune");
        try (AtlasProcess server = new AtlasProcess("prune", Map.of(
                "ATLAS_EVENT_RETENTION_DAYS", "0",
                "ATLAS_EVENT_RETENTION_MIN_EVENTS", "3",
                "ATLAS_EVENT_PRUNE_INTERVAL_SECONDS", "1")).start()) {
            Api api = new Api(server::uri);
            for (int i = 0; i < 8; i++) {
                api.create("{\"title\":\"p" + i + "\"}");
            }
            long deadline = System.nanoTime() + 15_000_000_000L;
            long oldest = 0;
            while (System.nanoTime() < deadline && oldest != 6) {
                AtlasProcess.pause(100);
                oldest = api.get("/api/diagnostics").json().path("oldestEventId").asLong();
            }
            assertEquals(6, oldest, "the latest 3 of 8 events are kept");
            try (WsClient ws = WsClient.connectReady(server.wsUri("/ws?lastEventId=2"))) {
                JsonNode first = ws.nextJson();
                assertEquals("resync", first.path("event").asText(), first::toString);
            }
            try (WsClient ws = WsClient.connectReady(server.wsUri("/ws?lastEventId=5"))) {
                assertEquals(6, WsClient.idOf(ws.nextJson()), "still retained: replayed");
            }
        }
    }
}
