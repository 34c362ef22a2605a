package dev.atlas.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.atlas.config.AtlasConfig;
import dev.atlas.config.ConfigException;
import dev.atlas.security.AuthenticationException.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Key setup from the settings: generated secret for the one-command run, refusals for a WAR, consistency checks. */
class KeysTest {
    private static final String SECRET_32 = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path dir;

    private AtlasConfig config(String... envPairs) {
        Map<String, String> env = new HashMap<>();
        env.put("ATLAS_DATA_DIR", dir.resolve("data").toString());
        for (int i = 0; i < envPairs.length; i += 2) {
            env.put(envPairs[i], envPairs[i + 1]);
        }
        return AtlasConfig.load(env, null);
    }

    private static ConfigException refuses(AtlasConfig config, boolean embedded) {
        return assertThrows(ConfigException.class, () -> Keys.setUp(config, embedded));
    }

    private static void assertMentions(Exception e, String... words) {
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), () -> "'" + w + "' missing from: " + e.getMessage());
        }
    }

    // --- the one-command run -----------------------------------------------------------------------------

    @Test
    void embeddedRunWithoutKeyGeneratesASecretOnceAndReusesIt() throws Exception {
        AtlasConfig c = config();
        AuthMode first = Keys.setUp(c, true);
        Path file = dir.resolve("data").resolve(Keys.SECRET_FILE_NAME);
        assertTrue(first.enabled());
        assertEquals(AuthMode.KeySource.GENERATED_SECRET, first.keySource());
        assertEquals(file, first.secretFile().orElseThrow());
        assertTrue(Files.isRegularFile(file));
        String content = Files.readString(file);
        assertTrue(content.strip().length() >= 64, "48 random bytes, base64url");

        AuthMode second = Keys.setUp(c, true);
        assertEquals(content, Files.readString(file), "the file is not rewritten");
        String token = first.minter().orElseThrow().admin("root", Duration.ofMinutes(5));
        assertEquals(Role.ADMIN, second.verifier().verify(token).role(), "tokens survive a restart");
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertEquals(List.of(file), files.toList(), "no temporary file is left behind");
        }
        assertTrue(first.description().contains(file.toAbsolutePath().normalize().toString()), first.description());
        assertFalse(first.description().contains(content.strip()), "the description never shows the secret");
    }

    @Test
    void generatedSecretIsOwnerOnly() throws Exception {
        assumeTrue(Files.getFileStore(dir).supportsFileAttributeView("posix"), "POSIX file system");
        Path file = Keys.setUp(config(), true).secretFile().orElseThrow();
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(file));
    }

    @Test
    void eachDataDirectoryGetsItsOwnRandomSecret() throws Exception {
        AuthMode a = Keys.setUp(config(), true);
        AuthMode b = Keys.setUp(config("ATLAS_DATA_DIR", dir.resolve("other").toString()), true);
        assertNotEquals(Files.readString(a.secretFile().orElseThrow()), Files.readString(b.secretFile().orElseThrow()));
        String token = a.minter().orElseThrow().admin(null, Duration.ofMinutes(5));
        AuthenticationException e = assertThrows(AuthenticationException.class, () -> b.verifier().verify(token));
        assertEquals(Reason.BAD_SIGNATURE, e.reason());
    }

    @Test
    void concurrentStartsAgreeOnOneSecret() throws Exception {
        Path file = dir.resolve("race").resolve(Keys.SECRET_FILE_NAME);
        int n = 8;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<byte[]>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Callable<byte[]> task = () -> {
                    go.await();
                    return Keys.readOrCreateSecret(file);
                };
                results.add(pool.submit(task));
            }
            go.countDown();
            byte[] first = results.get(0).get(30, TimeUnit.SECONDS);
            for (Future<byte[]> f : results) {
                assertArrayEquals(first, f.get(30, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertArrayEquals(Files.readString(file).strip().getBytes(StandardCharsets.UTF_8), Keys.readOrCreateSecret(file));
    }

    @Test
    void aSecretFileWrittenByHandIsUsed() throws Exception {
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("data").resolve(Keys.SECRET_FILE_NAME), SECRET_32 + "\n");
        AuthMode mode = Keys.setUp(config(), true);
        String token = TokenMinter.hs256(SECRET_32.getBytes(StandardCharsets.UTF_8), TokenPolicy.defaults())
                .admin(null, Duration.ofMinutes(5));
        assertEquals(Role.ADMIN, mode.verifier().verify(token).role(), "trailing newline is not part of the secret");
    }

    @Test
    void aShortSecretFileIsRefusedWithItsPath() throws Exception {
        Path file = dir.resolve("data").resolve(Keys.SECRET_FILE_NAME);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "too-short-secret\n");
        ConfigException e = refuses(config(), true);
        assertMentions(e, file.toString(), "too short", "32");
        assertFalse(e.getMessage().contains("too-short-secret"), "the secret itself is never shown");
    }

    @Test
    void anUnwritableDataDirectoryIsReported() throws Exception {
        Path blocker = dir.resolve("data");
        Files.writeString(blocker, "a file where the data directory should be");
        ConfigException e = refuses(config(), true);
        assertMentions(e, "ATLAS_DATA_DIR", "ATLAS_JWT_SECRET");
    }

    // --- a WAR ---------------------------------------------------------------------------------------------

    @Test
    void warWithoutKeyRefusesToStartNamingTheSettings() {
        ConfigException e = refuses(config(), false);
        assertMentions(e, "ATLAS_JWT_SECRET", "ATLAS_JWKS_FILE", "ATLAS_AUTH=off");
        assertFalse(Files.exists(dir.resolve("data")), "a WAR never generates a key");
    }

    @Test
    void warIgnoresASecretGeneratedByAnEmbeddedRun() {
        Keys.setUp(config(), true);
        ConfigException e = refuses(config(), false);
        assertMentions(e, "ATLAS_JWT_SECRET");
    }

    // --- a configured secret -----------------------------------------------------------------------------

    @Test
    void configuredSecretIsUsedAndNothingIsGenerated() throws Exception {
        for (boolean embedded : new boolean[] {true, false}) {
            AuthMode mode = Keys.setUp(config("ATLAS_JWT_SECRET", SECRET_32), embedded);
            assertEquals(AuthMode.KeySource.SECRET_SETTING, mode.keySource());
            assertTrue(mode.secretFile().isEmpty());
            assertEquals(TokenAlgorithm.HS256, mode.verifier().algorithm());
            String token = TokenMinter.hs256(SECRET_32.getBytes(StandardCharsets.UTF_8), TokenPolicy.defaults())
                    .agent(TokenForge.WALLET, "alice", Duration.ofMinutes(5));
            assertEquals(Role.AGENT, mode.verifier().verify(token).role());
            assertFalse(mode.description().contains(SECRET_32));
        }
        assertFalse(Files.exists(dir.resolve("data")));
    }

    @Test
    void shortSecretIsRefusedAndNotShown() {
        String secret = SECRET_32.substring(1);
        ConfigException e = refuses(config("ATLAS_JWT_SECRET", secret), true);
        assertMentions(e, "ATLAS_JWT_SECRET", "too short", "31 bytes", "at least 32 bytes");
        assertFalse(e.getMessage().contains(secret));
    }

    @Test
    void secretLengthIsCountedInUtf8Bytes() {
        assertTrue(Keys.setUp(config("ATLAS_JWT_SECRET", "é".repeat(16)), false).enabled());
        assertThrows(ConfigException.class, () -> Keys.setUp(config("ATLAS_JWT_SECRET", "é".repeat(15) + "a"), false));
    }

    @Test
    void algorithmMayBeNamedWithASecret() {
        assertEquals(TokenAlgorithm.HS256,
                Keys.setUp(config("ATLAS_JWT_SECRET", SECRET_32, "ATLAS_JWT_ALGORITHM", "hs256"), false).verifier().algorithm());
    }

    // --- JWKS ------------------------------------------------------------------------------------------------

    @Test
    void jwksFileWithItsAlgorithm() throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        Path file = dir.resolve("jwks.json");
        Files.writeString(file, new JWKSet(key).toString(true));
        AuthMode mode = Keys.setUp(config("ATLAS_JWKS_FILE", file.toString(), "ATLAS_JWT_ALGORITHM", "ES256"), false);
        assertEquals(AuthMode.KeySource.JWKS_FILE, mode.keySource());
        assertTrue(mode.minter().isEmpty(), "Atlas holds no private key");
        Instant now = Instant.now();
        String token = TokenForge.es256(key, new JWTClaimsSet.Builder().claim("role", "admin")
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300))).build());
        assertEquals(Role.ADMIN, mode.verifier().verify(token).role());
    }

    @Test
    void jwksFileNeedsAnAlgorithm() throws IOException {
        Path file = dir.resolve("jwks.json");
        Files.writeString(file, "{\"keys\":[]}");
        assertMentions(refuses(config("ATLAS_JWKS_FILE", file.toString()), false), "ATLAS_JWT_ALGORITHM", "RS256", "ES256");
        assertMentions(refuses(config("ATLAS_JWKS_FILE", file.toString(), "ATLAS_JWT_ALGORITHM", "HS256"), false),
                "ATLAS_JWT_ALGORITHM=HS256", "ATLAS_JWT_SECRET");
    }

    @Test
    void unusableJwksFileIsRefusedAtStartup() throws IOException {
        Path file = dir.resolve("jwks.json");
        Files.writeString(file, "{\"keys\":[]}");
        assertMentions(refuses(config("ATLAS_JWKS_FILE", file.toString(), "ATLAS_JWT_ALGORITHM", "RS256"), false),
                "ATLAS_JWKS_FILE", "RS256");
    }

    @Test
    void secretAndJwksTogetherAreAmbiguous() {
        assertMentions(refuses(config("ATLAS_JWT_SECRET", SECRET_32, "ATLAS_JWKS_FILE", "/x.json"), false),
                "ATLAS_JWT_SECRET", "ATLAS_JWKS_FILE", "only one");
    }

    @Test
    void publicKeyAlgorithmWithoutJwksFile() {
        assertMentions(refuses(config("ATLAS_JWT_SECRET", SECRET_32, "ATLAS_JWT_ALGORITHM", "RS256"), false),
                "ATLAS_JWT_ALGORITHM=RS256", "ATLAS_JWKS_FILE", "HS256 only");
        assertMentions(refuses(config("ATLAS_JWT_ALGORITHM", "ES256"), true), "ATLAS_JWT_ALGORITHM=ES256", "ATLAS_JWKS_FILE");
    }

    @ParameterizedTest
    @ValueSource(strings = {"HS512", "none", "RS384", "PS256"})
    void unsupportedAlgorithmIsRefused(String alg) {
        assertMentions(refuses(config("ATLAS_JWT_SECRET", SECRET_32, "ATLAS_JWT_ALGORITHM", alg), false),
                "ATLAS_JWT_ALGORITHM", "HS256, RS256 or ES256", alg);
    }

    // --- policy settings -----------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"61", "-1", "3600", "sixty"})
    void clockSkewIsBounded(String skew) {
        assertMentions(refuses(config("ATLAS_JWT_SECRET", SECRET_32, "ATLAS_JWT_CLOCK_SKEW_SECONDS", skew), false),
                "ATLAS_JWT_CLOCK_SKEW_SECONDS");
    }

    @Test
    void policyComesFromTheSettings() {
        AuthMode mode = Keys.setUp(config("ATLAS_JWT_SECRET", SECRET_32, "ATLAS_JWT_ISSUER", "https://id.example",
                "ATLAS_JWT_AUDIENCE", "atlas", "ATLAS_JWT_CLOCK_SKEW_SECONDS", "0"), false);
        TokenPolicy p = mode.verifier().policy();
        assertEquals("https://id.example", p.issuer());
        assertEquals("atlas", p.audience());
        assertEquals(Duration.ZERO, p.clockSkew());
    }

    @Test
    void mintedTokensMeetTheConfiguredIssuerAndAudience() throws Exception {
        AuthMode mode = Keys.setUp(config("ATLAS_JWT_SECRET", SECRET_32, "ATLAS_JWT_ISSUER", "https://id.example",
                "ATLAS_JWT_AUDIENCE", "atlas"), false);
        assertEquals(Role.ADMIN, mode.verifier().verify(mode.minter().orElseThrow().admin(null, Duration.ofMinutes(1))).role());
        String foreign = TokenMinter.hs256(SECRET_32.getBytes(StandardCharsets.UTF_8), TokenPolicy.defaults())
                .admin(null, Duration.ofMinutes(1));
        AuthenticationException e = assertThrows(AuthenticationException.class, () -> mode.verifier().verify(foreign));
        assertEquals(Reason.WRONG_ISSUER, e.reason());
    }

    @Test
    void invalidWalletPatternNamesTheSetting() {
        assertMentions(refuses(config("ATLAS_JWT_SECRET", SECRET_32, "ATLAS_WALLET_PATTERN", "[0-9"), false),
                "ATLAS_WALLET_PATTERN");
    }

    // --- development mode ------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"off", "OFF", "Off"})
    void authOffIsADevelopmentMode(String value) {
        // the key settings are not even read: a broken secret does not stop a development run
        AuthMode mode = Keys.setUp(config("ATLAS_AUTH", value, "ATLAS_JWT_SECRET", "short"), false);
        assertFalse(mode.enabled());
        assertEquals(AuthMode.KeySource.NONE, mode.keySource());
        assertTrue(mode.minter().isEmpty());
        assertTrue(mode.secretFile().isEmpty());
        assertThrows(IllegalStateException.class, mode::verifier);
        assertFalse(Files.exists(dir.resolve("data")));
    }

    @Test
    void authIsOnOrOff() {
        assertTrue(Keys.setUp(config("ATLAS_AUTH", "ON", "ATLAS_JWT_SECRET", SECRET_32), false).enabled());
        assertMentions(refuses(config("ATLAS_AUTH", "no"), true), "ATLAS_AUTH", "on or off", "'no'");
    }

    @Test
    void authIsOnByDefault() {
        assertEquals("on", config().get(dev.atlas.config.Setting.AUTH));
    }
}
