package dev.atlas.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
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

    @BeforeAll
    void startServer() {
        NodeClient.nodeExecutable();
        NodeClient.nodeDir();
        AtlasProcess.wipeData("console");
        server = new AtlasProcess("console", Tokens.settings()).start();
    }

    @AfterAll
    void stopServer() {
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void theConsoleAndTheAgentViewPassTheirBrowserTests() {
        String shots = AtlasProcess.target().resolve("screenshots").toString();
        try (NodeClient node = NodeClient.script("console-test", "console.test.mjs", "http://127.0.0.1:" + server.port(),
                Tokens.admin(), Tokens.agent(WALLET), WALLET, shots)) {
            int exit = node.awaitExit(Duration.ofSeconds(180));
            String output = String.join("\n", node.lines());
            assertTrue(output.contains("# pass 7"), () -> "expected 7 passing browser tests:\n" + node.tail());
            assertEquals(0, exit, () -> "the browser tests failed:\n" + node.tail());
        }
    }
}
