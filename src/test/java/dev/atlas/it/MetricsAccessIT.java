package dev.atlas.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Who may read {@code /metrics} on a server that checks tokens, over real connections. A client on this host
 * (peer 127.0.0.1) reads without a token. A "remote" client is a connection whose source address is
 * {@code 127.0.0.2}: still loopback traffic on this machine, but not the address the server treats as local,
 * so the server sees a foreign peer exactly as it would one across the network. Such a client needs the
 * metrics token or an admin token, and cannot talk its way in with {@code X-Forwarded-For} or
 * {@code X-Real-IP}. A request relayed by a proxy on this host (peer 127.0.0.1 with a forwarded client
 * address) is not local either. Refused tokens are counted by channel and reason: on {@code /metrics}, on
 * {@code /api}, on the {@code /ws} and {@code /socket.io/} handshakes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsAccessIT {
    static final String METRICS_TOKEN = "scrape-token-for-metrics-access-it";
    static final String REMOTE = "127.0.0.2";

    AtlasProcess server;
    Api local;

    @BeforeAll
    void start() {
        AtlasProcess.wipeData("metrics-access");
        Map<String, String> settings = new HashMap<>(Tokens.settings());
        settings.put("ATLAS_METRICS_TOKEN", METRICS_TOKEN);
        server = new AtlasProcess("metrics-access", settings).start();
        local = new Api(server::uri);
    }

    @AfterAll
    void stop() {
        server.stop();
    }

    RawHttp.Reply fetch(String from, String path, Map<String, String> headers) {
        return RawHttp.get(from, server.port(), path, headers);
    }

    Scrape localScrape() {
        Api.Reply r = local.get("/metrics");
        assertEquals(200, r.status(), r::body);
        return new Scrape(r.body());
    }

    @Test
    void aLocalClientReadsWithoutAToken() {
        Api.Reply r = local.get("/metrics");
        assertEquals(200, r.status());
        assertTrue(r.body().contains("atlas_events_committed_total"));
        assertEquals(200, fetch("127.0.0.1", "/metrics", Map.of()).status(), "the raw client from 127.0.0.1 is local too");
    }

    @Test
    void aRemoteClientNeedsAToken() {
        RawHttp.Reply none = fetch(REMOTE, "/metrics", Map.of());
        assertEquals(401, none.status(), none::body);
        assertTrue(none.headers().get("www-authenticate").startsWith("Bearer"));
        assertEquals("application/problem+json", none.headers().get("content-type"));
        assertTrue(!none.body().contains("atlas_events"), none::body);
    }

    @Test
    void forwardingHeadersFromAnUntrustedPeerGrantNothing() {
        assertEquals(401, fetch(REMOTE, "/metrics", Map.of("X-Forwarded-For", "127.0.0.1")).status());
        assertEquals(401, fetch(REMOTE, "/metrics", Map.of("X-Real-IP", "127.0.0.1")).status());
        assertEquals(401, fetch(REMOTE, "/metrics", Map.of("X-Forwarded-For", "::1", "X-Real-IP", "::1")).status());
    }

    @Test
    void aRequestRelayedByALocalProxyIsNotLocal() {
        // what Nginx on this host sends for a client elsewhere, when Tomcat has no RemoteIpValve
        Api.Reply relayed = local.send(HttpRequest.newBuilder(server.uri("/metrics"))
                .header("X-Forwarded-For", "203.0.113.9").header("X-Real-IP", "203.0.113.9"));
        assertEquals(401, relayed.status(), relayed::body);
        Api.Reply withToken = local.as(METRICS_TOKEN).send(HttpRequest.newBuilder(server.uri("/metrics"))
                .header("X-Forwarded-For", "203.0.113.9"));
        assertEquals(200, withToken.status());
    }

    @Test
    void theMetricsTokenAndAnAdminTokenOpenItAndAnAgentTokenDoesNot() {
        RawHttp.Reply byMetricsToken = fetch(REMOTE, "/metrics", Map.of("Authorization", "Bearer " + METRICS_TOKEN));
        assertEquals(200, byMetricsToken.status());
        assertTrue(byMetricsToken.headers().get("content-type").startsWith("text/plain"));
        assertTrue(byMetricsToken.body().contains("atlas_events_committed_total"));
        assertEquals(200, fetch(REMOTE, "/metrics", Map.of("Authorization", "Bearer " + Tokens.admin())).status());
        RawHttp.Reply agent = fetch(REMOTE, "/metrics", Map.of("Authorization", "Bearer " + Tokens.agent("0x" + "ab".repeat(20))));
        assertEquals(403, agent.status(), agent::body);
    }

    @Test
    void theMetricsTokenOpensNothingElse() {
        assertEquals(401, local.as(METRICS_TOKEN).get("/api/tasks").status());
        assertEquals(401, local.as(METRICS_TOKEN).get("/api/diagnostics").status());
    }

    @Test
    void refusedTokensAreCountedByChannelAndReason() {
        Scrape before = localScrape();
        String forged = Tokens.sign("another-secret-of-at-least-thirty-two-bytes!!", c -> c.claim("role", "admin"));
        assertEquals(401, fetch(REMOTE, "/metrics", Map.of("Authorization", "Bearer " + forged)).status());
        assertEquals(401, local.get("/api/tasks").status());
        assertEquals(401, WsClient.handshakeStatus(server.wsUri("/ws?access_token=" + forged), Map.of()));
        assertEquals(401, local.get("/socket.io/?EIO=4&transport=polling&access_token=" + forged).status());
        Scrape after = localScrape();
        for (String sample : new String[] {
            "atlas_auth_failures_total{channel=\"metrics\",reason=\"bad_signature\"}",
            "atlas_auth_failures_total{channel=\"rest\",reason=\"missing\"}",
            "atlas_auth_failures_total{channel=\"ws\",reason=\"bad_signature\"}",
            "atlas_auth_failures_total{channel=\"socket.io\",reason=\"bad_signature\"}"}) {
            assertEquals(before.value(sample) + 1, after.value(sample), () -> sample + " in\n" + after.text());
        }
    }
}
