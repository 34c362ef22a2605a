package dev.atlas.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * REST security against a server that checks tokens (HS256 secret, issuer, audience): every bad token is
 * 401 with a Bearer challenge, agents see and change only their own tasks (others' look absent), the admin
 * actions are 403 for agents, CORS follows the allowlist, and responses carry the protective headers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecurityRestIT {
    static final String A = "0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa0001";
    static final String B = "0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb0002";
    static final String ALLOWED = "https://admin.atlas.test";

    AtlasProcess server;
    Api anonymous;
    Api admin;
    Api agentA;
    Api agentB;

    @BeforeAll
    void start() {
        AtlasProcess.wipeData("security-rest");
        Map<String, String> settings = new java.util.HashMap<>(Tokens.settings());
        settings.put("ATLAS_ALLOWED_ORIGINS", ALLOWED);
        settings.put("ATLAS_SIWE_NONCES_PER_MINUTE", "1000"); // the concurrent callers' test asks for 40
        server = new AtlasProcess("security-rest", settings).start();
        anonymous = new Api(server::uri);
        admin = anonymous.as(Tokens.admin());
        agentA = anonymous.as(Tokens.agent(A));
        agentB = anonymous.as(Tokens.agent(B.toUpperCase().replace("0X", "0x")));
    }

    @AfterAll
    void stop() {
        server.stop();
    }

    static void assert401(Api.Reply r) {
        assertEquals(401, r.status(), r::body);
        assertTrue(r.header("WWW-Authenticate").startsWith("Bearer"), r.header("WWW-Authenticate"));
        assertEquals("application/problem+json", r.contentType());
    }

    String token(JWSAlgorithm alg, String secret, java.util.function.Consumer<com.nimbusds.jwt.JWTClaimsSet.Builder> c) {
        return Tokens.sign(secret, alg, c);
    }

    @Test
    void everyBadTokenIs401WithABearerChallenge() {
        Instant now = Instant.now();
        String[] bad = {
            Tokens.sign("another-secret-of-at-least-thirty-two-bytes!!", c -> c.claim("role", "admin")), // forged
            Tokens.sign(Tokens.SECRET, c -> c.claim("role", "admin").expirationTime(Date.from(now.minusSeconds(120)))), // expired
            Tokens.sign(Tokens.SECRET, c -> c.claim("role", "admin").notBeforeTime(Date.from(now.plusSeconds(300)))), // not yet valid
            Tokens.sign(Tokens.SECRET, c -> c.claim("role", "admin").issuer("https://evil.test")), // wrong issuer
            Tokens.sign(Tokens.SECRET, c -> c.claim("role", "admin").audience("someone-else")), // wrong audience
            Tokens.sign(Tokens.SECRET, JWSAlgorithm.HS384, c -> c.claim("role", "admin")), // wrong algorithm
            Tokens.sign(Tokens.SECRET, c -> c.claim("role", "admin").expirationTime(null)), // no exp
            Tokens.sign(Tokens.SECRET, c -> c.claim("role", "root")), // bad role
            Tokens.sign(Tokens.SECRET, c -> c.claim("role", "agent")), // agent without wallet
            unsecured(),
            "not.a.token",
        };
        for (String t : bad) {
            assert401(anonymous.as(t).get("/api/tasks"));
        }
        Api.Reply none = anonymous.get("/api/tasks");
        assert401(none);
        assertFalse(none.body().contains("eyJ"), "no token text in the error body");
    }

    /** {"alg":"none"} with a valid payload and no signature. */
    static String unsecured() {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        long exp = Instant.now().plus(Duration.ofHours(1)).getEpochSecond();
        String payload = "{\"role\":\"admin\",\"iss\":\"" + Tokens.ISSUER + "\",\"aud\":\"" + Tokens.AUDIENCE + "\",\"exp\":" + exp + "}";
        return b64.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + ".";
    }

    @Test
    void agentsSeeAndChangeOnlyTheirOwnTasks() {
        long mine = admin.create("{\"title\":\"for A\",\"agentWallet\":\"" + A + "\"}").path("id").asLong();
        long theirs = admin.create("{\"title\":\"for B\",\"agentWallet\":\"" + B + "\"}").path("id").asLong();
        long nobodys = admin.create("{\"title\":\"unassigned\"}").path("id").asLong();

        JsonNode listA = agentA.get("/api/tasks").json().path("items");
        for (JsonNode t : listA) {
            assertEquals(A, t.path("agentWallet").asText(), "A lists only its own tasks");
        }
        assertTrue(listA.toString().contains("\"id\":" + mine));
        assertEquals(0, agentA.get("/api/tasks?agentWallet=" + B).json().path("items").size(), "no peeking by filter");

        assertEquals(200, agentA.get("/api/tasks/" + mine).status());
        for (long other : new long[] {theirs, nobodys}) {
            assertEquals(404, agentA.get("/api/tasks/" + other).status(), "another's task looks absent");
            assertEquals(404, agentA.post("/api/tasks/" + other + "/start", null).status());
            assertEquals(404, agentA.post("/api/tasks/" + other + "/complete", null).status());
        }
        assertEquals(200, agentA.post("/api/tasks/" + mine + "/start", null).status());
        assertEquals(200, agentA.post("/api/tasks/" + mine + "/complete", null).status());
        assertEquals(200, agentB.get("/api/tasks/" + theirs).status(), "wallet claims match in any case");
    }

    /**
     * Admins, agents and callers without a token calling at once each get the answer their own token allows: the
     * task resource is one instance for the application and learns its caller from the serving thread
     * ({@code RequestPrincipal}); nothing of one request's caller may reach another request on the same pooled
     * thread, neither one refused for its token nor one let through without a token (wallet sign-in's nonce).
     */
    @Test
    void concurrentCallersEachGetTheAnswerOfTheirOwnToken() throws Exception {
        long theirs = admin.create("{\"title\":\"for B\",\"agentWallet\":\"" + B + "\"}").path("id").asLong();
        String path = "/api/tasks/" + theirs;
        List<Callable<Integer>> calls = List.of(
                () -> admin.get(path).status(),
                () -> agentA.get(path).status(),   // another agent's task looks absent
                () -> agentB.get(path).status(),
                () -> agentA.put(path, "{}").status(), // agents may not edit
                () -> anonymous.get(path).status(),
                () -> anonymous.as("not-a-token").post("/api/tasks/" + theirs + "/start", null).status(),
                () -> anonymous.post("/api/auth/nonce", null).status());
        int[] expected = {200, 404, 200, 403, 401, 401, 200};
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < 280; i++) {
                answers.add(pool.submit(calls.get(i % calls.size())));
            }
            for (int i = 0; i < answers.size(); i++) {
                assertEquals(expected[i % calls.size()], answers.get(i).get(60, TimeUnit.SECONDS), "call kind " + i % calls.size());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void adminActionsAreForbiddenToAgents() {
        long mine = admin.create("{\"title\":\"for A\",\"agentWallet\":\"" + A + "\"}").path("id").asLong();
        assertEquals(403, agentA.post("/api/tasks", "{\"title\":\"x\"}").status());
        assertEquals(403, agentA.put("/api/tasks/" + mine, "{\"title\":\"x\"}").status());
        assertEquals(403, agentA.put("/api/tasks/" + mine, "{\"agentWallet\":\"" + B + "\"}").status());
        assertEquals(403, agentA.delete("/api/tasks/" + mine).status());
        assertEquals(403, agentA.get("/api/diagnostics").status());
        assertEquals(403, agentA.post("/api/tokens", "{\"role\":\"admin\"}").status());
        Api.Reply r = agentA.delete("/api/tasks/" + mine);
        assertEquals("application/problem+json", r.contentType());
        assertEquals(200, admin.get("/api/tasks/" + mine).status(), "nothing changed");
    }

    @Test
    void adminsMintTokensThatWork() {
        Api.Reply r = admin.post("/api/tokens", "{\"role\":\"agent\",\"wallet\":\"" + A + "\",\"sub\":\"alice\",\"ttl\":\"1h\"}");
        // with issuer/audience set the server's own tokens carry them as well
        assertEquals(200, r.status(), r.body());
        Api minted = anonymous.as(r.json().path("token").asText());
        assertEquals(200, minted.get("/api/tasks").status());
        assertEquals(403, minted.post("/api/tasks", "{\"title\":\"x\"}").status());
        assertEquals(400, admin.post("/api/tokens", "{\"role\":\"agent\",\"wallet\":\"nope\"}").status());
    }

    /** Like the task endpoints, minting refuses what it does not know, and claims a token could not carry. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "unknown field          | {\"role\":\"admin\",\"scope\":\"all\"}                     | scope",
            "no role                | {\"sub\":\"x\"}                                                | role",
            "role not a string      | {\"role\":1}                                                    | role",
            "unknown role           | {\"role\":\"root\"}                                            | role",
            "agent without wallet   | {\"role\":\"agent\"}                                           | wallet",
            "admin with a wallet    | {\"role\":\"admin\",\"wallet\":\"WALLET\"}                 | wallet",
            "sub not a string       | {\"role\":\"admin\",\"sub\":{}}                              | sub",
            "sub too long           | {\"role\":\"admin\",\"sub\":\"LONGSUB\"}                    | sub",
            "sub blank              | {\"role\":\"admin\",\"sub\":\" \"}                          | sub",
            "sub with a line break  | {\"role\":\"admin\",\"sub\":\"a\\nb\"}                     | sub",
            "sub with NUL           | {\"role\":\"admin\",\"sub\":\"a\\u0000b\"}                 | sub",
            "ttl not a string       | {\"role\":\"admin\",\"ttl\":3600}                            | ttl",
            "ttl unreadable         | {\"role\":\"admin\",\"ttl\":\"soon\"}                       | ttl",
    })
    void aMintRequestWithAnUnknownFieldOrAClaimItCannotCarryIs400(String name, String body, String field) {
        Api.Reply r = admin.post("/api/tokens", body.replace("LONGSUB", "s".repeat(201)).replace("WALLET", A));
        assertEquals(400, r.status(), r::body);
        assertEquals("application/problem+json", r.contentType());
        boolean named = false;
        for (JsonNode e : r.json().path("errors")) {
            named |= field.equals(e.path("field").asText());
        }
        assertTrue(named, () -> "no error for " + field + ": " + r.body());
    }

    @Test
    void theLongestSubjectMintsATokenThatFitsTheHeaderLimit() {
        String longest = "\uD83D\uDE80".repeat(200);
        Api.Reply r = admin.post("/api/tokens", "{\"role\":\"agent\",\"wallet\":\"" + A + "\",\"sub\":\"" + longest + "\"}");
        assertEquals(200, r.status(), r::body);
        Api minted = anonymous.as(r.json().path("token").asText());
        assertEquals(200, minted.get("/api/tasks").status(), "a token of the longest subject is accepted in its header");
    }

    @Test
    void corsFollowsTheAllowlist() {
        Api.Reply ok = anonymous.send(java.net.http.HttpRequest.newBuilder(server.uri("/api/tasks"))
                .method("OPTIONS", java.net.http.HttpRequest.BodyPublishers.noBody())
                .header("Origin", ALLOWED).header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization,content-type"));
        assertEquals(204, ok.status());
        assertEquals(ALLOWED, ok.header("Access-Control-Allow-Origin"));
        assertTrue(ok.header("Access-Control-Allow-Headers").contains("Authorization"));
        Api.Reply foreign = anonymous.send(java.net.http.HttpRequest.newBuilder(server.uri("/api/tasks"))
                .method("OPTIONS", java.net.http.HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://evil.test").header("Access-Control-Request-Method", "POST"));
        assertEquals(null, foreign.header("Access-Control-Allow-Origin"));
        Api.Reply get = admin.send(java.net.http.HttpRequest.newBuilder(server.uri("/api/tasks")).header("Origin", ALLOWED));
        assertEquals(ALLOWED, get.header("Access-Control-Allow-Origin"));
    }

    @Test
    void responsesCarryProtectiveHeaders() {
        Api.Reply r = admin.get("/api/tasks");
        assertEquals("nosniff", r.header("X-Content-Type-Options"));
        assertEquals("DENY", r.header("X-Frame-Options"));
        assertEquals(dev.atlas.web.SecurityHeadersFilter.STRICT_POLICY, r.header("Content-Security-Policy"));
        assertEquals("no-store", r.header("Cache-Control"));
        Api.Reply page = anonymous.get("/index.html");
        assertEquals("nosniff", page.header("X-Content-Type-Options"));
        assertEquals("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self';"
                + " form-action 'self'; base-uri 'none'; frame-ancestors 'none'", page.header("Content-Security-Policy"),
                "the console's pages: nothing inline, nothing from elsewhere");
        assertEquals("frame-ancestors 'none'", anonymous.get("/api-docs").header("Content-Security-Policy"),
                "the Swagger UI styles inline");
        assertTrue(page.header("Content-Type").startsWith("text/html"), "with nosniff, static files need their type");
    }

    @Test
    void healthNeedsNoToken() {
        assertEquals(200, anonymous.get("/health/live").status());
        assertEquals(200, anonymous.get("/health/ready").status());
    }
}
