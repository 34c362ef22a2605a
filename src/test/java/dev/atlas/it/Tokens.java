package dev.atlas.it;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Test tokens, signed like an identity provider would (HS256 with the shared secret the test server gets),
 * built independently of the server's own minting code.
 */
public final class Tokens {
    /** The secret given to servers under test that check tokens (ATLAS_JWT_SECRET). */
    public static final String SECRET = "test-secret-for-atlas-integration-tests-0123456789";

    private Tokens() {
    }

    public static final String ISSUER = "https://id.atlas.test";
    public static final String AUDIENCE = "atlas";

    /** Settings that turn authentication on with {@link #SECRET}, checking issuer and audience. */
    public static Map<String, String> settings() {
        return Map.of("ATLAS_JWT_SECRET", SECRET, "ATLAS_JWT_ISSUER", ISSUER, "ATLAS_JWT_AUDIENCE", AUDIENCE);
    }

    public static String admin() {
        return sign(SECRET, c -> c.claim("role", "admin").subject("test-admin"));
    }

    public static String agent(String wallet) {
        return sign(SECRET, c -> c.claim("role", "agent").claim("wallet", wallet).subject("agent-" + wallet.substring(2, 8)));
    }

    /** A token with the given claims (plus exp in an hour unless set), signed with {@code secret}. */
    public static String sign(String secret, Consumer<JWTClaimsSet.Builder> claims) {
        return sign(secret, JWSAlgorithm.HS256, claims);
    }

    public static String sign(String secret, JWSAlgorithm alg, Consumer<JWTClaimsSet.Builder> claims) {
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder().expirationTime(Date.from(Instant.now().plus(Duration.ofHours(1))))
                .issueTime(new Date()).issuer(ISSUER).audience(AUDIENCE);
        claims.accept(b);
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(alg), b.build());
            jwt.sign(new MACSigner(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
