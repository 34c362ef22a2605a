package dev.atlas.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code /socket.io/} at the wire level, with raw HTTP requests and a raw WebSocket: the behaviour of the
 * official engine.io-protocol and socket.io-protocol test suites (handshake, messages, heartbeat, close,
 * upgrade, namespaces, acks, malformed packets), against the packaged server with short heartbeats.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SocketIoProtocolIT {
    static final long PING_INTERVAL = 1000;
    static final long PING_TIMEOUT = 600;
    static final String RS = "\u001e";

    AtlasProcess server;
    Api api;
    EngineIoHttp io;

    @BeforeAll
    void start() {
        server = new AtlasProcess("socketio-protocol", Map.of(
                "ATLAS_SIO_PING_INTERVAL_MS", Long.toString(PING_INTERVAL),
                "ATLAS_SIO_PING_TIMEOUT_MS", Long.toString(PING_TIMEOUT))).start();
        api = new Api(server::uri);
        io = new EngineIoHttp(server::uri);
    }

    @AfterAll
    void stop() {
        server.stop();
    }

    // ---- helpers ----

    /** Opens a polling session and returns its sid (the handshake GET). */
    String pollingSession() {
        HttpResponse<String> r = io.get("EIO=4&transport=polling");
        assertEquals(200, r.statusCode(), r.body());
        return EngineIoHttp.json(r.body().substring(1)).path("sid").asText();
    }

    static void assertEngineError(HttpResponse<String> r, int code, String message) {
        assertEquals(400, r.statusCode(), r.body());
        assertEquals("{\"code\":" + code + ",\"message\":\"" + message + "\"}", r.body());
    }

    WsClient ws(String query) {
        return WsClient.connect(server.wsUri("/socket.io/?" + query));
    }

    /** A WebSocket-only session: the raw client after the open packet. */
    WsClient wsSession() {
        WsClient c = ws("EIO=4&transport=websocket");
        assertTrue(c.next().startsWith("0{"));
        return c;
    }

    static int handshakeStatus(URI uri) {
        return WsClient.handshakeStatus(uri, Map.of());
    }

    /** Next message, skipping the server's heartbeat pings (answering them). */
    static String nextNonPing(WsClient c) {
        while (true) {
            String m = c.next();
            if (!m.equals("2")) {
                return m;
            }
            c.send("3");
        }
    }

    // ---- engine.io: handshake ----

    @Nested
    class Handshake {
        @Test
        void pollingHandshakeOpensASession() {
            HttpResponse<String> r = io.get("EIO=4&transport=polling");
            assertEquals(200, r.statusCode());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
            assertTrue(r.body().startsWith("0{"), r.body());
            JsonNode open = EngineIoHttp.json(r.body().substring(1));
            assertEquals(java.util.List.of("sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload"),
                    iterate(open.fieldNames()));
            assertEquals("[\"websocket\"]", open.path("upgrades").toString());
            assertEquals(PING_INTERVAL, open.path("pingInterval").asLong());
            assertEquals(PING_TIMEOUT, open.path("pingTimeout").asLong());
            assertEquals(1_000_000, open.path("maxPayload").asLong());
        }

        @Test
        void webSocketHandshakeOpensASessionWithoutUpgrades() {
            try (WsClient c = ws("EIO=4&transport=websocket")) {
                JsonNode open = EngineIoHttp.json(c.next().substring(1));
                assertEquals("[]", open.path("upgrades").toString());
                assertEquals(PING_INTERVAL, open.path("pingInterval").asLong());
            }
        }

        @Test
        void missingOrUnsupportedProtocolVersionIsRefused() {
            assertEngineError(io.get("transport=polling"), 5, "Unsupported protocol version");
            assertEngineError(io.get("EIO=abc&transport=polling"), 5, "Unsupported protocol version");
            assertEngineError(io.get("EIO=3&transport=polling"), 5, "Unsupported protocol version");
            assertEquals(400, handshakeStatus(server.wsUri("/socket.io/?EIO=3&transport=websocket")));
            assertEquals(400, handshakeStatus(server.wsUri("/socket.io/?transport=websocket")));
        }

        @Test
        void unknownTransportIsRefused() {
            assertEngineError(io.get("EIO=4"), 0, "Transport unknown");
            assertEngineError(io.get("EIO=4&transport=abc"), 0, "Transport unknown");
            assertEquals(400, handshakeStatus(server.wsUri("/socket.io/?EIO=4&transport=abc")));
        }

        @Test
        void handshakeWithAnotherMethodIsRefused() {
            assertEngineError(io.post("EIO=4&transport=polling", ""), 2, "Bad handshake method");
            assertEngineError(io.send(HttpRequest.newBuilder(io.eio("EIO=4&transport=polling"))
                    .PUT(HttpRequest.BodyPublishers.noBody())), 2, "Bad handshake method");
        }

        @Test
        void unknownSidIsRefused() {
            assertEngineError(io.get("EIO=4&transport=polling&sid=doesnotexist"), 1, "Session ID unknown");
            assertEngineError(io.post("EIO=4&transport=polling&sid=AAAAAAAAAAAAAAAAAAAAAAAA", "40"), 1, "Session ID unknown");
            assertEquals(400, handshakeStatus(server.wsUri("/socket.io/?EIO=4&transport=websocket&sid=nope")));
        }

        @Test
        void websocketTransportWithoutUpgradeIsABadRequest() {
            assertEngineError(io.get("EIO=4&transport=websocket"), 3, "Bad request");
        }
    }

    // ---- engine.io: messages, heartbeat, close ----

    @Nested
    class Polling {
        @Test
        void packetsArePostedAndPolledJoinedByTheRecordSeparator() {
            String sid = pollingSession();
            HttpResponse<String> p = io.post("EIO=4&transport=polling&sid=" + sid, "40" + RS + "421[\"hello\"]");
            assertEquals(200, p.statusCode());
            assertEquals("ok", p.body());
            String[] packets = io.get("EIO=4&transport=polling&sid=" + sid).body().split(RS);
            assertTrue(packets[0].startsWith("40{\"sid\":"), packets[0]);
            assertEquals("431[{\"ok\":false,\"error\":\"unknown event 'hello'\"}]", packets[1]);
        }

        @Test
        void anInvalidPacketClosesTheSession() {
            String sid = pollingSession();
            assertEngineError(io.post("EIO=4&transport=polling&sid=" + sid, "abc"), 3, "Bad request");
            assertEngineError(io.get("EIO=4&transport=polling&sid=" + sid), 1, "Session ID unknown");
        }

        @Test
        void aDuplicatePollClosesTheSession() throws Exception {
            String sid = pollingSession();
            CompletableFuture<HttpResponse<String>> first = io.getAsync("EIO=4&transport=polling&sid=" + sid);
            awaitHeld(sid);
            HttpResponse<String> second = io.get("EIO=4&transport=polling&sid=" + sid + "&t=burst");
            assertEngineError(second, 3, "Bad request");
            assertEquals("1", first.get(10, TimeUnit.SECONDS).body(), "the held poll ends with a close packet");
            assertEngineError(io.get("EIO=4&transport=polling&sid=" + sid), 1, "Session ID unknown");
        }

        @Test
        void aBodyOverMaxPayloadIs413AndClosesTheSession() {
            String sid = pollingSession();
            HttpResponse<String> r = io.post("EIO=4&transport=polling&sid=" + sid, "4" + "x".repeat(1_000_001));
            assertEquals(413, r.statusCode());
            assertEngineError(io.get("EIO=4&transport=polling&sid=" + sid), 1, "Session ID unknown");
        }

        @Test
        void theServerPingsAndAPongKeepsTheSessionAlive() {
            String sid = pollingSession();
            for (int i = 0; i < 2; i++) {
                assertEquals("2", io.get("EIO=4&transport=polling&sid=" + sid).body(), "a held poll ends with the ping");
                assertEquals("ok", io.post("EIO=4&transport=polling&sid=" + sid, "3").body());
            }
        }

        @Test
        void aMissingPongClosesTheSession() {
            String sid = pollingSession();
            long deadline = System.nanoTime() + Duration.ofMillis(PING_INTERVAL + PING_TIMEOUT + 5000).toNanos();
            int status = 200;
            while (status == 200 && System.nanoTime() < deadline) {
                AtlasProcess.pause(100);
                status = io.post("EIO=4&transport=polling&sid=" + sid, "6").statusCode(); // a noop is no pong
            }
            assertEquals(400, status, "closed after pingInterval + pingTimeout without a pong");
        }

        @Test
        void aClosePacketEndsTheSessionAndTheHeldPoll() throws Exception {
            String sid = pollingSession();
            CompletableFuture<HttpResponse<String>> held = io.getAsync("EIO=4&transport=polling&sid=" + sid);
            awaitHeld(sid);
            assertEquals("ok", io.post("EIO=4&transport=polling&sid=" + sid, "1").body());
            HttpResponse<String> ended = held.get(10, TimeUnit.SECONDS);
            assertEquals(200, ended.statusCode());
            assertEquals("6", ended.body(), "a noop, as in the reference server: the client asked to close");
            assertEngineError(io.get("EIO=4&transport=polling&sid=" + sid), 1, "Session ID unknown");
        }

        /** Gives the async GET time to be held by the server; bounded, and not an assertion. */
        private void awaitHeld(String sid) {
            AtlasProcess.pause(150);
        }
    }

    @Nested
    class WebSocket {
        /** Engine.IO 4 pings from the server only: a client ping closes the session, as the reference server does. */
        @Test
        void aClientPingClosesTheSessionAsTheReferenceServerDoes() {
            try (WsClient c = wsSession()) {
                c.send("2");
                assertEquals(1002, c.awaitClose());
                assertEquals("invalid heartbeat direction", c.closeReason());
            }
        }

        @Test
        void serverPingsAnsweredKeepTheSessionOpen() {
            try (WsClient c = wsSession()) {
                for (int i = 0; i < 3; i++) {
                    assertEquals("2", c.next());
                    c.send("3");
                }
                assertTrue(!c.isClosed());
            }
        }

        @Test
        void aMissingPongClosesTheSession() {
            WsClient c = wsSession();
            assertEquals("2", c.next());
            c.awaitClose();
            c.close();
        }

        @Test
        void aClosePacketClosesTheSocket() {
            WsClient c = wsSession();
            c.send("1");
            c.awaitClose();
            c.close();
        }

        @Test
        void anInvalidPacketClosesTheSocket() {
            for (String bad : new String[] {"abc", "", "9", "4", "45-[\"x\",{\"_placeholder\":true,\"num\":0}]",
                    "42[1]", "42{\"not\":\"array\"}", "40[]", "42[\"x\"", "b4AQID"}) {
                WsClient c = wsSession();
                c.send("40");
                assertTrue(nextNonPing(c).startsWith("40{"));
                c.send(bad);
                assertEquals(1002, c.awaitClose(), () -> "close code after " + bad);
                c.close();
            }
        }
    }

    // ---- engine.io: upgrade ----

    @Nested
    class Upgrade {
        @Test
        void pollingUpgradesToWebSocketAndThenRefusesPolling() throws Exception {
            String sid = pollingSession();
            assertEquals("ok", io.post("EIO=4&transport=polling&sid=" + sid, "40").body());
            assertTrue(io.get("EIO=4&transport=polling&sid=" + sid).body().startsWith("40{\"sid\""));
            CompletableFuture<HttpResponse<String>> held = io.getAsync("EIO=4&transport=polling&sid=" + sid);
            try (WsClient c = ws("EIO=4&transport=websocket&sid=" + sid)) {
                c.send("2probe");
                assertEquals("3probe", c.next());
                assertEquals("6", held.get(10, TimeUnit.SECONDS).body(), "the held poll ends with a noop");
                c.send("5");
                JsonNode task = api.create("{\"title\":\"after upgrade\"}");
                String frame = nextNonPing(c);
                assertTrue(frame.startsWith("42[\"taskCreated\","), frame);
                JsonNode envelope = EngineIoHttp.json(frame.substring(2)).get(1);
                assertEquals(task, envelope.path("data"));
                assertEngineError(io.get("EIO=4&transport=polling&sid=" + sid), 3, "Bad request");
                assertEquals(400, handshakeStatus(server.wsUri("/socket.io/?EIO=4&transport=websocket&sid=" + sid)),
                        "a second WebSocket for an upgraded session is refused");
            }
        }

        @Test
        void aProbeWithoutAHeldPollLeavesANoopForTheNextOne() {
            String sid = pollingSession();
            try (WsClient c = ws("EIO=4&transport=websocket&sid=" + sid)) {
                c.send("2probe");
                assertEquals("3probe", c.next());
                assertEquals("6", io.get("EIO=4&transport=polling&sid=" + sid).body());
            }
        }
    }

    // ---- socket.io ----

    @Nested
    class SocketIo {
        @Test
        void connectThenEventsCarryTheSameEnvelopeAsWs() {
            try (WsClient c = wsSession(); WsClient plain = WsClient.connectReady(server.wsUri("/ws"))) {
                c.send("40");
                JsonNode connected = EngineIoHttp.json(nextNonPing(c).substring(2));
                assertEquals(24, connected.path("sid").asText().length());
                awaitRegistered(2);
                api.create("{\"title\":\"both wires\",\"agentWallet\":\"0x" + "d".repeat(40) + "\"}");
                for (String name : new String[] {"taskCreated", "taskAssigned"}) {
                    String frame = nextNonPing(c);
                    assertTrue(frame.startsWith("42[\"" + name + "\","), frame);
                    String envelope = plain.next();
                    String offset = EngineIoHttp.json(envelope).path("id").asText();
                    assertEquals("42[\"" + name + "\"," + envelope + ",\"" + offset + "\"]", frame,
                            "the first Socket.IO argument is the /ws envelope, byte for byte; the last the event id");
                }
            }
        }

        @Test
        void otherNamespacesAreRefused() {
            try (WsClient c = wsSession()) {
                c.send("40/admin,");
                assertEquals("44/admin,{\"message\":\"Invalid namespace\"}", nextNonPing(c));
                c.send("40/random");
                assertEquals("44/random,{\"message\":\"Invalid namespace\"}", nextNonPing(c));
            }
        }

        @Test
        void disconnectStopsEventsButKeepsTheConnection() {
            try (WsClient c = wsSession()) {
                c.send("40");
                assertTrue(nextNonPing(c).startsWith("40{"));
                c.send("41");
                api.create("{\"title\":\"not for a disconnected socket\"}");
                c.send("40");
                assertTrue(nextNonPing(c).startsWith("40{"), "nothing arrives between the disconnect and the next connect");
            }
        }

        @Test
        void eventsWithAnAckIdAreAnswered() {
            try (WsClient c = wsSession()) {
                c.send("40");
                assertTrue(nextNonPing(c).startsWith("40{"));
                c.send("427[\"authenticate\",{\"token\":\"abc\"}]");
                JsonNode ack = EngineIoHttp.json(nextNonPing(c).substring(3));
                assertTrue(ack.get(0).path("ok").isBoolean(), ack::toString);
                c.send("4212[\"whatever\"]");
                assertEquals("4312[{\"ok\":false,\"error\":\"unknown event 'whatever'\"}]", nextNonPing(c));
            }
        }

        void awaitRegistered(int atLeast) {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (System.nanoTime() < deadline) {
                if (api.get("/api/diagnostics").json().path("sessions").asInt() >= atLeast) {
                    return;
                }
                AtlasProcess.pause(50);
            }
            throw new AssertionError("sessions not registered");
        }
    }

    static java.util.List<String> iterate(java.util.Iterator<String> it) {
        java.util.List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
