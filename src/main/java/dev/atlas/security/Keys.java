package dev.atlas.security;

import dev.atlas.config.AtlasConfig;
import dev.atlas.config.ConfigException;
import dev.atlas.config.Setting;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Turns the settings into an {@link AuthMode}: secure by default, easy to start. Static functions; thread-safe
 * (two processes racing to generate the secret file both end up using the one that was written first).
 *
 * <ul>
 *   <li>{@code ATLAS_AUTH=off}: development mode, logged loudly.</li>
 *   <li>{@code ATLAS_JWT_SECRET}: HS256 with that secret (its UTF-8 bytes, as most JWT libraries read a string
 *       secret); fewer than 32 bytes refuses to start.</li>
 *   <li>{@code ATLAS_JWKS_FILE} with {@code ATLAS_JWT_ALGORITHM=RS256|ES256}: public keys from the file.</li>
 *   <li>Neither, in the one-command (embedded) run: a random secret is generated once in
 *       {@code <ATLAS_DATA_DIR>/jwt-secret} (owner-only on POSIX file systems) and reused on every start.</li>
 *   <li>Neither, deployed as a WAR: refuses to start, naming the settings to set. A WAR does not invent a key:
 *       on several nodes each would invent a different one, and a stock Tomcat's data directory is not
 *       necessarily private.</li>
 * </ul>
 */
public final class Keys {
    /** Name of the generated secret's file in {@code ATLAS_DATA_DIR}. */
    public static final String SECRET_FILE_NAME = "jwt-secret";

    /** Random bytes in a generated secret: 384 bits, more than HS256's 256. */
    static final int GENERATED_SECRET_BYTES = 48;

