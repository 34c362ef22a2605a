package dev.atlas.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Secure by default, easy to start: the one-command run on a fresh data directory generates its secret,
 * prints working tokens (to the console, not the log) and keeps the secret across restarts; development
 * mode says so loudly; a WAR without a key refuses to start and names the setting.
 */
class StartupKeysIT {
    static final Pattern ADMIN_TOKEN = Pattern.compile("admin: (eyJ[A-Za-z0-9_\\-]+\\.[A-Za-z0-9_\\-]+\\.[A-Za-z0-9_\\-]+)");

    @Test
    void theOneCommandRunGeneratesASecretAndPrintsWorkingTokens() throws Exception {
        AtlasProcess.wipeData("startup-keys");
        Path log = AtlasProcess.target().resolve("it-logs/startup-keys.log");
        Files.deleteIfExists(log);
        String token;
        AtlasProcess first = new AtlasProcess("startup-keys", Map.of("ATLAS_AUTH", "on")).start();
        try {
            token = awaitToken(log);
            assertEquals(200, new Api(first::uri, token).get("/api/tasks").status());
            assertEquals(401, new Api(first::uri).get("/api/tasks").status());
            assertTrue(Files.exists(AtlasProcess.target().resolve("it-data/startup-keys/jwt-secret")));
            String data = AtlasProcess.target().resolve("it-data/startup-keys").toAbsolutePath().normalize().toString();
            assertTrue(Files.readString(log).contains("  Data       " + data), "the banner names the data directory");
        } finally {
            first.stop();
        }
        try (AtlasProcess second = first.successor().start()) {
            assertEquals(200, new Api(second::uri, token).get("/api/tasks").status(), "the secret survives a restart");
        }
    }

    static String awaitToken(Path log) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (Files.exists(log)) {
                Matcher m = ADMIN_TOKEN.matcher(Files.readString(log));
                if (m.find()) {
                    return m.group(1);
                }
            }
            AtlasProcess.pause(100);
        }
        throw new AssertionError("no admin token printed at startup");
    }

    @Test
    void developmentModeWarnsLoudly() throws Exception {
        AtlasProcess.wipeData("auth-off");
        Path log = AtlasProcess.target().resolve("it-logs/auth-off.log");
        Files.deleteIfExists(log);
        try (AtlasProcess server = new AtlasProcess("auth-off", Map.of("ATLAS_AUTH", "off",
                "ATLAS_BIND_ADDRESS", "0.0.0.0")).start()) {
            String out = Files.readString(log);
            assertTrue(out.contains("AUTHENTICATION IS DISABLED"), "a loud warning");
            assertTrue(out.contains("http-nio-127.0.0.1-" + server.port()), "development mode binds to localhost only");
            assertFalse(ADMIN_TOKEN.matcher(out).find(), "no tokens without authentication");
        }
    }

    @Test
    void aWarWithoutAKeyRefusesToStartAndNamesTheSetting() throws Exception {
        StockTomcat tomcat = new StockTomcat("tomcat-nokey", Map.of(
                "ATLAS_DATA_DIR", AtlasProcess.target().resolve("stock-base/nokey-data").toString()));
        try {
            String reason = tomcat.startExpectingFailure("ATLAS_JWT_SECRET");
            assertNotNull(reason);
            assertTrue(reason.contains("ATLAS_JWKS_FILE"), reason);
        } finally {
            tomcat.close();
        }
    }
}
