package dev.atlas.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One client stops reading among several: once its queue passes the bound, or once one send to it has been
 * stuck longer than the send timeout, it is closed with 1013 and a reason, and every other client still
 * receives every event. A client that never reads again cannot take the close frame: its connection is cut
 * after the close timeout all the same, and its session is gone.
 */
class SlowConsumerIT {
    @Test
    void aStalledClientIsClosedWhenItsQueueOverflowsAndTheOthersGetEverything() {
        stalledClientIsClosed("slow", Map.of(
                "ATLAS_WS_QUEUE_MAX_MESSAGES", "20",
                "ATLAS_WS_SEND_TIMEOUT_MS", "120000"), "slow consumer: more than 20 messages");
    }

    @Test
    void aStalledClientIsClosedWhenOneSendTakesLongerThanTheSendTimeout() {
        stalledClientIsClosed("slow-send", Map.of(
                "ATLAS_WS_QUEUE_MAX_MESSAGES", "100000",
                "ATLAS_WS_QUEUE_MAX_BYTES", "1000000000",
                "ATLAS_WS_SEND_TIMEOUT_MS", "1500"), "slow consumer: a send did not complete within 1500 ms");
    }

    private static void stalledClientIsClosed(String name, Map<String, String> settings, String reason) {
        AtlasProcess.wipeData(name);
        try (AtlasProcess server = new AtlasProcess(name, settings).start()) {
            Api api = new Api(server::uri);
            List<WsClient> healthy = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                healthy.add(WsClient.connectReady(server.wsUri("/ws")));
            }
            WsClient stalled = WsClient.connectReady(server.wsUri("/ws"));
            stalled.stopReading();
            long first = healthy.get(0).helloId() + 1;
            int created = createUntilClosedAsSlowConsumer(api, healthy);

            assertTrue(api.get("/api/diagnostics").json().path("stalledSends").asLong() > 0,
                    "the send to the stalled client blocked its sender lane, which went on with the others on a new thread");
            stalled.resumeReading();
            assertEquals(1013, stalled.awaitClose());
            assertTrue(stalled.closeReason().startsWith(reason), stalled.closeReason());

            api.create("{\"title\":\"after\"}");
            for (WsClient c : healthy) {
                assertEquals(first + created, WsClient.idOf(c.nextJson()), "others unaffected");
                c.close();
            }
        }
    }

    @Test
    void aClientThatNeverReadsAgainIsCutAfterTheCloseTimeout() {
        AtlasProcess.wipeData("slow-never");
        try (AtlasProcess server = new AtlasProcess("slow-never", Map.of("ATLAS_WS_QUEUE_MAX_MESSAGES", "20")).start()) {
            Api api = new Api(server::uri);
            List<WsClient> healthy = List.of(WsClient.connectReady(server.wsUri("/ws")));
            WsClient stalled = WsClient.connectReady(server.wsUri("/ws"));
            stalled.stopReading();
            createUntilClosedAsSlowConsumer(api, healthy);
            // the close frame cannot reach a client whose buffers are full: the socket is cut after 5 s
            long deadline = System.nanoTime() + 20_000_000_000L;
            int sessions = -1;
            while (System.nanoTime() < deadline && (sessions = api.get("/api/diagnostics").json().path("sessions").asInt()) != 1) {
                AtlasProcess.pause(200);
            }
            assertEquals(1, sessions, "only the healthy session is left while the stalled client still reads nothing");
            stalled.resumeReading();
            // The connection ends: what was buffered, then no close frame or the 1013. How soon is Tomcat's: a close
            // frame it could not send within 5 s (ABNORMAL_SESSION_CLOSE_SEND_TIMEOUT) cuts the socket at once, but one
            // that went out as the client read again waits 5 s more for the client's reply (SESSION_CLOSE_TIMEOUT),
            // checked by the container's background sweep every 10 s (org.apache.tomcat.websocket.DEFAULT_PROCESS_PERIOD):
            // up to 20 s after the close began, whatever the client does.
            stalled.awaitClose(Duration.ofSeconds(25));
            healthy.get(0).close();
        }
    }

    /** Creates large events until the server reports a slow-consumer close; the healthy clients read as they go. */
    private static int createUntilClosedAsSlowConsumer(Api api, List<WsClient> healthy) {
        long before = api.get("/api/diagnostics").json().path("slowConsumerCloses").asLong();
        long first = healthy.get(0).helloId() + 1;
        String big = "d".repeat(9_000); // large events fill the socket buffers quickly
        int created = 0;
        while (created < 3000 && api.get("/api/diagnostics").json().path("slowConsumerCloses").asLong() == before) {
            for (int i = 0; i < 20; i++) {
                api.create("{\"title\":\"slow " + created + "\",\"description\":\"" + big + "\"}");
                created++;
            }
            for (WsClient c : healthy) {
                for (int i = 0; i < 20; i++) {
                    assertEquals(first + created - 20 + i, WsClient.idOf(c.nextJson()));
                }
            }
        }
        assertTrue(api.get("/api/diagnostics").json().path("slowConsumerCloses").asLong() > before,
                "the stalled client was closed as a slow consumer after " + created + " events");
        return created;
    }
}
