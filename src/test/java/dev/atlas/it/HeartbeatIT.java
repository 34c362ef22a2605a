package dev.atlas.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * /ws heartbeat: the server pings; a client that answers (every WebSocket client does, automatically)
 * lives on, and one that stopped answering — a dead peer — is closed with 1001 "ping timeout".
 */
class HeartbeatIT {
    @Test
    void liveClientsStayAndSilentOnesAreClosed() {
        AtlasProcess.wipeData("heartbeat");
        try (AtlasProcess server = new AtlasProcess("heartbeat", Map.of("ATLAS_WS_PING_INTERVAL_SECONDS", "1")).start();
             WsClient alive = WsClient.connectReady(server.wsUri("/ws"))) {
            Api api = new Api(server::uri);
            WsClient dead = WsClient.connectReady(server.wsUri("/ws"));
            dead.stopReading(); // no more reads: its pongs stop too
            long deadline = System.nanoTime() + 15_000_000_000L;
            int sessions = 2;
            while (sessions > 1 && System.nanoTime() < deadline) {
                AtlasProcess.pause(200);
                sessions = api.get("/api/diagnostics").json().path("sessions").asInt();
            }
            assertEquals(1, sessions, "the silent client was dropped after a missed pong");
            dead.resumeReading();
            assertEquals(1001, dead.awaitClose());
            assertEquals("ping timeout", dead.closeReason());
            dead.close();

            api.create("{\"title\":\"still here\"}");
            assertEquals("still here", alive.nextJson().path("data").path("title").asText(),
                    "the answering client survived several ping rounds");
        }
    }
}
