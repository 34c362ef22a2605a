package dev.atlas.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Replay on reconnect: a client that comes back with the id of the last event it saw gets every later
 * event, in order, exactly once, then live events with no gap or duplicate at the seam; an id that cannot
 * be replayed gets a {@code resync} first. On {@code /ws} (query parameter and resume message) and on
 * {@code /socket.io/} (connect payload).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplayIT {
    AtlasProcess server;
    Api api;

    @BeforeAll
    void start() {
        AtlasProcess.wipeData("replay");
        server = new AtlasProcess("replay", Map.of()).start();
        api = new Api(server::uri);
    }

    @AfterAll
    void stop() {
        server.stop();
    }

    /** Creates n tasks without agent: n events. Returns the id of the last one (from a reading client). */
    long createSeen(WsClient ws, int n) {
        long last = -1;
        for (int i = 0; i < n; i++) {
            api.create("{\"title\":\"r" + i + "\"}");
            last = WsClient.idOf(ws.nextJson());
        }
        return last;
    }

    @Test
    void reconnectWithLastEventIdGetsExactlyTheMissedEventsThenLive() {
        long seen;
        try (WsClient ws = WsClient.connectReady(server.wsUri("/ws"))) {
            seen = createSeen(ws, 3);
        }
        try (WsClient watcher = WsClient.connectReady(server.wsUri("/ws"))) {
            createSeen(watcher, 4); // happen while the first client is away
        }
        try (WsClient back = WsClient.connectReady(server.wsUri("/ws?lastEventId=" + seen))) {
            for (long id = seen + 1; id <= seen + 4; id++) {
                JsonNode e = back.nextJson();
                assertEquals("taskCreated", e.path("event").asText());
                assertEquals(id, WsClient.idOf(e), "missed events in order");
            }
            assertEquals(seen + 4, back.helloId(), "replay ends at the hello id");
            api.create("{\"title\":\"live\"}");
            assertEquals(seen + 5, WsClient.idOf(back.nextJson()), "then live, no gap, no duplicate");
        }
    }

    @Test
    void aResumeMessageSentFirstReplaysTheSameWay() {
        long seen;
        try (WsClient ws = WsClient.connectReady(server.wsUri("/ws"))) {
            seen = createSeen(ws, 2);
            createSeen(ws, 2);
        }
        try (WsClient back = WsClient.connectReady(server.wsUri("/ws"))) {
            back.send("{\"type\":\"resume\",\"lastEventId\":\"" + seen + "\"}");
            assertEquals(seen + 1, WsClient.idOf(back.nextJson()));
            assertEquals(seen + 2, WsClient.idOf(back.nextJson()));
            api.create("{\"title\":\"live\"}");
            assertEquals(seen + 3, WsClient.idOf(back.nextJson()));
        }
    }

    @Test
    void anUnknownOrMalformedIdGetsAResyncAndThenLiveEvents() {
        for (String id : new String[] {"99999999", "abc", "-4"}) {
            try (WsClient ws = WsClient.connectReady(server.wsUri("/ws?lastEventId=" + id))) {
                JsonNode resync = ws.nextJson();
                assertEquals("resync", resync.path("event").asText(), () -> "for " + id + ": " + resync);
                assertEquals(ws.helloId(), WsClient.idOf(resync));
                api.create("{\"title\":\"after resync\"}");
                assertEquals(ws.helloId() + 1, WsClient.idOf(ws.nextJson()));
            }
        }
    }

    @Test
    void socketIoConnectPayloadResumesWithLastEventIdOrOffset() {
        long seen;
        try (WsClient ws = WsClient.connectReady(server.wsUri("/ws"))) {
            seen = createSeen(ws, 1);
            createSeen(ws, 2);
        }
        for (String auth : new String[] {"{\"lastEventId\":\"" + seen + "\"}", "{\"offset\":\"" + seen + "\"}"}) {
            try (WsClient sio = WsClient.connect(server.wsUri("/socket.io/?EIO=4&transport=websocket"))) {
                assertTrue(sio.next().startsWith("0{"));
                sio.send("40" + auth);
                assertTrue(sio.next().startsWith("40{\"sid\""));
                for (long id = seen + 1; id <= seen + 2; id++) {
                    String frame = sio.next();
                    assertTrue(frame.startsWith("42[\"taskCreated\","), frame);
                    JsonNode envelope = WsClient.JSON.readTree(frame.substring(2)).get(1);
                    assertEquals(id, WsClient.idOf(envelope));
                }
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void noEventIsLostOrDuplicatedAtTheSeamWhileWritersRun() throws Exception {
        long start;
        try (WsClient ws = WsClient.connectReady(server.wsUri("/ws"))) {
            start = ws.helloId();
        }
        int writers = 4;
        int perWriter = 40;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            done.add(pool.submit(() -> {
                for (int i = 0; i < perWriter; i++) {
                    api.create("{\"title\":\"seam\"}");
                }
            }));
        }
        // resume from the start while the writers are busy: replay and live interleave at the seam
        try (WsClient back = WsClient.connectReady(server.wsUri("/ws?lastEventId=" + start))) {
            for (Future<?> f : done) {
                f.get();
            }
            pool.shutdown();
            for (long id = start + 1; id <= start + writers * perWriter; id++) {
                assertEquals(id, WsClient.idOf(back.nextJson()), "every id once, in order");
            }
        }
    }
}
