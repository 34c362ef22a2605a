package dev.atlas.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Push security on {@code /ws} and {@code /socket.io/}: bad tokens never get a hello, unauthenticated
 * sockets are closed after the deadline, tokens expire, origins are checked, and an agent observes only
 * its own tasks — including when a task moves from one agent to another.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecurityPushIT {
    static final String A = "0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa0011";
    static final String B = "0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb0022";

    AtlasProcess server;
    Api admin;

    @BeforeAll
    void start() {
        AtlasProcess.wipeData("security-push");
        Map<String, String> settings = new HashMap<>(Tokens.settings());
        settings.put("ATLAS_AUTH_TIMEOUT_SECONDS", "2");
        settings.put("ATLAS_ALLOWED_ORIGINS", "https://admin.atlas.test");
        server = new AtlasProcess("security-push", settings).start();
        admin = new Api(server::uri, Tokens.admin());
    }

    @AfterAll
    void stop() {
        server.stop();
    }

    URI ws(String query) {
        return server.wsUri("/ws" + query);
    }

    static int handshake(URI uri, Map<String, String> headers) {
        return WsClient.handshakeStatus(uri, headers);
    }

    /**
     * A refused token is a 401 that names the scheme ({@code WWW-Authenticate: Bearer}, RFC 6750) on every push door:
     * the header is set before the body, so it is not lost once the body filled the declared length.
     */
    @Test
    void handshake401sCarryTheBearerChallenge() throws java.io.IOException {
        String forged = Tokens.sign("a-completely-different-secret-32bytes+", c -> c.claim("role", "admin"));
        for (URI uri : List.of(ws("?access_token=" + forged),
                server.wsUri("/socket.io/?EIO=4&transport=websocket&access_token=" + forged))) {
            HttpResponse<?> refusal = WsClient.handshakeRefusal(uri, Map.of());
            assertEquals(401, refusal.statusCode(), uri.toString());
            assertTrue(refusal.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"),
                    uri + ": " + refusal.headers().map());
        }
        HttpResponse<String> polling = get(server.uri("/socket.io/?EIO=4&transport=polling&access_token=" + forged), Map.of());
        assertEquals(401, polling.statusCode());
        assertTrue(polling.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"), polling.headers().map().toString());
        RawWebSocket.HttpAnswer raw = RawWebSocket.request(server.port(), "GET", "/ws?access_token=" + forged,
                RawWebSocket.upgradeHeaders(server.port(), RawWebSocket.newKey()));
        assertEquals(401, raw.status());
        assertTrue(raw.headers().get("www-authenticate").startsWith("Bearer"), raw.headers().toString());
        assertTrue(raw.headers().get("content-type").startsWith("application/problem+json"), raw.headers().toString());
        assertEquals(401, WsClient.JSON.readTree(raw.body()).path("status").asInt());
    }

    @Test
    void badTokensAreRefusedAtTheHandshake() {
        String expired = Tokens.sign(Tokens.SECRET, c -> c.claim("role", "admin").expirationTime(Date.from(Instant.now().minusSeconds(300))));
        String forged = Tokens.sign("a-completely-different-secret-32bytes+", c -> c.claim("role", "admin"));
        assertEquals(401, handshake(ws("?access_token=" + expired), Map.of()));
        assertEquals(401, handshake(ws("?access_token=" + forged), Map.of()));
        assertEquals(401, handshake(ws(""), Map.of("Authorization", "Bearer " + forged)));
        assertEquals(401, handshake(server.wsUri("/socket.io/?EIO=4&transport=websocket&access_token=" + forged), Map.of()));
        HttpResponse<String> polling = get(server.uri("/socket.io/?EIO=4&transport=polling&access_token=" + expired), Map.of());
        assertEquals(401, polling.statusCode());
        assertEquals(101, handshake(ws("?access_token=" + Tokens.admin()), Map.of()));
    }

    @Test
    void aForeignOriginIsRefusedAndNoOriginOrAnAllowedOneIsNot() {
        Map<String, String> evil = Map.of("Origin", "https://evil.test");
        assertEquals(403, handshake(ws("?access_token=" + Tokens.admin()), evil));
        assertEquals(403, handshake(server.wsUri("/socket.io/?EIO=4&transport=websocket"), evil));
        assertEquals(403, get(server.uri("/socket.io/?EIO=4&transport=polling"), evil).statusCode());
        assertEquals(101, handshake(ws("?access_token=" + Tokens.admin()), Map.of("Origin", "https://admin.atlas.test")));
        assertEquals(101, handshake(ws("?access_token=" + Tokens.admin()), Map.of("Origin", "http://127.0.0.1:" + server.port())));
        assertEquals(200, get(server.uri("/socket.io/?EIO=4&transport=polling"), Map.of()).statusCode());
    }

    static HttpResponse<String> get(URI uri, Map<String, String> headers) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
            headers.forEach(b::header);
            return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void withoutATokenNothingArrivesAndTheSocketIsClosedAfterTheDeadline() {
        WsClient c = WsClient.connect(ws(""));
        admin.create("{\"title\":\"not for strangers\"}");
        assertEquals(1008, c.awaitClose());
        assertTrue(c.noPendingMessages(), "no hello, no event before authentication");
        c.close();
    }

    @Test
    void inBandAuthenticationOpensTheStreamWithTheHelloFirstAndABadTokenCloses() {
        try (WsClient c = WsClient.connect(ws(""))) {
            c.send("{\"type\":\"authenticate\",\"token\":\"" + Tokens.admin() + "\"}");
            assertEquals("hello", c.nextJson().path("event").asText(), "the hello is always the first frame");
            JsonNode ok = c.nextJson();
            assertEquals("authenticated", ok.path("event").asText());
            assertEquals("admin", ok.path("role").asText());
        }
        WsClient bad = WsClient.connect(ws(""));
        bad.send("{\"type\":\"authenticate\",\"token\":\"nonsense\"}");
        assertEquals(1008, bad.awaitClose());
        assertTrue(bad.closeReason().startsWith("authentication failed"), bad.closeReason());
        assertTrue(bad.noPendingMessages(), "no frame before the hello, not even an error");
        bad.close();
    }

    /**
     * What a client sends before authenticating is answered after the hello, in order: nothing reaches a socket
     * before it. A client that keeps talking without authenticating is closed.
     */
    @Test
    void messagesBeforeAuthenticationAreAnsweredAfterTheHello() {
        try (WsClient c = WsClient.connect(ws(""))) {
            c.send("{\"type\":\"ping\"}");
            c.send("{\"type\":\"nonsense\"}");
            c.send("not json");
            c.send("{\"type\":\"authenticate\",\"token\":\"" + Tokens.admin() + "\"}");
            c.send("{\"type\":\"ping\"}");
            List<String> events = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                events.add(c.nextJson().path("event").asText());
            }
            assertEquals(List.of("hello", "pong", "error", "error", "authenticated", "pong"), events);
        }
        WsClient chatty = WsClient.connect(ws(""));
        for (int i = 0; i < 17; i++) {
            chatty.send("{\"type\":\"ping\"}");
        }
        assertEquals(1008, chatty.awaitClose());
        assertTrue(chatty.closeReason().contains("before authenticating"), chatty.closeReason());
        assertTrue(chatty.noPendingMessages(), "still nothing before a hello");
        chatty.close();
    }

    @Test
    void anExpiredTokenClosesTheSessionUnlessRenewedInBand() {
        String shortLived = Tokens.sign(Tokens.SECRET, c -> c.claim("role", "admin")
                .expirationTime(Date.from(Instant.now().plusSeconds(2))));
        WsClient expiring = WsClient.connectReady(ws("?access_token=" + shortLived));
        WsClient renewed = WsClient.connectReady(ws("?access_token=" + shortLived));
        renewed.send("{\"type\":\"authenticate\",\"token\":\"" + Tokens.admin() + "\"}");
        assertEquals("authenticated", renewed.nextJson().path("event").asText());
        assertEquals(1008, expiring.awaitClose());
        assertEquals("token expired", expiring.closeReason());
        admin.create("{\"title\":\"after expiry\"}");
        assertEquals("taskCreated", renewed.nextJson().path("event").asText(), "the renewed session lives on");
        expiring.close();
        renewed.close();
    }

    @Test
    void anExpiredTokenEndsASocketIoSession() {
        String shortLived = Tokens.sign(Tokens.SECRET, c -> c.claim("role", "admin")
                .expirationTime(Date.from(Instant.now().plusSeconds(2))));
        WsClient sio = socketIo(shortLived);
        assertEquals(1008, sio.awaitClose(), "socket.io-client sees the transport close");
        sio.close();
    }

    @Test
    void agentsObserveOnlyTheirOwnTasksAcrossReassignment() throws Exception {
        try (WsClient a = WsClient.connectReady(ws("?access_token=" + Tokens.agent(A)));
             WsClient b = WsClient.connectReady(ws("?access_token=" + Tokens.agent(B)));
             WsClient sioA = socketIo(Tokens.agent(A));
             WsClient all = WsClient.connectReady(ws("?access_token=" + Tokens.admin()))) {
            long t1 = admin.create("{\"title\":\"t1\",\"agentWallet\":\"" + B + "\"}").path("id").asLong(); // B: created, assigned
            long t2 = admin.create("{\"title\":\"t2\",\"agentWallet\":\"" + A + "\"}").path("id").asLong(); // A: created, assigned
            admin.put("/api/tasks/" + t1, "{\"title\":\"t1 edited\"}");                                         // B: updated
            admin.put("/api/tasks/" + t1, "{\"agentWallet\":\"" + A + "\"}");                                   // B: updated (last); A: updated, assigned
            admin.put("/api/tasks/" + t1, "{\"title\":\"t1 now A's\"}");                                       // A: updated
            admin.post("/api/tasks/" + t1 + "/start", null);                                                    // A: updated
            admin.put("/api/tasks/" + t2, "{\"agentWallet\":null}");                                            // A: updated (last)
            admin.put("/api/tasks/" + t2, "{\"title\":\"t2 nobody's\"}");                                       // nobody
            admin.create("{\"title\":\"nobody's\"}");                                                           // nobody
            admin.delete("/api/tasks/" + t1);                                                                   // A: deleted
            long endA = admin.create("{\"title\":\"end A\",\"agentWallet\":\"" + A + "\"}").path("id").asLong();
            long endB = admin.create("{\"title\":\"end B\",\"agentWallet\":\"" + B + "\"}").path("id").asLong();

            List<String> expectedA = List.of(
                    "taskCreated " + t2, "taskAssigned " + t2,
                    "taskUpdated " + t1, "taskAssigned " + t1,
                    "taskUpdated " + t1, "taskUpdated " + t1,
                    "taskUpdated " + t2,
                    "taskDeleted " + t1,
                    "taskCreated " + endA, "taskAssigned " + endA);
            List<String> expectedB = List.of(
                    "taskCreated " + t1, "taskAssigned " + t1,
                    "taskUpdated " + t1, "taskUpdated " + t1,
                    "taskCreated " + endB, "taskAssigned " + endB);
            assertEquals(expectedA, readUntil(a, "taskAssigned " + endA));
            assertEquals(expectedB, readUntil(b, "taskAssigned " + endB));
            assertEquals(expectedA, readSocketIoUntil(sioA, "taskAssigned " + endA));
            assertEquals(17, readUntil(all, "taskAssigned " + endB).size(), "the admin sees every event");
        }
    }

    WsClient socketIo(String token) {
        WsClient c = WsClient.connect(server.wsUri("/socket.io/?EIO=4&transport=websocket"));
        assertTrue(c.next().startsWith("0{"));
        c.send("40{\"token\":\"" + token + "\"}");
        assertTrue(c.next().startsWith("40{\"sid\""));
        return c;
    }

    static String describe(JsonNode e) {
        JsonNode data = e.path("data");
        return e.path("event").asText() + " " + data.path("id").asLong();
    }

    static List<String> readUntil(WsClient c, String last) {
        List<String> seen = new ArrayList<>();
        while (seen.isEmpty() || !seen.get(seen.size() - 1).equals(last)) {
            seen.add(describe(c.nextJson()));
        }
        return seen;
    }

    static List<String> readSocketIoUntil(WsClient c, String last) throws Exception {
        List<String> seen = new ArrayList<>();
        while (seen.isEmpty() || !seen.get(seen.size() - 1).equals(last)) {
            String frame = c.next();
            if (frame.equals("2")) {
                c.send("3");
                continue;
            }
            seen.add(describe(WsClient.JSON.readTree(frame.substring(2)).get(1)));
        }
        return seen;
    }

    @Test
    void socketIoRefusesABadConnectTokenAndAnswersAuthenticate() throws Exception {
        try (WsClient c = WsClient.connect(server.wsUri("/socket.io/?EIO=4&transport=websocket"))) {
            assertTrue(c.next().startsWith("0{"));
            c.send("40{\"token\":\"forged\"}");
            String refused = c.next();
            assertTrue(refused.startsWith("44{\"message\":\"invalid token"), refused);
            c.send("40");
            assertTrue(c.next().startsWith("40{\"sid\""), "connected, but nothing flows before authentication");
            c.send("421[\"authenticate\",{\"token\":\"" + Tokens.agent(A) + "\"}]");
            JsonNode ack = WsClient.JSON.readTree(c.next().substring(3)).get(0);
            assertTrue(ack.path("ok").asBoolean(), ack::toString);
            assertEquals(A, ack.path("wallet").asText());
            long mine = admin.create("{\"title\":\"sio A\",\"agentWallet\":\"" + A + "\"}").path("id").asLong();
            assertEquals(List.of("taskCreated " + mine), readSocketIoUntil(c, "taskCreated " + mine));
        }
        WsClient bad = WsClient.connect(server.wsUri("/socket.io/?EIO=4&transport=websocket"));
        assertTrue(bad.next().startsWith("0{"));
        bad.send("40");
        assertTrue(bad.next().startsWith("40{"));
        bad.send("427[\"authenticate\",{\"token\":\"forged\"}]");
        assertTrue(bad.next().startsWith("437[{\"ok\":false"));
        assertEquals("41", bad.next(), "then a server-side disconnect");
        assertEquals(1008, bad.awaitClose());
        bad.close();
    }
}
