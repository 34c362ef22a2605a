package dev.atlas.it;

import static dev.atlas.it.RawWebSocket.BINARY;
import static dev.atlas.it.RawWebSocket.CLOSE;
import static dev.atlas.it.RawWebSocket.CONTINUATION;
import static dev.atlas.it.RawWebSocket.PING;
import static dev.atlas.it.RawWebSocket.PONG;
import static dev.atlas.it.RawWebSocket.TEXT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * RFC 6455 on {@code /ws}, seen from a raw TCP socket ({@link RawWebSocket}): the handshake and its refusals,
 * masking, fragmentation with control frames in between, ping/pong, the closing handshake and the close code
 * of each protocol violation, the 64 KiB message limit, and that a connection dropped without a close frame
 * leaves no session behind. Black-box: it holds whatever WebSocket implementation serves {@code /ws}.
 *
 * <p>After a violation the server sends one close frame with its code and ends the TCP connection;
 * {@link RawWebSocket#awaitClose()} checks both and returns the code.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WebSocketProtocolIT {
    static final int LIMIT = 64 * 1024;
    static final byte[] PING_MESSAGE = "{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8);

    AtlasProcess server;
    Api admin;

    @BeforeAll
    void start() {
        AtlasProcess.wipeData("wsproto");
        server = new AtlasProcess("wsproto", Tokens.settings()).start();
        admin = new Api(server::uri, Tokens.admin());
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    private String ws() {
        return "/ws?access_token=" + Tokens.admin();
    }

    /** An authenticated connection, upgraded (101 and Sec-WebSocket-Accept checked), hello not yet read. */
    private RawWebSocket open() {
        return RawWebSocket.open(server.port(), ws(), Map.of());
    }

    /**
     * An authenticated connection whose {@code hello} has been read and whose server side has finished writing it:
     * a control ping is answered with its pong first. Tomcat answers a ping on its I/O thread only once the
     * hello's asynchronous write has completed, so a frame the test sends next never meets a write in flight.
     * Without that wait the tests of violations would also test a Tomcat race (docs/architecture.md, "A Tomcat
     * race on protocol violations"): a violation read while the hello's write is still finishing can make Tomcat
     * send the close frame without its two header bytes.
     */
    private RawWebSocket ready() throws IOException {
        RawWebSocket c = open();
        try {
            assertEquals("hello", json(c.nextText()).path("event").asText());
            pingAndAwaitItsPong(c, 8);
        } catch (IOException | AssertionError | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /**
     * Sends a control ping with {@code length} random bytes and requires the next frame (server pings aside) to be a
     * FIN pong echoing them exactly.
     */
    private static void pingAndAwaitItsPong(RawWebSocket c, int length) throws IOException {
        byte[] payload = new byte[length];
        ThreadLocalRandom.current().nextBytes(payload);
        c.send(true, PING, payload);
        RawWebSocket.Frame f = c.next();
        assertEquals(PONG, f.opcode(), "the answer to a ping: " + f);
        assertTrue(f.fin(), f.toString());
        assertArrayEquals(payload, f.payload(), "the pong echoes the ping's payload");
    }

    private static JsonNode json(String text) {
        try {
            return WsClient.JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    /** A JSON ping message of exactly {@code length} bytes: {"type":"ping","pad":"xxx…"}. */
    private static byte[] pingOfLength(int length) {
        String head = "{\"type\":\"ping\",\"pad\":\"";
        String msg = head + "x".repeat(length - head.length() - 2) + "\"}";
        byte[] b = msg.getBytes(StandardCharsets.UTF_8);
        assertEquals(length, b.length);
        return b;
    }

    // ---- 1, 2: the handshake ----

    @Test
    void handshakeAnswers101WithTheAcceptKeyAndNoExtensionEvenWhenDeflateIsOffered() throws IOException {
        try (RawWebSocket c = RawWebSocket.open(server.port(), ws(),
                Map.of("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits"))) {
            RawWebSocket.HttpAnswer h = c.handshake();
            assertEquals(101, h.status());
            assertEquals("websocket", h.header("Upgrade").toLowerCase(Locale.ROOT));
            assertTrue(Arrays.stream(h.header("Connection").split(","))
                    .anyMatch(t -> t.trim().equalsIgnoreCase("upgrade")), "Connection: " + h.header("Connection"));
            assertEquals(RawWebSocket.acceptFor(c.key()), h.header("Sec-WebSocket-Accept"));
            assertNull(h.header("Sec-WebSocket-Extensions"), "no extension negotiated: " + h.headers());
            c.sendClose(1000, "");
            assertEquals(1000, c.awaitClose());
        }
    }

    /**
     * Every way an opening handshake can be wrong, on {@code /ws} (problem+json naming the fault) and on
     * {@code /socket.io/} (the Engine.IO error body): each answers HTTP, never 101.
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "/ws         | missing Sec-WebSocket-Key    | 400 | Sec-WebSocket-Key",
        "/ws         | key of 8 bytes               | 400 | Sec-WebSocket-Key",
        "/ws         | key not base64               | 400 | Sec-WebSocket-Key",
        "/ws         | Connection without Upgrade   | 400 | Connection",
        "/ws         | Sec-WebSocket-Version 8      | 426 | version 13",
        "/ws         | POST                         | 400 | GET",
        "/socket.io/ | missing Sec-WebSocket-Key    | 400 | Bad request",
        "/socket.io/ | Sec-WebSocket-Version 8      | 426 | Bad request",
    })
    void aWrongHandshakeIsRefusedWithItsStatus(String path, String fault, int status, String named) {
        Map<String, String> headers = RawWebSocket.upgradeHeaders(server.port(), RawWebSocket.newKey());
        String method = "GET";
        switch (fault) {
            case "missing Sec-WebSocket-Key" -> headers.remove("Sec-WebSocket-Key");
            case "key of 8 bytes" -> headers.put("Sec-WebSocket-Key", "AAAAAAAAAAA=");
            case "key not base64" -> headers.put("Sec-WebSocket-Key", "not a base64 key, 24 ch!");
            case "Connection without Upgrade" -> headers.put("Connection", "keep-alive");
            case "Sec-WebSocket-Version 8" -> headers.put("Sec-WebSocket-Version", "8");
            case "POST" -> {
                method = "POST";
                headers.put("Content-Length", "0");
            }
            default -> throw new IllegalArgumentException(fault);
        }
        String target = path.equals("/ws") ? ws() : "/socket.io/?EIO=4&transport=websocket&access_token=" + Tokens.admin();
        RawWebSocket.HttpAnswer a = RawWebSocket.request(server.port(), method, target, headers);
        assertEquals(status, a.status(), a.statusLine());
        if (status == 426) {
            assertEquals("13", a.header("Sec-WebSocket-Version"), "RFC 6455 4.4: " + a.headers());
        }
        if (path.equals("/ws")) {
            assertTrue(a.header("Content-Type").startsWith("application/problem+json"), a.header("Content-Type"));
            assertEquals(status, json(a.bodyText()).path("status").asInt(), a.bodyText());
            assertTrue(json(a.bodyText()).path("detail").asText().contains(named), a.bodyText());
        } else {
            assertEquals("{\"code\":3,\"message\":\"Bad request\"}", a.bodyText());
        }
    }

    @Test
    void aPlainGetWithoutUpgradeIs400ProblemJson() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Host", "127.0.0.1:" + server.port());
        headers.put("Connection", "close");
        RawWebSocket.HttpAnswer a = RawWebSocket.request(server.port(), "GET", ws(), headers);
        assertEquals(400, a.status(), a.statusLine());
        assertTrue(a.header("Content-Type").startsWith("application/problem+json"), a.header("Content-Type"));
        assertEquals(400, json(a.bodyText()).path("status").asInt(), a.bodyText());
    }

    // ---- 3-6: messages and control frames ----

    @Test
    void theFirstServerFrameIsAnUnmaskedFinTextFrameWithHello() throws IOException {
        try (RawWebSocket c = open()) {
            RawWebSocket.Frame f = c.readFrame(); // readFrame fails on a masked frame
            assertFalse(f.masked());
            assertTrue(f.fin(), f.toString());
            assertEquals(0, f.rsv(), f.toString());
            assertEquals(TEXT, f.opcode(), f.toString());
            assertEquals("hello", json(f.text()).path("event").asText());
        }
    }

    @Test
    void aMaskedTextPingIsAnsweredWithAPongEvent() throws IOException {
        try (RawWebSocket c = ready()) {
            c.send(true, TEXT, PING_MESSAGE);
            assertEquals("pong", json(c.nextText()).path("event").asText());
        }
    }

    @Test
    void aFragmentedMessageWithAControlPingBetweenFragmentsGetsBothPongs() throws IOException {
        try (RawWebSocket c = ready()) {
            c.send(false, TEXT, "{\"typ".getBytes(StandardCharsets.UTF_8));
            c.send(true, PING, "abc".getBytes(StandardCharsets.UTF_8));
            c.send(false, CONTINUATION, "e\":\"pi".getBytes(StandardCharsets.UTF_8));
            c.send(true, CONTINUATION, "ng\"}".getBytes(StandardCharsets.UTF_8));
            RawWebSocket.Frame controlPong = null;
            JsonNode pongEvent = null;
            for (int i = 0; i < 10 && (controlPong == null || pongEvent == null); i++) {
                RawWebSocket.Frame f = c.next();
                if (f.opcode() == PONG && controlPong == null) {
                    controlPong = f;
                } else if (f.opcode() == TEXT && f.fin() && pongEvent == null) {
                    pongEvent = json(f.text());
                } else {
                    throw new AssertionError("unexpected frame " + f + " (control pong so far: " + controlPong
                            + ", pong event so far: " + pongEvent + ")");
                }
            }
            assertTrue(controlPong != null, "a PONG control frame answers the ping sent between fragments");
            assertTrue(controlPong.fin());
            assertEquals("abc", controlPong.text());
            assertTrue(pongEvent != null, "the fragmented ping message is answered with a pong event");
            assertEquals("pong", pongEvent.path("event").asText());
        }
    }

    @Test
    void aPingWithA125BytePayloadIsEchoedExactlyInThePong() throws IOException {
        try (RawWebSocket c = ready()) {
            pingAndAwaitItsPong(c, 125);
        }
    }

    // ---- 7: the closing handshake ----

    @Test
    void aClientClose1000IsAnsweredWith1000AndTheServerEndsTheConnection() throws IOException {
        try (RawWebSocket c = ready()) {
            c.sendClose(1000, "bye");
            assertEquals(1000, c.awaitClose());
        }
    }

    // ---- 8-11: violations and the codes they close with ----

    @Test
    void anUnmaskedClientFrameCloses1002() throws IOException {
        try (RawWebSocket c = ready()) {
            c.send(true, 0, TEXT, PING_MESSAGE, false);
            assertEquals(1002, c.awaitClose());
        }
    }

    @Test
    void rsv1WithoutANegotiatedExtensionCloses1002() throws IOException {
        try (RawWebSocket c = ready()) {
            c.send(true, 4, TEXT, PING_MESSAGE, true);
            assertEquals(1002, c.awaitClose());
        }
    }

    @Test
    void reservedOpcode3Closes1002() throws IOException {
        try (RawWebSocket c = ready()) {
            c.send(true, 3, PING_MESSAGE);
            assertEquals(1002, c.awaitClose());
        }
    }

    @Test
    void aPingWithA126BytePayloadCloses1002() throws IOException {
        try (RawWebSocket c = ready()) {
            c.send(true, PING, new byte[126]); // 16-bit extended length: control frames allow at most 125
            assertEquals(1002, c.awaitClose());
        }
    }

    @Test
    void aContinuationWithoutAStartedMessageCloses1002() throws IOException {
        try (RawWebSocket c = ready()) {
            c.send(true, CONTINUATION, PING_MESSAGE);
            assertEquals(1002, c.awaitClose());
        }
    }

    /** /ws takes text only (RFC 6455 7.4.1: 1003). Tomcat's jakarta.websocket drops the frame silently instead. */
    @Test
    void aBinaryFrameCloses1003() throws IOException {
        try (RawWebSocket c = ready()) {
            c.send(true, BINARY, PING_MESSAGE);
            assertEquals(1003, c.awaitClose());
        }
    }

    @Test
    void aTextMessageOfInvalidUtf8Closes1007() throws IOException {
        try (RawWebSocket c = ready()) {
            c.send(true, TEXT, new byte[] {(byte) 0xC3, (byte) 0x28});
            assertEquals(1007, c.awaitClose());
        }
    }

    // ---- 12: the 64 KiB message limit ----

    @Test
    void aSingleFrameTextMessageOf64KiBPlusOneCloses1009() throws IOException {
        try (RawWebSocket c = ready()) {
            c.send(true, TEXT, pingOfLength(LIMIT + 1)); // 64-bit length
            assertEquals(1009, c.awaitClose());
        }
    }

    @Test
    void theLimitHoldsAcrossFragments() throws IOException {
        try (RawWebSocket c = ready()) {
            byte[] whole = pingOfLength(80 * 1024);
            c.send(false, TEXT, Arrays.copyOfRange(whole, 0, 40 * 1024)); // 16-bit length each
            c.send(true, CONTINUATION, Arrays.copyOfRange(whole, 40 * 1024, 80 * 1024));
            assertEquals(1009, c.awaitClose());
        }
    }

    @Test
    void aTextMessageOfExactly64KiBIsAnsweredWithPong() throws IOException {
        try (RawWebSocket c = ready()) {
            c.send(true, TEXT, pingOfLength(LIMIT));
            assertEquals("pong", json(c.nextText()).path("event").asText());
        }
    }

    // ---- 13: a connection dropped without a close frame ----

    @Test
    void aConnectionEndedWithAFinAndNoCloseFrameLeavesNoSession() throws IOException {
        droppedConnectionLeavesNoSession(false);
    }

    @Test
    void aConnectionResetWithNoCloseFrameLeavesNoSession() throws IOException {
        droppedConnectionLeavesNoSession(true);
    }

    private void droppedConnectionLeavesNoSession(boolean reset) throws IOException {
        // every other test ends its connections: wait until the server has let go of them all
        admin.awaitSessions(0);
        RawWebSocket c = ready();
        try {
            admin.awaitSessions(1);
            c.abort(reset);
        } finally {
            c.close();
        }
        admin.awaitSessions(0);
    }

    // ---- 14: what a client's close frame may carry ----

    @Test
    void aClientCloseWithA1BytePayloadCloses1002() throws IOException {
        try (RawWebSocket c = ready()) {
            c.send(true, CLOSE, new byte[] {0x03});
            assertEquals(1002, c.awaitClose());
        }
    }

    @Test
    void aClientCloseWithCode1005Closes1002() throws IOException {
        try (RawWebSocket c = ready()) {
            c.sendClose(1005, "");
            assertEquals(1002, c.awaitClose());
        }
    }

    @Test
    void aClientCloseWithCode999Closes1002() throws IOException {
        try (RawWebSocket c = ready()) {
            c.sendClose(999, "");
            int code = c.awaitClose();
            assertNotEquals(999, code);
            assertEquals(1002, code);
        }
    }
}
