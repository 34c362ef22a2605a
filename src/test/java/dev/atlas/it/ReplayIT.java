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
 * {@code /socket.io/} (connect payload and {@code resume} event). A session resumes at most once, from the first
 * position it gives; a later resume, in any order, is refused with an error and replays nothing.
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

    // ---- a session resumes at most once, from the first position it gives ----

    /**
     * Reads a client's messages until the taskCreated of a marker task, which it returns last. The marker is made
     * only once a ping sent after the client's messages is answered: the server handles a session's messages in
     * order, so by then it has answered every one of them, and the marker's event cannot overtake an answer.
     */
    List<JsonNode> untilMarker(WsClient ws) {
        ws.send("{\"type\":\"ping\"}");
        List<JsonNode> seen = new ArrayList<>();
        JsonNode m;
        do {
            m = ws.nextJson();
            seen.add(m);
        } while (!"pong".equals(m.path("event").asText()));
        String marker = api.create("{\"title\":\"marker\"}").path("id").asText();
        do {
            m = ws.nextJson();
            seen.add(m);
        } while (!("taskCreated".equals(m.path("event").asText()) && marker.equals(m.path("data").path("id").asText())));
        return seen;
    }

    static List<Long> eventIds(List<JsonNode> messages) {
        return messages.stream().filter(m -> m.path("event").asText().startsWith("task")).map(WsClient::idOf).toList();
    }

    static long errors(List<JsonNode> messages) {
        return messages.stream().filter(m -> "error".equals(m.path("event").asText())
                && m.path("message").asText().startsWith("already resumed")).count();
    }

    /** Two missed events after {@code seen}: returns seen. */
    long twoMissed() {
        try (WsClient ws = WsClient.connectReady(server.wsUri("/ws"))) {
            long seen = createSeen(ws, 1);
            createSeen(ws, 2);
            return seen;
        }
    }

    @Test
    void aResumeMessageAfterTheQueryIsRefusedAndReplaysNothingTwice() {
        long seen = twoMissed();
        try (WsClient back = WsClient.connectReady(server.wsUri("/ws?lastEventId=" + seen))) {
            back.send("{\"type\":\"resume\",\"lastEventId\":\"" + seen + "\"}");
            List<JsonNode> got = untilMarker(back);
            List<Long> ids = eventIds(got);
            assertEquals(List.of(seen + 1, seen + 2, ids.get(2)), ids, got::toString);
            assertEquals(1, errors(got), got::toString);
        }
    }

    @Test
    void aSecondResumeMessageIsRefused() {
        long seen = twoMissed();
        try (WsClient back = WsClient.connectReady(server.wsUri("/ws"))) {
            back.send("{\"type\":\"resume\",\"lastEventId\":\"" + seen + "\"}");
            back.send("{\"type\":\"resume\",\"lastEventId\":\"" + (seen - 1) + "\"}");
            List<JsonNode> got = untilMarker(back);
            List<Long> ids = eventIds(got);
            assertEquals(List.of(seen + 1, seen + 2, ids.get(2)), ids, () -> "from the first position only: " + got);
            assertEquals(1, errors(got), got::toString);
        }
    }

    @Test
    void aResumeMessageAfterAPingReplays() {
        long seen = twoMissed();
        try (WsClient back = WsClient.connectReady(server.wsUri("/ws"))) {
            back.send("{\"type\":\"ping\"}");
            assertEquals("pong", back.nextJson().path("event").asText());
            back.send("{\"type\":\"resume\",\"lastEventId\":\"" + seen + "\"}");
            List<JsonNode> got = untilMarker(back);
            List<Long> ids = eventIds(got);
            assertEquals(List.of(seen + 1, seen + 2, ids.get(2)), ids, got::toString);
            assertEquals(0, errors(got), got::toString);
        }
    }

    @Test
    void aResumeMessageAfterLiveEventsReplaysOnlyWhatCameBeforeTheHelloAndOnlyOnce() {
        long seen = twoMissed();
        try (WsClient back = WsClient.connectReady(server.wsUri("/ws"))) {
            long live = createSeen(back, 1);
            back.send("{\"type\":\"resume\",\"lastEventId\":\"" + seen + "\"}");
            back.send("{\"type\":\"resume\",\"lastEventId\":\"" + seen + "\"}");
            List<JsonNode> got = untilMarker(back);
            List<Long> ids = eventIds(got);
            // the missed ones come after the live one already delivered, which is not sent again
            assertEquals(List.of(seen + 1, seen + 2, ids.get(2)), ids, got::toString);
            assertTrue(ids.get(2) > live);
            assertEquals(1, errors(got), got::toString);
        }
    }

    /** Raw Socket.IO on WebSocket: the open packet read, then {@code 40<payload>} answered. */
    WsClient sioConnected(String connectPayload) throws java.io.IOException {
        WsClient sio = WsClient.connect(server.wsUri("/socket.io/?EIO=4&transport=websocket"));
        assertTrue(sio.next().startsWith("0{"));
        sio.send("40" + connectPayload);
        assertTrue(sio.next().startsWith("40{\"sid\""));
        return sio;
    }

    /**
     * Reads Socket.IO frames (pings skipped) until the marker's taskCreated: event ids and acks, in order. The marker
     * is made once the client's {@code acks} acknowledgements have come, so its event cannot overtake one of them.
     */
    List<String> sioUntilMarker(WsClient sio, int acks) throws java.io.IOException {
        String marker = null;
        List<String> seen = new ArrayList<>();
        while (true) {
            if (marker == null && seen.stream().filter(f -> f.startsWith("43")).count() == acks) {
                marker = api.create("{\"title\":\"marker\"}").path("id").asText();
            }
            String f = sio.next();
            if (f.equals("2")) {
                sio.send("3");
                continue;
            }
            if (f.startsWith("43")) {
                seen.add(f);
                continue;
            }
            JsonNode args = WsClient.JSON.readTree(f.substring(2));
            seen.add(args.get(1).path("id").asText());
            if (marker != null && marker.equals(args.get(1).path("data").path("id").asText())) {
                return seen;
            }
        }
    }

    @Test
    void onSocketIoTheConnectsPositionIsTheOneResumeAndAResumeEventAfterItIsRefused() throws Exception {
        long seen = twoMissed();
        try (WsClient sio = sioConnected("{\"lastEventId\":\"" + seen + "\"}")) {
            sio.send("421[\"resume\",{\"lastEventId\":\"" + seen + "\"}]");
            List<String> got = sioUntilMarker(sio, 1);
            assertEquals(4, got.size(), got::toString);
            assertEquals(List.of(Long.toString(seen + 1), Long.toString(seen + 2)), got.stream().filter(f -> !f.startsWith("43")).limit(2).toList());
            String ack = got.stream().filter(f -> f.startsWith("431")).findFirst().orElseThrow();
            assertTrue(ack.contains("\"ok\":false") && ack.contains("already resumed"), ack);
        }
    }

    @Test
    void onSocketIoAResumeEventResumesOnceAndASecondOneIsRefused() throws Exception {
        long seen = twoMissed();
        try (WsClient sio = sioConnected("")) {
            sio.send("421[\"resume\",{\"lastEventId\":\"" + seen + "\"}]");
            sio.send("422[\"resume\",{\"lastEventId\":\"" + seen + "\"}]");
            List<String> got = sioUntilMarker(sio, 2);
            assertEquals(5, got.size(), got::toString);
            assertEquals("431[{\"ok\":true}]", got.get(0), "the first resume is acknowledged before its replay");
            List<String> ids = got.stream().filter(f -> !f.startsWith("43")).toList();
            assertEquals(List.of(Long.toString(seen + 1), Long.toString(seen + 2)), ids.subList(0, 2), got::toString);
            String second = got.stream().filter(f -> f.startsWith("432")).findFirst().orElseThrow();
            assertTrue(second.contains("\"ok\":false") && second.contains("already resumed"), second);
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
