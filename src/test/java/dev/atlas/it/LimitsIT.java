package dev.atlas.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Each limit answers with its code: REST 429 + Retry-After, WebSocket messages per minute 1008, connections per IP 429. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LimitsIT {
    AtlasProcess server;

    @BeforeAll
    void start() {
        AtlasProcess.wipeData("limits");
        Map<String, String> settings = new HashMap<>(Tokens.settings());
        settings.put("ATLAS_REST_RATE_LIMIT", "30");
        settings.put("ATLAS_WS_MAX_MESSAGES_PER_MINUTE", "5");
        settings.put("ATLAS_MAX_CONNECTIONS_PER_IP", "3");
        server = new AtlasProcess("limits", settings).start();
    }

    @AfterAll
    void stop() {
        server.stop();
    }

    @Test
    void restRequestsPastTheLimitAre429WithRetryAfter() {
        Api limited = new Api(server::uri, Tokens.agent("0x" + "5".repeat(40)));
        // the limit counts in fixed one-minute windows: start well clear of a window boundary (bounded wait)
        while (System.currentTimeMillis() % 60_000 > 45_000) {
            AtlasProcess.pause(250);
        }
        int ok = 0;
        Api.Reply last = null;
        for (int i = 0; i < 31; i++) {
            last = limited.get("/api/tasks");
            if (last.status() == 200) {
                ok++;
            }
        }
        assertEquals(30, ok);
        assertEquals(429, last.status());
        assertEquals("application/problem+json", last.contentType());
        long retry = Long.parseLong(last.header("Retry-After"));
        assertTrue(retry >= 1 && retry <= 60, "Retry-After " + retry);
        assertEquals(200, new Api(server::uri, Tokens.agent("0x" + "6".repeat(40))).get("/api/tasks").status(),
                "another token has its own budget");
    }

    /**
     * A keep-alive connection serves 1,000 requests (as the runbook's server.xml), not Tomcat's default 100: the
     * 1,000th answer, and no earlier one, says it closes the connection.
     */
    @Test
    void aKeepAliveConnectionServesAThousandRequests() throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            InputStream in = new BufferedInputStream(s.getInputStream());
            byte[] request = ("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            for (int i = 1; i <= 1000; i++) {
                out.write(request);
                out.flush();
                RawWebSocket.HttpAnswer answer = RawWebSocket.readAnswer(in);
                assertEquals(200, answer.status(), "answer " + i + ": " + answer.statusLine());
                String connection = answer.header("Connection");
                assertEquals(i == 1000 ? "close" : null, connection, "answer " + i + "'s Connection header");
            }
            assertEquals(-1, in.read(), "closed after the 1,000th answer");
        }
    }

    @Test
    void tooManyClientMessagesCloseWith1008() {
        WsClient c = WsClient.connectReady(server.wsUri("/ws?access_token=" + Tokens.admin()));
        for (int i = 0; i < 6; i++) {
            c.send("{\"type\":\"ping\"}");
        }
        // the pongs of the first five may or may not get out before the close discards the queue
        int code = c.awaitClose();
        assertEquals(1008, code);
        c.close();
    }

    @Test
    void tooManyConnectionsFromOneIpAreRefused() {
        List<WsClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                open.add(WsClient.connectReady(server.wsUri("/ws?access_token=" + Tokens.admin())));
            }
            assertEquals(429, SecurityPushIT.handshake(server.wsUri("/ws?access_token=" + Tokens.admin()), Map.of()));
            assertEquals(429, SecurityPushIT.get(server.uri("/socket.io/?EIO=4&transport=polling&access_token="
                    + Tokens.admin()), Map.of()).statusCode());
        } finally {
            open.forEach(WsClient::close);
        }
        // slots come back when connections close
        long deadline = System.nanoTime() + 10_000_000_000L;
        int status = 0;
        while (status != 101 && System.nanoTime() < deadline) {
            status = SecurityPushIT.handshake(server.wsUri("/ws?access_token=" + Tokens.admin()), Map.of());
            AtlasProcess.pause(100);
        }
        assertEquals(101, status);
    }

    /** A handshake refused for its form (here a bad key) takes no connection slot: all three stay usable. */
    @Test
    void refusedHandshakesHoldNoConnectionSlot() {
        String path = "/ws?access_token=" + Tokens.admin();
        Map<String, String> badKey = RawWebSocket.upgradeHeaders(server.port(), "AAAAAAAAAAA=");
        for (int i = 0; i < 5; i++) {
            assertEquals(400, RawWebSocket.request(server.port(), "GET", path, badKey).status());
        }
        // other tests' connections may still be releasing their slots: retry, bounded
        long deadline = System.nanoTime() + 10_000_000_000L;
        int opened = 0;
        while (opened < 3 && System.nanoTime() < deadline) {
            List<WsClient> open = new ArrayList<>();
            try {
                while (open.size() < 3) {
                    open.add(WsClient.connect(server.wsUri(path)));
                }
            } catch (IllegalStateException refused) {
                // 429: a slot is still taken
            } finally {
                opened = open.size();
                open.forEach(WsClient::close);
            }
            if (opened < 3) {
                AtlasProcess.pause(200);
            }
        }
        assertEquals(3, opened, "connections per IP allowed after five refused handshakes");
    }
}
