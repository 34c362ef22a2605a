package dev.atlas.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tasks and event ids survive a graceful restart and a crash of the embedded run (H2 under the data dir). */
class RestartIT {

    @Test
    void tasksAndEventIdsSurviveAGracefulRestart() {
        AtlasProcess.wipeData("restart-graceful");
        JsonNode task;
        long lastId;
        try (AtlasProcess first = new AtlasProcess("restart-graceful", Map.of()).start()) {
            Api api = new Api(first::uri);
            try (WsClient ws = WsClient.connectReady(first.wsUri("/ws"))) {
                task = api.create("{\"title\":\"survive\",\"agentWallet\":\"0x" + "1".repeat(40) + "\"}");
                ws.nextJson();
                lastId = Long.parseLong(ws.nextJson().path("id").asText());
            }
            first.stop();
            try (AtlasProcess second = new AtlasProcess("restart-graceful", Map.of()).start()) {
                Api api2 = new Api(second::uri);
                assertEquals(task, api2.get("/api/tasks/" + task.path("id").asLong()).json());
                try (WsClient ws = WsClient.connectReady(second.wsUri("/ws"))) {
                    assertEquals(lastId, ws.helloId(), "ids continue after a restart");
                    api2.create("{\"title\":\"after\"}");
                    assertEquals(lastId + 1, Long.parseLong(ws.nextJson().path("id").asText()));
                }
            }
        }
    }

    @Test
    void everyAcknowledgedCreateSurvivesKill9() {
        AtlasProcess.wipeData("restart-kill");
        long lastAcknowledged;
        try (AtlasProcess first = new AtlasProcess("restart-kill", Map.of()).start()) {
            Api api = new Api(first::uri);
            lastAcknowledged = 0;
            for (int i = 0; i < 20; i++) {
                lastAcknowledged = api.create("{\"title\":\"k" + i + "\"}").path("id").asLong();
            }
            first.kill();
        }
        try (AtlasProcess second = new AtlasProcess("restart-kill", Map.of()).start()) {
            Api api = new Api(second::uri);
            assertEquals(200, api.get("/api/tasks/" + lastAcknowledged).status(),
                    "a create acknowledged with 201 before kill -9 is on disk");
            assertEquals(20, api.get("/api/tasks?limit=200").json().path("items").size());
        }
    }
}
