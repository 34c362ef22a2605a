package dev.atlas.it;

import static dev.atlas.it.NodeClient.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The old runbook's "browser console" check in a real headless Chromium: {@code browser-check.mjs}
 * (playwright-core, pinned in {@code src/test/node}) opens the Atlas root page, loads the socket.io-client
 * browser bundle into it and runs {@code const socket = io(location.origin); socket.on('taskCreated', …)};
 * the test creates a task once the page reports the connection.
 *
 * <p>Needs Chromium at {@code /usr/bin/chromium} (Debian/Ubuntu package {@code chromium}), or the path in
 * the {@code CHROMIUM_PATH} environment variable.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BrowserIT {
    static final Duration WAIT = Duration.ofSeconds(30);

    AtlasProcess server;
    Api api;

    static Path chromium() {
        Path p = Path.of(System.getenv().getOrDefault("CHROMIUM_PATH", "/usr/bin/chromium"));
        if (!Files.isExecutable(p)) {
            throw new AssertionError("No Chromium at " + p + ": BrowserIT runs the socket.io-client browser bundle in a real"
                    + " headless Chromium. Install it (Debian: `apt-get install chromium`) or set CHROMIUM_PATH.");
        }
        return p;
    }

    @BeforeAll
    void startServer() {
        chromium();
        NodeClient.nodeExecutable();
        NodeClient.nodeDir();
        AtlasProcess.wipeData("browser");
        server = new AtlasProcess("browser", Map.of()).start();
        api = new Api(server::uri);
    }

    @AfterAll
    void stopServer() {
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void theRunbookConsoleSnippetConnectsUpgradesAndReceivesTaskCreated() {
        int baseline = api.get("/api/diagnostics").json().path("sessionsByTransport").path("socket.io").asInt(0);
        try (WsClient ws = WsClient.connectReady(server.wsUri("/ws"));
             NodeClient browser = NodeClient.script("browser-check", "browser-check.mjs", server.uri("").toString(), "1", "45")) {
            JsonNode page = browser.awaitLine(type("page"), WAIT, "the root page");
            assertEquals(200, page.path("status").asInt(), page::toString);
            assertEquals("Atlas — admin console", page.path("title").asText());
            JsonNode connected = browser.awaitLine(type("connected"), WAIT, "connected");
            assertTrue(List.of("polling", "websocket").contains(connected.path("transport").asText()), connected::toString);
            awaitSocketIoSessions(baseline + 1, "the browser's socket in the registry");

            long task = api.create("{\"title\":\"Seen in the browser\"}").path("id").asLong();
            JsonNode reference = ws.nextJson();
            assertEquals(task, reference.path("data").path("id").asLong());

            JsonNode event = browser.awaitLine(type("event"), WAIT, "taskCreated in the page");
            assertEquals("taskCreated", event.path("name").asText());
            assertEquals(reference, event.path("envelope"), "the envelope /ws clients get");
            assertEquals(reference.toString(), event.path("envelope").toString(), "same key order too");

            JsonNode upgrade = browser.awaitLine(type("upgrade"), WAIT, "the upgrade to WebSocket");
            assertEquals("websocket", upgrade.path("transport").asText(), upgrade::toString);
            browser.awaitLine(type("done"), WAIT, "done");
            assertEquals(0, browser.awaitExit(WAIT), browser::tail);
            assertEquals(List.of(), browser.linesOfType("pageerror"), browser::tail);
        }
        awaitSocketIoSessions(baseline, "the browser closed: its socket left the registry");
    }

    private void awaitSocketIoSessions(int expected, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        int now = -1;
        while (System.nanoTime() < deadline) {
            now = api.get("/api/diagnostics").json().path("sessionsByTransport").path("socket.io").asInt(0);
            if (now == expected) {
                return;
            }
            AtlasProcess.pause(50);
        }
        assertEquals(expected, now, what);
    }
}
