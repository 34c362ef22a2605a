package dev.atlas.security;

import static dev.atlas.security.TokenForge.WALLET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.config.AtlasConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The command line, run in-process: exit code, stdout (the token only) and stderr. */
class MintTokenTest {
    @TempDir
    Path dir;

    private record Result(int code, String out, String err) {
    }

    private AtlasConfig config(String... envPairs) {
        Map<String, String> env = new HashMap<>();
        env.put("ATLAS_DATA_DIR", dir.resolve("data").toString());
        for (int i = 0; i < envPairs.length; i += 2) {
            env.put(envPairs[i], envPairs[i + 1]);
        }
        return AtlasConfig.load(env, null);
    }

    private static Result run(AtlasConfig config, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = MintToken.run(args, () -> config,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String onlyTheToken(Result r) {
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err());
        String token = r.out().strip();
        assertEquals(token + System.lineSeparator(), r.out(), "stdout is the token and a newline");
        assertTrue(token.matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+"), token);
        return token;
    }

    @Test
    void agentTokenWithTheGeneratedSecretRoundTrips() throws Exception {
        AtlasConfig c = config();
        AuthMode server = Keys.setUp(c, true); // the one-command run generated the secret
        Instant before = Instant.now();
        String token = onlyTheToken(run(c, "--role", "agent", "--wallet", WALLET, "--sub", "alice", "--ttl", "8h"));
        Instant after = Instant.now();
        Principal p = server.verifier().verify(token);
        assertEquals(Role.AGENT, p.role());
        assertEquals(WALLET.toLowerCase(), p.wallet());
        assertEquals("alice", p.subject());
        // exp has whole seconds
        assertFalse(p.expiresAt().isBefore(before.plus(Duration.ofHours(8)).minusSeconds(1)), p.expiresAt().toString());
        assertFalse(p.expiresAt().isAfter(after.plus(Duration.ofHours(8))), p.expiresAt().toString());
    }

    @Test
    void adminTokenWithTheConfiguredSecretAndDefaultLifetime() throws Exception {
        AtlasConfig c = config("ATLAS_JWT_SECRET", "0123456789abcdef0123456789abcdef", "ATLAS_JWT_ISSUER", "atlas-dev");
        String token = onlyTheToken(run(c, "--role=admin"));
        Principal p = Keys.setUp(c, false).verifier().verify(token);
        assertEquals(Role.ADMIN, p.role());
        Duration left = Duration.between(Instant.now(), p.expiresAt());
        assertTrue(left.compareTo(MintToken.DEFAULT_TTL) <= 0 && left.compareTo(MintToken.DEFAULT_TTL.minusMinutes(1)) > 0,
                left.toString());
        assertFalse(Files.exists(dir.resolve("data")), "nothing is generated");
    }

    @Test
    void withoutASecretItSaysWhereOneWouldBe() {
        Result r = run(config(), "--role", "admin");
        assertEquals(2, r.code());
        assertEquals("", r.out());
        assertTrue(r.err().contains("ATLAS_JWT_SECRET"), r.err());
        assertTrue(r.err().contains(dir.resolve("data").resolve(Keys.SECRET_FILE_NAME).toString()), r.err());
        assertFalse(Files.exists(dir.resolve("data")), "the command never creates a secret");
    }

    @Test
    void withJwksThereIsNothingToMintWith() throws Exception {
        Path jwks = dir.resolve("jwks.json");
        Files.writeString(jwks, "{\"keys\":[]}");
        Result r = run(config("ATLAS_JWKS_FILE", jwks.toString(), "ATLAS_JWT_ALGORITHM", "RS256"), "--role", "admin");
        assertEquals(2, r.code());
        assertEquals("", r.out());
        assertTrue(r.err().contains("private key"), r.err());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''                                                   | --role is required",
            "--role root                                          | --role must be admin or agent",
            "--role agent                                         | --wallet is required",
            "--role admin --wallet 0x52908400098527886E0F7030069857D2E4169EE7 | --wallet is for agent tokens only",
            "--role agent --wallet 0x1234                         | not a wallet address",
            "--role admin --ttl forever                           | --ttl must look like",
            "--role admin --ttl 0s                                | --ttl must look like",
            "--role admin --ttl 400d                              | at most 365 days",
            "--role admin --role agent                            | given twice",
            "--role admin --expires 1h                            | unknown option --expires",
            "--role admin extra                                   | unexpected argument 'extra'",
            "--role                                               | --role needs a value"})
    void mistakesExitWith2AndSayWhy(String args, String message) throws Exception {
        Keys.setUp(config(), true);
        String[] argv = args.isBlank() ? new String[0] : args.trim().split("\\s+");
        Result r = run(config(), argv);
        assertEquals(2, r.code());
        assertEquals("", r.out(), "nothing on stdout that a script could take for a token");
        assertTrue(r.err().contains(message), r.err());
        assertTrue(r.err().contains(MintToken.USAGE), r.err());
    }

    @Test
    void helpGoesToStdout() {
        Result r = run(config(), "--help");
        assertEquals(0, r.code());
        assertEquals(MintToken.USAGE + System.lineSeparator(), r.out());
    }

    @ParameterizedTest
    @CsvSource({"90s, PT1M30S", "30m, PT30M", "8h, PT8H", "7d, PT168H", "PT8H, PT8H", "P1D, PT24H"})
    void lifetimes(String text, String expected) throws Exception {
        assertEquals(Duration.parse(expected), MintToken.duration(text));
    }
}
