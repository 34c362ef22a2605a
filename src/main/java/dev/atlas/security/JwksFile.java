package dev.atlas.security;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.KeyUse;
import dev.atlas.config.ConfigException;
import dev.atlas.config.Setting;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.List;
import java.util.logging.Logger;

/** Reads the verification keys of {@code ATLAS_JWKS_FILE}. Static functions; thread-safe. */
final class JwksFile {
    /** RSA keys below this size are refused (NIST SP 800-131A); nimbus's signer refuses them too. */
    static final int MIN_RSA_BITS = 2048;

    private static final Logger LOG = Logger.getLogger(JwksFile.class.getName());
    private static final String SETTING = Setting.JWKS_FILE.envName();

    private JwksFile() {
    }

    /**
     * The usable public keys of the file for the algorithm.
     *
     * @throws ConfigException naming the setting and the file when it cannot be used
     */
    static JWKSet load(Path file, TokenAlgorithm algorithm) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(SETTING + " names " + file + ", which does not exist");
        } catch (IOException e) {
            throw new ConfigException(SETTING + " names " + file + ", which cannot be read: " + e.getMessage());
        }
        JWKSet all;
        try {
            all = JWKSet.parse(text);
        } catch (ParseException e) {
            // the parser's message may quote the file; keep key material, even public, out of the log
            throw new ConfigException(SETTING + " names " + file
                    + ", which is not a JWK set (a JSON object with a \"keys\" array of JWKs)");
        }
        if (all.getKeys().stream().anyMatch(JWK::isPrivate)) {
            LOG.warning(() -> SETTING + " " + file + " contains private key material. Atlas uses only the public"
                    + " keys; keep private keys out of this file.");
        }
        List<JWK> usable = usableKeys(all, algorithm);
        if (usable.isEmpty()) {
            throw new ConfigException(SETTING + " " + file + " has no key that verifies " + algorithm + " (needs "
                    + (algorithm == TokenAlgorithm.RS256 ? "an RSA key of at least " + MIN_RSA_BITS + " bits"
                    : "an EC key on curve P-256") + ", with \"use\" absent or \"sig\", and \"alg\" absent or "
                    + algorithm + ")");
        }
        LOG.info(() -> "Token keys: " + usable.size() + " of " + all.getKeys().size() + " keys in " + file
                + " verify " + algorithm);
        return new JWKSet(usable);
    }

    /** The public keys in {@code keys} that can verify {@code algorithm}. */
    static List<JWK> usableKeys(JWKSet keys, TokenAlgorithm algorithm) {
        JWKMatcher.Builder m = new JWKMatcher.Builder()
                .keyUses(KeyUse.SIGNATURE, null)
                .algorithms(algorithm.jws(), null);
        switch (algorithm) {
            case RS256 -> m.keyType(KeyType.RSA).minKeySize(MIN_RSA_BITS);
            case ES256 -> m.keyType(KeyType.EC).curve(Curve.P_256);
            default -> throw new IllegalArgumentException("not a public-key algorithm: " + algorithm);
        }
        return new JWKSelector(m.build()).select(keys.toPublicJWKSet());
    }
}