    private static final Logger LOG = Logger.getLogger(Keys.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<PosixFilePermission> OWNER_ONLY =
            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

    private Keys() {
    }

    /**
     * Reads the security settings, loads or generates the key, and says how callers authenticate.
     *
     * @param config   the settings
     * @param embedded true only for the one-command run (the embedded launcher decides, e.g. through a system
     *                 property it sets before deploying the WAR); it allows generating a secret when none is
     *                 configured. A WAR in a stock Tomcat passes false.
     * @throws ConfigException naming the setting to fix: no key (WAR), a short secret, both a secret and a JWKS
     *                         file, an algorithm that does not fit the key, an unusable JWKS file, a skew over 60
     */
    public static AuthMode setUp(AtlasConfig config, boolean embedded) {
        if (!authEnabled(config)) {
            LOG.warning(AuthMode.DEVELOPMENT_WARNING);
            return AuthMode.off();
        }
        TokenPolicy policy = TokenPolicy.from(config);
        TokenAlgorithm algorithm = algorithm(config);
        String jwks = config.get(Setting.JWKS_FILE);
        if (!jwks.isEmpty()) {
            Path file = Path.of(jwks);
            TokenVerifier verifier = TokenVerifier.jwks(file, algorithm, policy);
            return AuthMode.on(verifier, null, AuthMode.KeySource.JWKS_FILE, null,
                    algorithm + ", public keys from " + file.toAbsolutePath().normalize());
        }
        String secret = config.get(Setting.JWT_SECRET);
        if (!secret.isEmpty()) {
            byte[] bytes = checkedSecret(secret, Setting.JWT_SECRET.envName());
            return AuthMode.on(TokenVerifier.hs256(bytes, policy), TokenMinter.hs256(bytes, policy),
                    AuthMode.KeySource.SECRET_SETTING, null, "HS256, secret from " + Setting.JWT_SECRET.envName());
        }
        if (!embedded) {
            throw new ConfigException("No token key is configured. Set " + Setting.JWT_SECRET.envName()
                    + " (a shared secret of at least " + TokenVerifier.MIN_SECRET_BYTES + " bytes, for HS256) or "
                    + Setting.JWKS_FILE.envName() + " (public keys, with " + Setting.JWT_ALGORITHM.envName()
                    + "=RS256 or ES256); or, for development only, " + Setting.AUTH.envName() + "=off.");
        }
        Path file = secretFile(config);
        byte[] bytes = readOrCreateSecret(file);
        return AuthMode.on(TokenVerifier.hs256(bytes, policy), TokenMinter.hs256(bytes, policy),
                AuthMode.KeySource.GENERATED_SECRET, file,
                "HS256, secret generated in " + file.toAbsolutePath().normalize());
    }

    /** Where the one-command run keeps its generated secret: {@code <ATLAS_DATA_DIR>/jwt-secret}. */
    public static Path secretFile(AtlasConfig config) {
        return Path.of(config.get(Setting.DATA_DIR)).resolve(SECRET_FILE_NAME);
    }

    /**
     * A minter for {@link MintToken}: with {@code ATLAS_JWT_SECRET}, or else the secret the one-command run
     * generated. Never creates the file: a secret nobody verifies with would only mint useless tokens.
     * {@code ATLAS_AUTH} is not consulted: minting ahead of turning authentication on is legitimate.
     *
     * @throws ConfigException when there is no secret to sign with, or the settings are inconsistent
     */
    static TokenMinter minterForCommandLine(AtlasConfig config) {
        TokenPolicy policy = TokenPolicy.from(config);
        TokenAlgorithm algorithm = algorithm(config);
        if (!algorithm.symmetric()) {
            throw new ConfigException(Setting.JWT_ALGORITHM.envName() + "=" + algorithm + " with "
                    + Setting.JWKS_FILE.envName() + ": tokens are signed by whoever holds the private key, not by Atlas."
                    + " Only HS256 tokens can be minted here.");
        }
        String secret = config.get(Setting.JWT_SECRET);
        if (!secret.isEmpty()) {
            return TokenMinter.hs256(checkedSecret(secret, Setting.JWT_SECRET.envName()), policy);
        }
        Path file = secretFile(config);
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("No secret to sign with: set " + Setting.JWT_SECRET.envName()
                    + ", or start the one-command run once so that it generates " + file.toAbsolutePath().normalize()
                    + " (check " + Setting.DATA_DIR.envName() + ").");
        }
        return TokenMinter.hs256(readSecret(file), policy);
    }

