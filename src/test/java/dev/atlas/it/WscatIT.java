package dev.atlas.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The old runbook's connection checks, with the real {@code wscat} 6 from npm (pinned in
 * {@code src/test/node}) against the packaged server with default settings. Without a terminal, wscat prints
 * every received message as one line and nothing else; {@code -x} sends a message on connect and
 * {@code -w} closes the connection that many seconds later.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WscatIT {
    static final Duration WAIT = Duration.ofSeconds(15);
    /** wscat's {@code -w}: long enough for the test to cause an event after the connect. */
    static final String WAIT_SECONDS = "6";
    static final Pattern OPEN = Pattern.compile(
            "0\\{\"sid\":\"([A-Za-z0-9_-]+)\",\"upgrades\":\\[\\],\"pingInterval\":25000,\"pingTimeout\":20000,\"maxPayload\":1000000}");
    static final Pattern CONNECTED = Pattern.compile("40\\{\"sid\":\"([A-Za-z0-9_-]+)\",\"pid\":\"\\d+\\.[A-Za-z0-9_-]+\"}");

    AtlasProcess server;
    Api api;

    @BeforeAll
    void startServer() {
        NodeClient.nodeExecutable();
        NodeClient.nodeDir();
        AtlasProcess.wipeData("wscat");
        server = new AtlasProcess("wscat", Map.of()).start();
        api = new Api(server::uri);
    }

    @AfterAll
    void stopServer() {
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void socketIoOverWscatGetsTheOpenPacketTheConnectReplyAndEventFrames() throws Exception {
        String url = "ws://127.0.0.1:" + server.port() + "/socket.io/?EIO=4&transport=websocket";
        try (WsClient ws = WsClient.connectReady(server.wsUri("/ws"));
             NodeClient wscat = NodeClient.bin("wscat-socketio", "wscat", "-c", url, "-x", "40", "-w", WAIT_SECONDS)) {
            String open = wscat.next(l -> true, WAIT, "the Engine.IO open packet");
            Matcher m = OPEN.matcher(open);
            assertTrue(m.matches(), () -> "open packet with the default settings, got: " + open);
            String connected = wscat.next(l -> true, WAIT, "the reply to 40");
            Matcher c = CONNECTED.matcher(connected);
            assertTrue(c.matches(), () -> "40{\"sid\":…,\"pid\":…}, got: " + connected);
            assertTrue(!c.group(1).equals(m.group(1)), "the socket id is not the Engine.IO session id");

            long task = api.create("{\"title\":\"Seen by wscat\"}").path("id").asLong();
            String envelope = ws.next(); // the /ws text of the same event
            assertEquals(task, WsClient.JSON.readTree(envelope).path("data").path("id").asLong());
            String frame = wscat.next(l -> l.startsWith("42"), WAIT, "a 42 event frame");
            String eventId = WsClient.JSON.readTree(envelope).path("id").asText();
            assertEquals("42[\"taskCreated\"," + envelope + ",\"" + eventId + "\"]", frame,
                    "the /ws envelope, byte for byte, as the first argument; the event id (the recovery offset) last");
            JsonNode parsed = WsClient.JSON.readTree(frame.substring(2));
            assertEquals(3, parsed.size());
            assertEquals("taskCreated", parsed.path(0).asText());

            assertEquals(0, wscat.awaitExit(Duration.ofSeconds(Long.parseLong(WAIT_SECONDS)).plus(WAIT)),
                    "wscat closes after -w seconds and exits cleanly" + wscat.tail());
            assertTrue(wscat.lines().stream().allMatch(l -> l.equals(open) || l.equals(connected) || l.startsWith("42")),
                    () -> "nothing but the open packet, the connect reply and events (no ping within -w): " + wscat.lines());
        }
    }

    @Test
    void plainWebSocketOverWscatGetsTheHelloAPongAndTheEnvelope() throws Exception {
        String url = "ws://127.0.0.1:" + server.port() + "/ws";
        try (NodeClient wscat = NodeClient.bin("wscat-ws", "wscat", "-c", url, "-x", "{\"type\":\"ping\"}", "-w", WAIT_SECONDS)) {
            JsonNode hello = wscat.nextJson(n -> true, WAIT, "the hello");
            assertEquals("hello", hello.path("event").asText(), hello::toString);
            JsonNode pong = wscat.nextJson(n -> true, WAIT, "the pong");
            assertEquals("pong", pong.path("event").asText(), pong::toString);

            long task = api.create("{\"title\":\"Seen by wscat on /ws\",\"agentWallet\":\"0x" + "ab".repeat(20) + "\"}")
                    .path("id").asLong();
            JsonNode created = wscat.nextJson(n -> true, WAIT, "taskCreated");
            assertEquals("taskCreated", created.path("event").asText(), created::toString);
            assertEquals(task, created.path("data").path("id").asLong());
            assertEquals(Long.parseLong(hello.path("id").asText()) + 1, Long.parseLong(created.path("id").asText()));
            JsonNode assigned = wscat.nextJson(n -> true, WAIT, "taskAssigned");
            assertEquals("taskAssigned", assigned.path("event").asText(), assigned::toString);
            assertEquals("0x" + "ab".repeat(20), assigned.path("agentWallet").asText());
            assertEquals(0, wscat.awaitExit(Duration.ofSeconds(Long.parseLong(WAIT_SECONDS)).plus(WAIT)), wscat.tail());
        }
    }
}
