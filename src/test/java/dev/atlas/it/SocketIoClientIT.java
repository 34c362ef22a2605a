package dev.atlas.it;

import static dev.atlas.it.NodeClient.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntPredicate;
import java.util.function.Predicate;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code /socket.io/} as the old server's clients see it: the real {@code socket.io-client} 4.8 (pinned in
 * {@code src/test/node}), driven through {@code sio-client.mjs} as a child process, against the packaged
 * server in its own process. Default options (polling, then the upgrade to WebSocket) and
 * {@code transports: ["websocket"]}: events, acks, heartbeats, reconnection after a restart, the registry
 * and the serialize-once counters.
 *
 * <p>The server runs with a short heartbeat ({@value #PING_INTERVAL_MS} ms interval, {@value #PING_TIMEOUT_MS}
 * ms timeout), so every test also runs across many pings. The restart test replaces the server by another
 * process on the same port and data directory; it runs last, though no test depends on the order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SocketIoClientIT {
    static final int PING_INTERVAL_MS = 300;
    static final int PING_TIMEOUT_MS = 1000;
    static final Duration WAIT = Duration.ofSeconds(15);
    static final Duration RESTART_WAIT = Duration.ofSeconds(60);
    static final String NAME = "sio-clients";
    static final String WALLET = "0x" + "c0ffee".repeat(6) + "abcd";
    static final List<String> FIVE = List.of("taskCreated", "taskAssigned", "taskUpdated", "taskCompleted", "taskDeleted");

    AtlasProcess server;
    Api api;
    private final List<AutoCloseable> clients = new ArrayList<>();
    private int clientCount;

    @BeforeAll
    void startServer() {
        NodeClient.nodeExecutable(); // fail fast, with the reason, when Node or its modules are missing
        NodeClient.nodeDir();
        AtlasProcess.wipeData(NAME);
        server = new AtlasProcess(NAME, Map.of(
                "ATLAS_SIO_PING_INTERVAL_MS", Integer.toString(PING_INTERVAL_MS),
                "ATLAS_SIO_PING_TIMEOUT_MS", Integer.toString(PING_TIMEOUT_MS))).start();
        api = new Api(p -> server.uri(p));
    }

    @AfterEach
    void closeClients() {
        for (AutoCloseable c : clients) {
            try {
                c.close();
            } catch (Exception e) {
                // closing the next one matters more
            }
        }
        clients.clear();
    }

    @AfterAll
    void stopServer() {
        if (server != null) {
            server.stop();
        }
    }

    /** A socket.io-client with default options ({@code "default"}) or websocket only ({@code "websocket"}). */
    NodeClient sio(String mode) {
        return sio(mode, "socket.io-client");
    }

    /** As {@link #sio(String)}, with another pinned client package ({@code socket.io-client-4.5}: the old one). */
    NodeClient sio(String mode, String clientPackage) {
        // the lifetime only bounds an orphaned client; it must outlast the longest test (two restarts on a busy box)
        NodeClient c = NodeClient.script("sio-" + mode + "-" + (++clientCount), "sio-client.mjs",
                server.uri("").toString(), mode, "300", clientPackage);
        clients.add(c);
        return c;
    }

    WsClient ws() {
        WsClient c = WsClient.connectReady(server.wsUri("/ws"));
        clients.add(c);
        return c;
    }

    /** Waits for the socket.io connection: handshake on the expected transport, then the namespace connect. */
    static JsonNode awaitConnected(NodeClient c, String mode) {
        JsonNode open = c.awaitLine(type("open"), WAIT, "Engine.IO open");
        assertEquals("websocket".equals(mode) ? "websocket" : "polling", open.path("transport").asText(),
                () -> "handshake transport " + c.tail());
        JsonNode connect = c.awaitLine(type("connect"), WAIT, "connect");
        if ("default".equals(mode)) {
            JsonNode upgrade = c.awaitLine(type("upgrade"), WAIT, "upgrade");
            assertEquals("websocket", upgrade.path("transport").asText(), () -> "upgraded to " + c.tail());
        } else {
            assertEquals(mode, connect.path("transport").asText());
        }
        return connect;
    }

    static Predicate<JsonNode> eventWithId(String id) {
        return n -> "event".equals(n.path("type").asText()) && id.equals(n.path("args").path(0).path("id").asText());
    }

    /** The five kinds of event, caused over REST, as a /ws client receives them (6 envelopes, in id order). */
    List<JsonNode> causeAllFiveEvents(WsClient ws) {
        long task = api.create("{\"title\":\"All five\",\"agentWallet\":\"" + WALLET + "\"}").path("id").asLong();
        assertEquals(200, api.post("/api/tasks/" + task + "/start", null).status());
        Api.Reply edit = api.put("/api/tasks/" + task, "{\"title\":\"All five, edited\",\"priority\":\"high\"}");
        assertEquals(200, edit.status(), edit::body);
        assertEquals(200, api.post("/api/tasks/" + task + "/complete", null).status());
        assertEquals(204, api.delete("/api/tasks/" + task).status());
        List<JsonNode> envelopes = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            envelopes.add(ws.nextJson());
        }
        assertEquals(List.of("taskCreated", "taskAssigned", "taskUpdated", "taskUpdated", "taskCompleted", "taskDeleted"),
                envelopes.stream().map(e -> e.path("event").asText()).toList(), "the /ws reference");
        return envelopes;
    }

    /**
     * Every envelope reached the socket.io client as the first argument of the event of its name (the second is
     * its id, the offset of connection state recovery), equal to
     * the /ws one field for field and in the same key order (Node re-prints what it parsed), in id order.
     */
    static void assertSameEvents(NodeClient c, List<JsonNode> reference) {
        List<String> seenIds = new ArrayList<>();
        for (JsonNode envelope : reference) {
            String id = envelope.path("id").asText();
            JsonNode line = c.awaitLine(eventWithId(id), WAIT, "event with id " + id);
            assertEquals(envelope.path("event").asText(), line.path("name").asText(), () -> "event name: " + line);
            assertEquals(2, line.path("args").size(), () -> "the envelope, then the recovery offset: " + line);
            assertEquals(id, line.path("args").path(1).textValue(), () -> "the offset is the event id: " + line);
            JsonNode arg = line.path("args").path(0);
            assertEquals(envelope, arg, "same envelope as /ws");
            assertEquals(envelope.toString(), arg.toString(), "same envelope text as /ws, key order included");
        }
        for (JsonNode e : c.linesOfType("event")) {
            seenIds.add(e.path("args").path(0).path("id").asText());
        }
        List<String> expected = reference.stream().map(e -> e.path("id").asText()).toList();
        assertEquals(expected, seenIds.stream().filter(expected::contains).toList(), "events in id order");
        assertTrue(reference.stream().map(e -> e.path("event").asText()).toList().containsAll(FIVE));
    }

    @Test
    @Order(1)
    void defaultOptionsConnectOnPollingUpgradeToWebSocketAndReceiveAllFiveEvents() {
        WsClient ws = ws();
        NodeClient c = sio("default");
        awaitConnected(c, "default");
        assertSameEvents(c, causeAllFiveEvents(ws));
        assertTrue(c.linesOfType("disconnect").isEmpty(), c::tail);
    }

    /** {@code transports: ["websocket"]}, and {@code ["polling"]}, where events wait for the held GET. */
    @ParameterizedTest
    @ValueSource(strings = {"websocket", "polling"})
    @Order(2)
    void oneTransportOnlyReceivesAllFiveEvents(String mode) {
        WsClient ws = ws();
        NodeClient c = sio(mode);
        awaitConnected(c, mode);
        assertSameEvents(c, causeAllFiveEvents(ws));
        assertTrue(c.linesOfType("upgrade").isEmpty(), "no upgrade");
        assertTrue(c.linesOfType("disconnect").isEmpty(), c::tail);
        assertEquals(mode, c.awaitLine(type("connect"), WAIT, "connect").path("transport").asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "websocket", "polling"})
    @Order(3)
    void acksAnswerAuthenticateAndRefuseUnknownEvents(String mode) {
        NodeClient c = sio(mode);
        awaitConnected(c, mode);
        c.sendJson(Map.of("cmd", "emitWithAck", "event", "authenticate", "args", List.of(Map.of("token", "x"))));
        JsonNode auth = c.awaitLine(n -> "authenticate".equals(n.path("event").asText()), WAIT, "authenticate ack");
        assertEquals("ack", auth.path("type").asText(), () -> "an answer, not a timeout: " + auth);
        JsonNode answer = auth.path("answer");
        assertTrue(answer.path("ok").isBoolean(), () -> "boolean ok in " + answer);
        // this server runs in development mode (ATLAS_AUTH=off): every token is the development admin.
        // Real verification, with refusals, is SecurityPushIT's.
        assertTrue(answer.path("ok").asBoolean(), answer::toString);
        assertEquals("admin", answer.path("role").asText(), answer::toString);

        c.sendJson(Map.of("cmd", "emitWithAck", "event", "somethingElse"));
        JsonNode other = c.awaitLine(n -> "somethingElse".equals(n.path("event").asText()), WAIT, "somethingElse ack");
        assertEquals("ack", other.path("type").asText(), () -> "an answer, not a timeout: " + other);
        assertFalse(other.path("answer").path("ok").asBoolean(true), other::toString);
        assertTrue(other.path("answer").path("error").asText().contains("somethingElse"),
                () -> "the error names the event: " + other);
        assertTrue(c.linesOfType("disconnect").isEmpty(), c::tail);
    }

    @Test
    @Order(4)
    void everyTransportStaysConnectedAcrossManyHeartbeatsAndStillReceivesEvents() {
        List<String> modes = List.of("default", "websocket", "polling");
        List<NodeClient> all = modes.stream().map(this::sio).toList();
        for (int i = 0; i < all.size(); i++) {
            awaitConnected(all.get(i), modes.get(i));
        }
        // 15 pings are 4.5 s at 300 ms; a pong later than 1 s would have closed the session
        Duration pings = Duration.ofMillis(15L * PING_INTERVAL_MS).plus(WAIT);
        for (NodeClient c : all) {
            c.awaitLines(type("ping"), 15, pings, "pings");
        }
        for (NodeClient c : all) {
            assertEquals(List.of(), c.linesOfType("disconnect"), c::tail);
            assertEquals(1, c.linesOfType("connect").size(), c::tail);
        }
        String id = api.create("{\"title\":\"After the pings\"}").path("id").asText();
        for (NodeClient c : all) {
            JsonNode e = c.awaitLine(n -> "event".equals(n.path("type").asText())
                    && id.equals(n.path("args").path(0).path("data").path("id").asText()), WAIT, "event after the pings");
            assertEquals("taskCreated", e.path("name").asText());
            assertEquals(List.of(), c.linesOfType("disconnect"), c::tail);
        }
    }

    /**
     * Clients that connect and upgrade while tasks are being created: from its first event on, each gets
     * every event, once, in id order — whether it arrived on polling, in the upgrade's hand-over, or on the
     * WebSocket; and polling-only clients, whose GETs then carry several packets.
     */
    @Test
    @Order(5)
    void noEventIsLostDuplicatedOrReorderedAcrossTheUpgradeUnderLoad() throws Exception {
        // polling-only clients get batches of packets per GET under this load
        List<String> modes = List.of("default", "polling", "default", "default", "polling", "default");
        WsClient reference = ws();
        AtomicBoolean writing = new AtomicBoolean(true);
        ExecutorService writers = Executors.newFixedThreadPool(4);
        List<NodeClient> joining = new ArrayList<>();
        try {
            long stopAt = System.nanoTime() + WAIT.toNanos();
            List<Future<Integer>> done = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                done.add(writers.submit(() -> {
                    int n = 0;
                    while (writing.get() && System.nanoTime() < stopAt) {
                        api.create("{\"title\":\"load " + n++ + "\"}");
                    }
                    return n;
                }));
            }
            reference.nextJson(); // writes are flowing
            for (String mode : modes) {
                joining.add(sio(mode));
                AtlasProcess.pause(100); // stagger the joins over the stream of events
            }
            for (int i = 0; i < joining.size(); i++) {
                NodeClient c = joining.get(i);
                awaitConnected(c, modes.get(i));
                c.awaitLines(type("event"), 20, WAIT, "a stream of events"); // some before, during and after the upgrade
            }
            writing.set(false);
            for (Future<Integer> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            writing.set(false);
            writers.shutdownNow();
        }
        // a marker after the last write: its id is the last one every client must reach
        String marker = api.create("{\"title\":\"marker\"}").path("id").asText();
        long last = reference.nextMatching(e -> marker.equals(e.path("data").path("id").asText())).path("id").asLong();
        for (NodeClient c : joining) {
            c.awaitLine(eventWithId(Long.toString(last)), WAIT, "the last event, " + last);
            List<Long> ids = c.linesOfType("event").stream().map(e -> e.path("args").path(0).path("id").asLong()).toList();
            long first = ids.get(0);
            List<Long> expected = LongStream.rangeClosed(first, last).boxed().toList();
            assertEquals(expected, ids, () -> "every event from the first one on, once, in order" + c.tail());
        }
    }

    @Test
    @Order(6)
    void eachEventIsSerializedOnceAndItsSocketIoFrameBuiltOnceForAllClients() {
        List<String> modes = List.of("default", "websocket", "default");
        List<NodeClient> sio = modes.stream().map(this::sio).toList();
        List<WsClient> ws = List.of(ws(), ws(), ws());
        for (int i = 0; i < sio.size(); i++) {
            awaitConnected(sio.get(i), modes.get(i));
        }
        JsonNode before = diagnostics();
        String id = api.create("{\"title\":\"Once\"}").path("id").asText();
        String eventId = null;
        for (WsClient w : ws) {
            JsonNode e = w.nextJson();
            assertEquals(id, e.path("data").path("id").asText());
            eventId = e.path("id").asText();
        }
        for (NodeClient c : sio) {
            c.awaitLine(eventWithId(eventId), WAIT, "the event");
        }
        JsonNode after = diagnostics();
        assertEquals(before.path("envelopesSerialized").asLong() + 1, after.path("envelopesSerialized").asLong(),
                () -> "one serialization for 6 clients: " + before + " -> " + after);
        assertEquals(before.path("socketIoFramesBuilt").asLong() + 1, after.path("socketIoFramesBuilt").asLong(),
                () -> "one Socket.IO frame for 3 socket.io clients: " + before + " -> " + after);
    }

    @Test
    @Order(7)
    void socketIoClientsAreInTheRegistryWhileConnectedAndLeaveItOnExit() {
        // the clients of earlier tests are killed after each test; wait until the server has let go of them
        awaitTransport("socket.io", n -> n == 0);
        int baseline = 0;
        awaitDiagnostics(d -> d.path("engineIoSessions").asInt() == 0, "no Engine.IO session left (a killed polling client times out)");
        int engineBaseline = 0;
        NodeClient a = sio("default");
        NodeClient b = sio("websocket");
        awaitConnected(a, "default"); // upgraded: its exit closes a WebSocket, seen at once
        awaitConnected(b, "websocket");
        awaitTransport("socket.io", n -> n == baseline + 2);
        assertEquals(engineBaseline + 2, diagnostics().path("engineIoSessions").asInt());
        for (NodeClient c : List.of(a, b)) {
            c.sendJson(Map.of("cmd", "exit"));
            assertEquals(0, c.awaitExit(WAIT), c::tail);
        }
        awaitTransport("socket.io", n -> n == baseline);
        awaitDiagnostics(d -> d.path("engineIoSessions").asInt() == engineBaseline, "engineIoSessions back to " + engineBaseline);
    }

    /** Creates a task over REST and returns the id of its taskCreated event, as the /ws reference received it. */
    String createdEventId(WsClient ws, String title) {
        String task = api.create("{\"title\":\"" + title + "\"}").path("id").asText();
        return ws.nextMatching(e -> "taskCreated".equals(e.path("event").asText())
                && task.equals(e.path("data").path("id").asText())).path("id").asText();
    }

    /** The ids of the task events a client received, in arrival order; each one's offset argument is its id. */
    static List<String> eventIds(NodeClient c) {
        List<String> ids = new ArrayList<>();
        for (JsonNode e : c.linesOfType("event")) {
            if (!"resync".equals(e.path("name").asText())) {
                String id = e.path("args").path(0).path("id").asText();
                assertEquals(id, e.path("args").path(1).textValue(), () -> "the offset is the event id: " + e);
                ids.add(id);
            }
        }
        return ids;
    }

    /**
     * Connection state recovery with the stock client and its default recovery: the link drops, tasks change
     * meanwhile, and the client's own reconnection (its pid and last offset in the CONNECT) brings every missed
     * event once, in order, before the live ones, with {@code socket.recovered} true.
     */
    @ParameterizedTest
    @ValueSource(strings = {"default", "websocket", "polling"})
    @Order(8)
    void aDroppedClientRecoversEveryMissedEventOnceInOrder(String mode) {
        WsClient ws = ws();
        NodeClient c = sio(mode);
        assertFalse(awaitConnected(c, mode).path("recovered").asBoolean(), () -> "a first connect recovers nothing" + c.tail());
        List<String> expected = new ArrayList<>(List.of(createdEventId(ws, "before the drop")));
        c.awaitLine(eventWithId(expected.get(0)), WAIT, "the event before the drop");

        c.sendJson(Map.of("cmd", "drop"));
        c.awaitLine(type("disconnect"), WAIT, "disconnect");
        for (int i = 0; i < 3; i++) {
            expected.add(createdEventId(ws, "missed " + i));
        }
        c.sendJson(Map.of("cmd", "reconnect"));
        JsonNode again = c.awaitLines(type("connect"), 2, WAIT, "connect again").get(1);
        assertTrue(again.path("recovered").asBoolean(), () -> "socket.recovered after the drop: " + c.tail());
        expected.add(createdEventId(ws, "after the drop"));
        c.awaitLine(eventWithId(expected.get(4)), WAIT, "the live event after the recovery");
        assertEquals(expected, eventIds(c), () -> "every event once, in order, the missed ones first" + c.tail());
    }

    /** A client that had received no event yet sends no offset: its pid alone says where it was. */
    @Test
    @Order(9)
    void aClientDroppedBeforeItsFirstEventRecoversFromItsPid() {
        WsClient ws = ws();
        NodeClient c = sio("websocket");
        awaitConnected(c, "websocket");
        c.sendJson(Map.of("cmd", "drop"));
        c.awaitLine(type("disconnect"), WAIT, "disconnect");
        List<String> expected = List.of(createdEventId(ws, "missed a"), createdEventId(ws, "missed b"));
        c.sendJson(Map.of("cmd", "reconnect"));
        assertTrue(c.awaitLines(type("connect"), 2, WAIT, "connect again").get(1).path("recovered").asBoolean(), c::tail);
        c.awaitLine(eventWithId(expected.get(1)), WAIT, "the second missed event");
        String live = createdEventId(ws, "live");
        c.awaitLine(eventWithId(live), WAIT, "the live event");
        assertEquals(List.of(expected.get(0), expected.get(1), live), eventIds(c), c::tail);
    }

    /**
     * The old 4.5 client knows nothing of recovery: its handlers get the envelope first, as before (the offset
     * after it is an argument they ignore), and after a drop it simply connects again, not recovered.
     */
    @Test
    @Order(10)
    void anOldClientGetsTheEnvelopeFirstAndReconnectsWithoutRecovery() {
        WsClient ws = ws();
        NodeClient c = sio("websocket", "socket.io-client-4.5");
        awaitConnected(c, "websocket");
        assertSameEvents(c, causeAllFiveEvents(ws));
        c.sendJson(Map.of("cmd", "drop"));
        c.awaitLine(type("disconnect"), WAIT, "disconnect");
        c.sendJson(Map.of("cmd", "reconnect"));
        assertFalse(c.awaitLines(type("connect"), 2, WAIT, "connect again").get(1).path("recovered").asBoolean(), c::tail);
        String live = createdEventId(ws, "live for 4.5");
        c.awaitLine(eventWithId(live), WAIT, "a live event after the reconnect");
    }

    /**
     * Recovery across a restart: events committed on the stopped server after the drop and on its successor
     * before the reconnect all come from the outbox, once, in order; {@code socket.recovered} is true.
     */
    @Test
    @Order(19)
    void aDroppedClientRecoversAcrossAServerRestart() {
        WsClient ws = ws();
        NodeClient c = sio("websocket");
        awaitConnected(c, "websocket");
        List<String> expected = new ArrayList<>(List.of(createdEventId(ws, "before the restart")));
        c.awaitLine(eventWithId(expected.get(0)), WAIT, "the first event");
        c.sendJson(Map.of("cmd", "drop"));
        c.awaitLine(type("disconnect"), WAIT, "disconnect");
        expected.add(createdEventId(ws, "on the old server"));
        ws.close();
        clients.remove(ws);
        server.stop();
        server = server.successor().start();
        WsClient ws2 = ws();
        expected.add(createdEventId(ws2, "on the successor"));
        c.sendJson(Map.of("cmd", "reconnect"));
        assertTrue(c.awaitLines(type("connect"), 2, RESTART_WAIT, "connect to the successor").get(1)
                .path("recovered").asBoolean(), c::tail);
        c.awaitLine(eventWithId(expected.get(2)), WAIT, "the event committed on the successor");
        assertEquals(expected, eventIds(c), c::tail);
    }

    @Test
    @Order(20)
    void bothClientsReconnectByThemselvesAfterTheServerIsKilledAndAfterItIsStopped() {
        NodeClient polling = sio("default");
        NodeClient websocket = sio("websocket");
        awaitConnected(polling, "default");
        awaitConnected(websocket, "websocket");
        List<NodeClient> both = List.of(polling, websocket);

        server.kill();
        restartAndAssertReconnected(both, 2, "after kill -9");

        server.stop();
        restartAndAssertReconnected(both, 3, "after a graceful stop");
    }

    private void restartAndAssertReconnected(List<NodeClient> clients, int connects, String when) {
        for (NodeClient c : clients) {
            c.awaitLines(type("disconnect"), connects - 1, WAIT, "disconnect " + when);
        }
        int port = server.port();
        server = server.successor().start();
        assertEquals(port, server.port());
        for (NodeClient c : clients) {
            JsonNode connect = c.awaitLines(type("connect"), connects, RESTART_WAIT, "connect " + when).get(connects - 1);
            // no event was missed (none was written while the server was away): the recovery is complete
            assertTrue(connect.path("recovered").asBoolean(), () -> "socket.recovered " + when + c.tail());
        }
        clients.get(0).awaitLines(type("upgrade"), connects, WAIT, "upgrade " + when); // the default client, again
        awaitTransport("socket.io", n -> n == clients.size());
        String id = api.create("{\"title\":\"" + when + "\"}").path("id").asText();
        for (NodeClient c : clients) {
            JsonNode e = c.awaitLine(n -> "event".equals(n.path("type").asText())
                    && id.equals(n.path("args").path(0).path("data").path("id").asText()), WAIT, "event " + when);
            assertEquals("taskCreated", e.path("name").asText());
            assertTrue(c.isAlive(), c::tail);
        }
    }

    JsonNode diagnostics() {
        Api.Reply r = api.get("/api/diagnostics");
        assertEquals(200, r.status(), r::body);
        return r.json();
    }

    int socketIoSessions() {
        return diagnostics().path("sessionsByTransport").path("socket.io").asInt(0);
    }

    void awaitTransport(String transport, IntPredicate expected) {
        awaitDiagnostics(d -> expected.test(d.path("sessionsByTransport").path(transport).asInt(0)),
                "sessionsByTransport." + transport);
    }

    JsonNode awaitDiagnostics(Predicate<JsonNode> expected, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        JsonNode d = null;
        while (System.nanoTime() < deadline) {
            d = diagnostics();
            if (expected.test(d)) {
                return d;
            }
            AtlasProcess.pause(50);
        }
        throw new AssertionError("diagnostics: " + what + " not reached within " + WAIT + "; last: " + d);
    }
}
