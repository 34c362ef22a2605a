package dev.atlas.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atlas.agent.AgentService;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;
import org.web3j.utils.Numeric;

/**
 * Wallet sign-in (EIP-4361) and the agent roster over HTTP, against a real server process with authentication on
 * and {@code ATLAS_AGENTS_REGISTERED_ONLY=true}. Keys are throw-away {@link ECKeyPair}s made here; messages are
 * signed with web3j's {@code Sign.signPrefixedMessage} (EIP-191 {@code personal_sign}). Subclasses choose the database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class WalletSignInContract {
    /** Short, so that the expired-nonce test waits little; every other test signs right after asking. */
    static final int NONCE_TTL_SECONDS = 5;

    AtlasProcess server;
    Api admin;
    Api anonymous;

    /** Starts the server for this class's database with {@code settings} added. */
    abstract AtlasProcess startServer(Map<String, String> settings);

    @BeforeAll
    void startAll() {
        Map<String, String> settings = new HashMap<>(Tokens.settings());
        settings.put("ATLAS_AGENTS_REGISTERED_ONLY", "true");
        settings.put("ATLAS_SIWE_CHAIN_IDS", "1, 11155111");
        settings.put("ATLAS_SIWE_NONCE_TTL_SECONDS", String.valueOf(NONCE_TTL_SECONDS));
        settings.put("ATLAS_SIWE_NONCES_PER_MINUTE", "1000");
        server = startServer(settings);
        admin = new Api(server::uri, Tokens.admin());
        anonymous = new Api(server::uri, null);
    }

    @AfterAll
    void stopAll() {
        if (server != null) {
            server.stop();
        }
    }

    /** A throw-away key registered as an active agent. */
    ECKeyPair agent(String name) throws Exception {
        ECKeyPair key = Keys.createEcKeyPair();
        Api.Reply r = admin.post("/api/agents", "{\"wallet\":\"" + checksum(key) + "\",\"displayName\":\"" + name + "\"}");
        assertEquals(201, r.status(), r.body());
        return key;
    }

    static String checksum(ECKeyPair key) {
        return Keys.toChecksumAddress(Keys.getAddress(key));
    }

    static String wallet(ECKeyPair key) {
        return "0x" + Keys.getAddress(key);
    }

    String host() {
        return server.uri("/").getRawAuthority();
    }

    String nonce() {
        Api.Reply r = anonymous.post("/api/auth/nonce", null);
        assertEquals(200, r.status(), r.body());
        return r.json().path("nonce").asText();
    }

    /** The fields of a message; tests change one and build it. */
    final class Message {
        String domain = host();
        String address;
        String uri = "http://" + host() + "/agent.html";
        String chainId = "1";
        String nonce = nonce();
        Instant issuedAt = Instant.now().minusSeconds(1);
        Instant expiration = Instant.now().plus(Duration.ofMinutes(5));
        Instant notBefore;

        Message(ECKeyPair key) {
            address = checksum(key);
        }

        String text() {
            return domain + " wants you to sign in with your Ethereum account:\n" + address + "\n\n"
                    + "Sign in to Atlas as an agent.\n\n"
                    + "URI: " + uri + "\nVersion: 1\nChain ID: " + chainId + "\nNonce: " + nonce
                    + "\nIssued At: " + issuedAt + (expiration == null ? "" : "\nExpiration Time: " + expiration)
                    + (notBefore == null ? "" : "\nNot Before: " + notBefore);
        }
    }

    static String sign(String text, ECKeyPair key) {
        Sign.SignatureData s = Sign.signPrefixedMessage(text.getBytes(StandardCharsets.UTF_8), key);
        return Numeric.toHexString(s.getR()) + Numeric.toHexStringNoPrefix(s.getS()) + Numeric.toHexStringNoPrefix(s.getV());
    }

    Api.Reply signIn(String text, String signature) {
        ObjectNodes body = new ObjectNodes();
        body.put("message", text);
        body.put("signature", signature);
        return anonymous.post("/api/auth/wallet", body.json());
    }

    Api.Reply signIn(Message m, ECKeyPair key) {
        String text = m.text();
        return signIn(text, sign(text, key));
    }

    void assertRefused(Api.Reply r, int status, String reason) {
        assertEquals(status, r.status(), r.body());
        assertEquals("application/problem+json", r.contentType());
        assertTrue(r.json().path("type").asText().endsWith("/" + reason), () -> "type names " + reason + ": " + r.body());
        assertFalse(r.json().path("detail").asText().isEmpty());
        assertFalse(r.body().contains("\"token\""), "no token on a refusal");
    }

    @Test
    void aTestKeySignsInAndItsTokenWorksLikeAMintedOneOnRestAndWs() throws Exception {
        ECKeyPair key = agent("Alice");
        ECKeyPair other = agent("Bob");
        Api.Reply r = signIn(new Message(key), key);
        assertEquals(200, r.status(), r.body());
        assertEquals(wallet(key), r.json().path("wallet").asText());
        String token = r.json().path("token").asText();

        long mine = admin.create("{\"title\":\"for alice\",\"agentWallet\":\"" + checksum(key) + "\"}").path("id").asLong();
        long theirs = admin.create("{\"title\":\"for bob\",\"agentWallet\":\"" + wallet(other) + "\"}").path("id").asLong();
        Api me = new Api(server::uri, token);
        JsonNode list = me.get("/api/tasks?limit=100").json();
        List<Long> ids = new ArrayList<>();
        list.path("items").forEach(t -> ids.add(t.path("id").asLong()));
        assertTrue(ids.contains(mine), list::toString);
        assertFalse(ids.contains(theirs), "an agent sees only its tasks: " + list);
        assertEquals(404, me.get("/api/tasks/" + theirs).status());
        assertEquals(200, me.post("/api/tasks/" + mine + "/start", null).status());
        assertEquals(403, me.post("/api/tasks", "{\"title\":\"agents may not create\"}").status());

        JsonNode self = me.get("/api/agents").json().path("agents");
        assertEquals(1, self.size(), self::toString);
        assertEquals(wallet(key), self.path(0).path("wallet").asText());
        assertEquals(403, me.post("/api/agents", "{\"wallet\":\"" + wallet(key) + "\",\"displayName\":\"x\"}").status());

        try (WsClient ws = WsClient.connectReady(server.wsUri("/ws?access_token=" + token))) {
            admin.create("{\"title\":\"not yours\",\"agentWallet\":\"" + wallet(other) + "\"}");
            long yours = admin.create("{\"title\":\"yours\",\"agentWallet\":\"" + wallet(key) + "\"}").path("id").asLong();
            JsonNode first = ws.nextJson();
            assertEquals("taskCreated", first.path("event").asText());
            assertEquals(yours, first.path("data").path("id").asLong(), "the other agent's task is filtered out: " + first);
        }
    }

    @Test
    void everyRefusalNamesItsReasonAndIsCounted() throws Exception {
        ECKeyPair key = agent("Carol");
        Message m;

        m = new Message(key);
        m.domain = "evil.example";
        assertRefused(signIn(m, key), 401, "wrong-domain");

        m = new Message(key);
        m.uri = "https://evil.example/login";
        assertRefused(signIn(m, key), 401, "wrong-uri");

        m = new Message(key);
        m.chainId = "137";
        assertRefused(signIn(m, key), 401, "wrong-chain");

        m = new Message(key);
        m.nonce = "neverissued123";
        assertRefused(signIn(m, key), 401, "unknown-nonce");

        m = new Message(key);
        m.expiration = Instant.now().minus(Duration.ofMinutes(5));
        assertRefused(signIn(m, key), 401, "expired-message");

        m = new Message(key);
        m.issuedAt = Instant.now().plus(Duration.ofMinutes(10));
        assertRefused(signIn(m, key), 401, "future-issued-at");

        m = new Message(key);
        m.notBefore = Instant.now().plus(Duration.ofMinutes(10));
        assertRefused(signIn(m, key), 401, "not-yet-valid");

        m = new Message(key);
        m.address = wallet(key); // all lower-case: no EIP-55 checksum
        assertRefused(signIn(m, key), 401, "bad-checksum");

        m = new Message(key);
        m.address = flipCase(checksum(key));
        assertRefused(signIn(m, key), 401, "bad-checksum");

        m = new Message(key);
        assertRefused(signIn(m, Keys.createEcKeyPair()), 401, "wrong-signer");

        m = new Message(key);
        assertRefused(signIn(m.text(), "0x1234"), 401, "malformed-signature");
        m = new Message(key);
        assertRefused(signIn(m.text(), "0x" + "zz".repeat(65)), 401, "malformed-signature");

        m = new Message(key);
        assertRefused(signIn(m.text(), sign(m.text(), key) + "00".repeat(32)), 401, "contract-wallet");

        assertRefused(signIn("not a sign-in message", "0x" + "11".repeat(65)), 401, "malformed-message");

        ECKeyPair stranger = Keys.createEcKeyPair();
        assertRefused(signIn(new Message(stranger), stranger), 403, "unknown-agent");

        ECKeyPair leaving = agent("Dave");
        assertEquals(200, admin.delete("/api/agents/" + checksum(leaving)).status());
        assertRefused(signIn(new Message(leaving), leaving), 403, "inactive-agent");

        Scrape s = Scrape.await(() -> new Scrape(anonymous.get("/metrics").body()),
                sc -> sc.has("atlas_auth_wallet_refusals_total{reason=\"inactive_agent\"}"), "refusal counters");
        for (String reason : List.of("wrong_domain", "wrong_uri", "wrong_chain", "unknown_nonce", "expired_message",
                "future_issued_at", "not_yet_valid", "wrong_signer", "malformed_signature", "contract_wallet",
                "malformed_message", "unknown_agent")) {
            assertTrue(s.value("atlas_auth_wallet_refusals_total{reason=\"" + reason + "\"}") >= 1, reason);
        }
        assertTrue(s.value("atlas_auth_wallet_refusals_total{reason=\"bad_checksum\"}") >= 2);
        assertFalse(server.logTail().contains(sign(m.text(), key).substring(2, 40)), "signatures are not logged");
    }

    static String flipCase(String checksummed) {
        char[] c = checksummed.toCharArray();
        for (int i = 2; i < c.length; i++) {
            if (Character.isLetter(c[i])) {
                c[i] = Character.isUpperCase(c[i]) ? Character.toLowerCase(c[i]) : Character.toUpperCase(c[i]);
                break;
            }
        }
        return new String(c);
    }

    @Test
    void aNonceIsGoodOnceAndNotAfterItExpires() throws Exception {
        ECKeyPair key = agent("Erin");
        Message m = new Message(key);
        String text = m.text();
        String sig = sign(text, key);
        assertEquals(200, signIn(text, sig).status());
        assertRefused(signIn(text, sig), 401, "unknown-nonce");

        Message late = new Message(key);
        Instant expiry = Instant.now().plusSeconds(NONCE_TTL_SECONDS);
        // the condition is the clock passing the nonce's expiry (plus a margin), checked every 20 ms
        while (Instant.now().isBefore(expiry.plusMillis(500))) {
            AtlasProcess.pause(20);
        }
        assertRefused(signIn(late, key), 401, "expired-nonce");
    }

    @Test
    void concurrentUsesOfOneNonceSucceedAtMostOnce() throws Exception {
        ECKeyPair key = agent("Frank");
        Message m = new Message(key);
        String text = m.text();
        String sig = sign(text, key);
        int n = 8;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Integer>> replies = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                replies.add(pool.submit(() -> {
                    go.await();
                    return signIn(text, sig).status();
                }));
            }
            go.countDown();
            int ok = 0;
            for (Future<Integer> f : replies) {
                int status = f.get();
                assertTrue(status == 200 || status == 401, "status " + status);
                ok += status == 200 ? 1 : 0;
            }
            assertEquals(1, ok, "exactly one use of the nonce wins");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theRosterValidatesAndDeactivationClosesTheAgentsSessionsButKeepsItsTasks() throws Exception {
        ECKeyPair key = agent("Grace");
        Api.Reply dup = admin.post("/api/agents", "{\"wallet\":\"" + wallet(key).toUpperCase().replace("0X", "0x") + "\",\"displayName\":\"again\"}");
        assertEquals(409, dup.status(), dup.body());
        Api.Reply bad = admin.post("/api/agents", "{\"wallet\":\"0x12\",\"displayName\":\"\"}");
        assertEquals(400, bad.status());
        assertEquals("application/problem+json", bad.contentType());
        List<String> fields = new ArrayList<>();
        bad.json().path("errors").forEach(e -> fields.add(e.path("field").asText()));
        assertEquals(List.of("wallet", "displayName"), fields);
        assertEquals(400, admin.post("/api/agents", "{\"wallet\":\"" + wallet(key) + "\",\"nickname\":\"x\"}").status());
        assertEquals(404, admin.put("/api/agents/0x" + "9".repeat(40), "{\"displayName\":\"nobody\"}").status());

        // the task API's text rule: the longest name in code points (astral: two UTF-16 units each) is stored on both
        // databases and reads back equal; a NUL or a bidi override is a 400 naming the field
        String longest = "\uD83E\uDD16".repeat(AgentService.NAME_MAX);
        Api.Reply astral = admin.put("/api/agents/" + checksum(key), "{\"displayName\":\"" + longest + "\"}");
        assertEquals(200, astral.status(), astral.body());
        assertEquals(longest, admin.get("/api/agents/" + wallet(key)).json().path("displayName").asText());
        assertEquals(400, admin.put("/api/agents/" + checksum(key), "{\"displayName\":\"" + longest + "x\"}").status());
        for (String refused : List.of("\\u0000", "\\u202E", "a\\nb", "\\ud800")) {
            Api.Reply r = admin.put("/api/agents/" + checksum(key), "{\"displayName\":\"Grace" + refused + "\"}");
            assertEquals(400, r.status(), refused + ": " + r.body());
            assertEquals("displayName", r.json().path("errors").path(0).path("field").asText(), r.body());
        }

        Api.Reply renamed = admin.put("/api/agents/" + checksum(key), "{\"displayName\":\"Grace H.\"}");
        assertEquals(200, renamed.status(), renamed.body());
        assertEquals("Grace H.", renamed.json().path("displayName").asText());
        assertEquals(wallet(key), renamed.json().path("wallet").asText(), "stored lower-case");

        Api.Reply unregistered = admin.post("/api/tasks", "{\"title\":\"nobody's\",\"agentWallet\":\"0x" + "7".repeat(40) + "\"}");
        assertEquals(400, unregistered.status(), unregistered.body());
        assertEquals("agentWallet", unregistered.json().path("errors").path(0).path("field").asText());

        long task = admin.create("{\"title\":\"stays\",\"agentWallet\":\"" + wallet(key) + "\"}").path("id").asLong();
        String token = signIn(new Message(key), key).json().path("token").asText();
        WsClient ws = WsClient.connectReady(server.wsUri("/ws?access_token=" + token));
        WsClient sio = WsClient.connect(server.wsUri("/socket.io/?EIO=4&transport=websocket"));
        try {
            assertTrue(sio.next().startsWith("0{"));
            sio.send("40{\"token\":\"" + token + "\"}");
            assertTrue(sio.next().startsWith("40{\"sid\""), "the Socket.IO session is connected");
            Api.Reply gone = admin.delete("/api/agents/" + wallet(key));
            assertEquals(200, gone.status(), gone.body());
            assertFalse(gone.json().path("active").asBoolean());
            assertEquals(1008, ws.awaitClose(), "/ws closes with 1008");
            assertEquals(1008, sio.awaitClose(), "Socket.IO's WebSocket closes with 1008");
        } finally {
            ws.close();
            sio.close();
        }
        assertEquals(wallet(key), admin.get("/api/tasks/" + task).json().path("agentWallet").asText(), "its tasks stay");
        assertEquals(401, new Api(server::uri, token).get("/api/tasks").status(), "its unexpired token is refused");
        assertEquals(401, WsClient.handshakeStatus(server.wsUri("/ws?access_token=" + token), Map.of()));
        assertEquals(401, new Api(server::uri, Tokens.agent(wallet(key))).get("/api/tasks").status(), "minted ones too");
        Api.Reply reassign = admin.put("/api/tasks/" + task, "{\"agentWallet\":\"" + wallet(key) + "\"}");
        assertEquals(400, reassign.status(), "an inactive agent is not assignable: " + reassign.body());

        JsonNode inactive = admin.get("/api/agents?active=false").json().path("agents");
        assertTrue(inactive.toString().contains(wallet(key)), inactive::toString);
        assertFalse(admin.get("/api/agents?active=true").json().toString().contains(wallet(key)));
        assertEquals(400, admin.get("/api/agents?active=maybe").status());
        Api.Reply back = admin.put("/api/agents/" + wallet(key), "{\"active\":true}");
        assertEquals(200, back.status(), back.body());
        assertEquals(200, new Api(server::uri, token).get("/api/tasks").status(), "reactivated: the token works again");
    }

    /** A tiny JSON object writer for the sign-in body (the message has line breaks and quotes to escape). */
    static final class ObjectNodes {
        private final com.fasterxml.jackson.databind.node.ObjectNode node = WsClient.JSON.createObjectNode();

        void put(String k, String v) {
            node.put(k, v);
        }

        String json() {
            return node.toString();
        }
    }
}
