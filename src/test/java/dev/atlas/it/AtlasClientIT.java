package dev.atlas.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The served {@code atlas-client.js} under Node.js against the packaged server: {@code src/test/node/atlas-client.test.mjs}
 * (node:test) connects through a link it can cut, and checks in-band authentication, live events, backoff bounds,
 * resuming with exactly the missed events, resync, in-band token renewal, a refused fixed token and close().
 * Each of its tests reports one TAP line; this test fails with the output when any of them fails.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AtlasClientIT {
    AtlasProcess server;

    @BeforeAll
    void startServer() {
        NodeClient.nodeExecutable();
        NodeClient.nodeDir();
        AtlasProcess.wipeData("atlas-client");
        Map<String, String> settings = new HashMap<>(Tokens.settings());
        settings.put("ATLAS_JWT_CLOCK_SKEW_SECONDS", "0"); // a renewed token's expiry is the real one
        server = new AtlasProcess("atlas-client", settings).start();
    }

    @AfterAll
    void stopServer() {
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void theJavaScriptClientPassesItsTestsAgainstTheRealServer() {
        try (NodeClient node = NodeClient.script("atlas-client-test", "atlas-client.test.mjs",
                "http://127.0.0.1:" + server.port(), Tokens.admin())) {
            int exit = node.awaitExit(Duration.ofSeconds(120));
            String output = String.join("\n", node.lines());
            assertTrue(output.contains("# pass 9"), () -> "expected 9 passing tests:\n" + node.tail());
            assertEquals(0, exit, () -> "node:test failed:\n" + node.tail());
        }
    }
}
