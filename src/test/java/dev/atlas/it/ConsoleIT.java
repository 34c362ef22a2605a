package dev.atlas.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;
import org.web3j.utils.Numeric;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The admin console ({@code /}) and the agent view ({@code /agent.html}) in headless Debian Chromium against the
 * packaged server: {@code src/test/node/console.test.mjs} (node:test + playwright-core) checks live updates across two
 * admin pages and the agent's view, a task taken away from the agent, going offline while tasks change and coming
 * back to exactly the server's state, the 412 and validation messages, keyboard-only creation, no CSP violation and
 * no serious axe-core finding. It leaves screenshots in {@code target/screenshots} (the ones in {@code docs/} were
 * taken by this test).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleIT {
    static final String WALLET = "0x52908400098527886e0f7030069857d2e4169ee7";
    AtlasProcess server;
    /** The wallet agent's throw-away key: it never leaves this JVM; the browser's test wallet asks {@link #signer}. */
    ECKeyPair walletKey;
    HttpServer signer;

    @BeforeAll
    void startServer() throws Exception {
        NodeClient.nodeExecutable();
        NodeClient.nodeDir();
        AtlasProcess.wipeData("console");
        server = new AtlasProcess("console", Tokens.settings()).start();
        walletKey = Keys.createEcKeyPair();
        Api.Reply r = new Api(server::uri, Tokens.admin()).post("/api/agents",
                "{\"wallet\":\"" + walletAddress() + "\",\"displayName\":\"Wallet agent\"}");
        assertEquals(201, r.status(), r.body());
        signer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        signer.createContext("/sign", exchange -> {
            try (exchange) {
                var body = WsClient.JSON.readTree(exchange.getRequestBody());
                if (!walletAddress().equals(body.path("address").asText().toLowerCase())) {
                    exchange.sendResponseHeaders(403, -1);
                    return;
                }
                // personal_sign's params[0]: the message as 0x-hex of its bytes
                byte[] message = Numeric.hexStringToByteArray(body.path("message").asText());
                Sign.SignatureData s = Sign.signPrefixedMessage(message, walletKey);
                byte[] out = (Numeric.toHexString(s.getR()) + Numeric.toHexStringNoPrefix(s.getS())
                        + Numeric.toHexStringNoPrefix(s.getV())).getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, out.length);
                exchange.getResponseBody().write(out);
            } catch (IOException | RuntimeException e) {
                exchange.sendResponseHeaders(500, -1);
            }
        });
        signer.start();
    }

    String walletAddress() {
        return "0x" + Keys.getAddress(walletKey);
    }

    @AfterAll
    void stopServer() {
        if (signer != null) {
            signer.stop(0);
        }
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void theConsoleAndTheAgentViewPassTheirBrowserTests() {
        String shots = AtlasProcess.target().resolve("screenshots").toString();
        try (NodeClient node = NodeClient.script("console-test", "console.test.mjs", "http://127.0.0.1:" + server.port(),
                Tokens.admin(), Tokens.agent(WALLET), WALLET, shots,
                "http://127.0.0.1:" + signer.getAddress().getPort() + "/sign", walletAddress())) {
            int exit = node.awaitExit(Duration.ofSeconds(180));
            String output = String.join("\n", node.lines());
            assertTrue(output.contains("# pass 8"), () -> "expected 8 passing browser tests:\n" + node.tail());
            assertEquals(0, exit, () -> "the browser tests failed:\n" + node.tail());
        }
    }
}
