package dev.atlas.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The limits of {@code /ws} hold on {@code /socket.io/} too, on both transports: the client-message limit
 * ({@code ATLAS_WS_MAX_MESSAGES_PER_MINUTE}: every Engine.IO packet but the pong to the server's ping counts; past
 * it {@code 41}, then 1008 or the close packet), and the one size limit the open packet advertises as
 * {@code maxPayload} ({@code ATLAS_SIO_MAX_PAYLOAD_BYTES}: a larger WebSocket message closes with 1009, a larger
 * polling body is a 413).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SocketIoLimitsIT {
    static final int PER_MINUTE = 5;
    static final int MAX_PAYLOAD = 4096;
    AtlasProcess server;
    EngineIoHttp io;

    @BeforeAll
    void start() {
        AtlasProcess.wipeData("sio-limits");
        server = new AtlasProcess("sio-limits", Map.of(
                "ATLAS_WS_MAX_MESSAGES_PER_MINUTE", Integer.toString(PER_MINUTE),
                "ATLAS_SIO_MAX_PAYLOAD_BYTES", Integer.toString(MAX_PAYLOAD))).start();
        io = new EngineIoHttp(server::uri);
    }

    @AfterAll
    void stop() {
        server.stop();
    }

    HttpResponse<String> get(String query) {
        return io.get("EIO=4&transport=polling" + query);
    }

    HttpResponse<String> post(String sid, String body) {
        return io.post("EIO=4&transport=polling&sid=" + sid, body);
    }

    /** A WebSocket session connected to the main namespace; returns it after checking the advertised maxPayload. */
    WsClient connectedWebSocket() {
        WsClient c = WsClient.connect(server.wsUri("/socket.io/?EIO=4&transport=websocket"));
        String open = c.next();
        assertTrue(open.startsWith("0{"), open);
        assertEquals(MAX_PAYLOAD, EngineIoHttp.json(open.substring(1)).path("maxPayload").asInt(), open);
        c.send("40");
        assertTrue(c.next().startsWith("40{\"sid\""));
        return c;
    }

    /** {@code 42<ack>["probe","<filler>"]}, exactly {@code bytes} long (ASCII). */
    static String eventOfSize(int ack, int bytes) {
        String head = "42" + ack + "[\"probe\",\"";
        return head + "x".repeat(bytes - head.length() - 2) + "\"]";
    }

    @Test
    void onWebSocketTheMessageLimitEndsTheSocketWith41ThenClose1008() {
        WsClient c = connectedWebSocket(); // the 40 was message 1
        for (int i = 1; i <= PER_MINUTE; i++) {
            c.send("42" + i + "[\"somethingElse\"]");
        }
        List<String> frames = new ArrayList<>();
        for (int i = 0; i < PER_MINUTE; i++) {
            frames.add(c.next());
        }
        for (int i = 1; i < PER_MINUTE; i++) {
            assertTrue(frames.get(i - 1).startsWith("43" + i + "[{\"ok\":false"), frames::toString);
        }
        assertEquals("41", frames.get(PER_MINUTE - 1), () -> "the sixth message: disconnected " + frames);
        assertEquals(1008, c.awaitClose());
        assertEquals("more than " + PER_MINUTE + " messages in a minute", c.closeReason());
        c.close();
    }

    @Test
    void onPollingTheMessageLimitEndsTheSessionWith41AndTheClosePacket() {
        com.fasterxml.jackson.databind.JsonNode open = EngineIoHttp.json(get("").body().substring(1));
        assertEquals(MAX_PAYLOAD, open.path("maxPayload").asInt(), open::toString);
        String sid = open.path("sid").asText();
        assertEquals(200, post(sid, "40").statusCode());
        assertTrue(get("&sid=" + sid).body().startsWith("40{\"sid\""));
        // five more packets in one body: the last one is over the limit
        String body = String.join("\u001e", "42[\"a\"]", "42[\"b\"]", "42[\"c\"]", "42[\"d\"]", "42[\"e\"]");
        post(sid, body);
        HttpResponse<String> last = get("&sid=" + sid);
        assertEquals(200, last.statusCode(), last.body());
        assertEquals(List.of("41", "1"), List.of(last.body().split("\u001e")), last.body());
        assertEquals(400, get("&sid=" + sid).statusCode(), "the session is gone");
    }

    @Test
    void theSolicitedPongDoesNotCountButEveryOtherPacketDoes() {
        WsClient c = connectedWebSocket();
        c.send("3"); // a pong nobody asked for: message 2
        c.send("6"); // a noop: message 3
        c.send("421[\"x\"]");
        assertTrue(c.next().startsWith("431["));
        c.send("422[\"x\"]");
        assertTrue(c.next().startsWith("432["));
        c.send("423[\"x\"]");
        assertEquals("41", c.next());
        assertEquals(1008, c.awaitClose());
        c.close();
    }

    @Test
    void aWebSocketMessageUpToMaxPayloadIsTakenAndALargerOneCloses1009() {
        WsClient c = connectedWebSocket();
        String fits = eventOfSize(1, MAX_PAYLOAD);
        assertEquals(MAX_PAYLOAD, fits.length());
        c.send(fits);
        assertTrue(c.next().startsWith("431[{\"ok\":false"), "answered, not closed");
        c.send(eventOfSize(2, MAX_PAYLOAD + 1));
        assertEquals(1009, c.awaitClose());
        c.close();
    }

    @Test
    void aPollingBodyOverMaxPayloadIs413() {
        String sid = EngineIoHttp.json(get("").body().substring(1)).path("sid").asText();
        assertEquals(200, post(sid, "40").statusCode());
        assertEquals(413, post(sid, eventOfSize(1, MAX_PAYLOAD + 1)).statusCode());
    }
}
