package dev.atlas.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The built WAR, unchanged, as {@code ROOT.war} in a stock Jetty 12 (ee10) from Maven Central, configured by
 * environment variables only (a signing secret, tokens required): REST, {@code /ws} and the real
 * {@code socket.io-client} (default options: long-polling, then the upgrade to WebSocket) on Jetty's own Servlet and
 * Jakarta WebSocket implementations instead of Tomcat's.
 */
class JettySmokeIT {
    static final Duration WAIT = Duration.ofSeconds(15);

    @RegisterExtension
    static final StockContainer.LogOnFailure LOGS = new StockContainer.LogOnFailure();

    @Test
    void theWarRunsUnchangedOnJetty12() throws Exception {
        NodeClient.nodeExecutable(); // fail fast, with the reason, when Node or its modules are missing
        NodeClient.nodeDir();
        String admin = Tokens.admin();
        Map<String, String> env = Map.of("ATLAS_DATA_DIR", AtlasProcess.target().resolve("jetty-base/data-smoke").toString(),
                "ATLAS_JWT_SECRET", Tokens.SECRET);
        try (Jetty jetty = LOGS.track(new Jetty("smoke", env)).start()) {
            Api api = new Api(jetty::uri, admin);
            assertEquals(401, new Api(jetty::uri).get("/api/tasks").status(), "no token, no tasks");
            JsonNode task;
            // socket.io-client sends the URL's query with every Engine.IO request: the token of the handshake
            try (WsClient ws = WsClient.connectReady(jetty.wsUri("/ws?access_token=" + admin));
                 NodeClient sio = NodeClient.script("jetty-sio", "sio-client.mjs",
                         jetty.uri("/?access_token=" + admin).toString(), "default", "60")) {
                SocketIoClientIT.awaitConnected(sio, "default");

                task = api.create("{\"title\":\"on jetty\",\"agentWallet\":\"0x" + "d".repeat(40) + "\"}");
                JsonNode created = ws.nextJson();
                assertEquals("taskCreated", created.path("event").asText(), created::toString);
                assertEquals(task, created.path("data"));
                assertEquals("taskAssigned", ws.nextJson().path("event").asText());

                JsonNode sioEvent = sio.awaitLine(n -> "event".equals(n.path("type").asText())
                        && "taskCreated".equals(n.path("name").asText()), WAIT, "taskCreated on socket.io");
                assertEquals(task, sioEvent.path("args").path(0).path("data"));
                assertEquals(created, sioEvent.path("args").path(0), "the same envelope on both transports");
                assertTrue(sio.linesOfType("disconnect").isEmpty(), sio::tail);
            }
            Api.Reply got = api.get("/api/tasks/" + task.path("id").asText());
            assertEquals(200, got.status(), got::body);
            assertEquals(task, got.json());
            assertEquals(200, api.get("/index.html").status(), "the WAR's static files through Jetty's default servlet");
            aBadTokenGetsNoSession(jetty);
            assertEquals(404, api.get("/api/tasks/424242").status());
            Api.Reply missing = api.get("/nothing-here.html");
            assertEquals(404, missing.status(), "the WAR's error page (web.xml) on Jetty too");
            assertEquals("application/problem+json", missing.contentType(), missing::body);
            assertEquals("https://atlas.dev/problems/not-found", missing.json().path("type").asText(), missing::body);
            assertEquals("nosniff", missing.header("X-Content-Type-Options"));
        }
    }

    /**
     * Jetty upgrades {@code /ws} before the application's filters run, so the endpoint checks the handshake itself: a
     * forged token or a foreign origin never gets a session — refused at the handshake (401/403, where the filter ran
     * first) or closed with 1008 before any message.
     */
    private static void aBadTokenGetsNoSession(Jetty jetty) {
        String forged = Tokens.sign("a-completely-different-secret-32bytes+", c -> c.claim("role", "admin"));
        refusedOrClosed(jetty.wsUri("/ws?access_token=" + forged), Map.of(), 401);
        refusedOrClosed(jetty.wsUri("/ws?access_token=" + Tokens.admin()), Map.of("Origin", "https://evil.example"), 403);
    }

    private static void refusedOrClosed(java.net.URI uri, Map<String, String> headers, int status) {
        java.net.http.HttpResponse<?> refusal = WsClient.handshakeRefusal(uri, headers);
        if (refusal != null) {
            assertEquals(status, refusal.statusCode());
            return;
        }
        try (WsClient c = WsClient.connect(uri, headers)) {
            assertEquals(1008, c.awaitClose());
            assertTrue(c.noPendingMessages(), "no hello, no event");
        }
    }
}