    static boolean authEnabled(AtlasConfig config) {
        String v = config.get(Setting.AUTH).toLowerCase(Locale.ROOT);
        return switch (v) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new ConfigException(Setting.AUTH.envName() + " must be on or off, got '"
                    + config.get(Setting.AUTH) + "'");
        };
    }

    /**
     * The pinned algorithm, checked against the key settings: one key source only, HS256 with a secret (or
     * none, which means a generated secret), RS256/ES256 with a JWKS file.
     */
    static TokenAlgorithm algorithm(AtlasConfig config) {
        String name = config.get(Setting.JWT_ALGORITHM);
        boolean secret = !config.get(Setting.JWT_SECRET).isEmpty();
        boolean jwks = !config.get(Setting.JWKS_FILE).isEmpty();
        String alg = Setting.JWT_ALGORITHM.envName();
        if (secret && jwks) {
            throw new ConfigException(Setting.JWT_SECRET.envName() + " and " + Setting.JWKS_FILE.envName()
                    + " are both set; set only one: Atlas accepts tokens of one algorithm with one kind of key.");
        }
        if (name.isEmpty()) {
            if (jwks) {
                throw new ConfigException(alg + " is required with " + Setting.JWKS_FILE.envName() + ": RS256 or ES256.");
            }
            return TokenAlgorithm.HS256;
        }
        TokenAlgorithm a = TokenAlgorithm.parse(name).orElseThrow(() ->
                new ConfigException(alg + " must be HS256, RS256 or ES256, got '" + name + "'"));
        if (a.symmetric() && jwks) {
            throw new ConfigException(alg + "=HS256 needs " + Setting.JWT_SECRET.envName() + "; keys from "
                    + Setting.JWKS_FILE.envName() + " verify RS256 or ES256.");
        }
        if (!a.symmetric() && !jwks) {
            throw new ConfigException(alg + "=" + a + " needs " + Setting.JWKS_FILE.envName()
                    + " (the public keys)" + (secret ? "; a shared secret signs HS256 only." : "."));
        }
        return a;
    }

    /** The UTF-8 bytes of a secret, refused when shorter than HS256 allows; the message never shows the secret. */
    static byte[] checkedSecret(String secret, String where) {
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < TokenVerifier.MIN_SECRET_BYTES) {
            throw new ConfigException(where + " is too short: " + bytes.length + " bytes; HS256 needs a secret of at least "
                    + TokenVerifier.MIN_SECRET_BYTES + " bytes (e.g. the output of: openssl rand -base64 48).");
        }
        return bytes;
    }

    /** Reads the secret file, or generates it when absent. */
    static byte[] readOrCreateSecret(Path file) {
        if (!Files.exists(file)) {
            try {
                if (create(file)) {
                    LOG.info(() -> "Generated a token signing secret in " + file.toAbsolutePath().normalize()
                            + "; it is reused on every start. Delete it to invalidate every token issued so far.");
                }
            } catch (IOException e) {
                // the bare message of a FileSystemException is just a path; the type says what went wrong
                throw new ConfigException("Cannot create the token secret " + file + ": " + e.getClass().getSimpleName()
                        + " " + e.getMessage()
                        + ". Check " + Setting.DATA_DIR.envName() + ", or set " + Setting.JWT_SECRET.envName() + ".");
            }
        }
        return readSecret(file);
    }

    /** Writes a new random secret to {@code file}; false when another process published one first. */
    private static boolean create(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        boolean posix = Files.getFileStore(dir).supportsFileAttributeView("posix");
        FileAttribute<?>[] attrs = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
                : new FileAttribute<?>[0];
        byte[] random = new byte[GENERATED_SECRET_BYTES];
        RANDOM.nextBytes(random);
        // base64url text, not raw bytes: it can be pasted into ATLAS_JWT_SECRET of another node or tool as is
        String text = Base64.getUrlEncoder().withoutPadding().encodeToString(random) + "\n";
        // Written to a temporary file (owner-only from its creation, never readable by others even briefly),
        // then published under its real name with a hard link: creating the link fails atomically when the name
        // exists, so a file another process published first wins. (Files.move without REPLACE_EXISTING checks,
        // then renames, and a rename replaces: two racing starts could both "win".) A reader never sees a
        // half-written secret.
        Path tmp = Files.createTempFile(dir, "." + SECRET_FILE_NAME + "-", ".tmp", attrs);
        try {
            Files.writeString(tmp, text, StandardCharsets.US_ASCII);
            try {
                Files.createLink(file, tmp);
            } catch (UnsupportedOperationException noHardLinks) {
                Files.move(tmp, file); // a file system without hard links: the best it offers
            }
            return true;
        } catch (FileAlreadyExistsException e) {
            // another process created it first: use theirs, so that both verify the same tokens
            return false;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static byte[] readSecret(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new ConfigException("Cannot read the token secret " + file + ": " + e.getMessage());
        }
        warnIfReadableByOthers(file);
        return checkedSecret(text, "The token secret in " + file + " (delete the file to generate a new one)");
    }

    private static void warnIfReadableByOthers(Path file) {
        try {
            if (Files.getFileStore(file).supportsFileAttributeView("posix")) {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
                if (!OWNER_ONLY.containsAll(perms)) {
                    LOG.warning(() -> "The token secret " + file + " is accessible to others ("
                            + PosixFilePermissions.toString(perms) + "); restrict it with: chmod 600 " + file);
                }
            }
        } catch (IOException e) {
            // only a warning is at stake
        }
    }
}
