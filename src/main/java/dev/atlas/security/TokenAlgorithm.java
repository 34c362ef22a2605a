package dev.atlas.security;

import com.nimbusds.jose.JWSAlgorithm;
import java.util.Locale;
import java.util.Optional;

/**
 * The token signature algorithms Atlas accepts; exactly one is pinned by configuration
 * ({@code ATLAS_JWT_ALGORITHM}). {@link #HS256} uses a shared secret, {@link #RS256} and {@link #ES256}
 * (ECDSA on P-256) public keys from a JWKS file. Immutable; thread-safe.
 */
public enum TokenAlgorithm {
    HS256(JWSAlgorithm.HS256),
    RS256(JWSAlgorithm.RS256),
    ES256(JWSAlgorithm.ES256);

    private final JWSAlgorithm jws;

    TokenAlgorithm(JWSAlgorithm jws) {
        this.jws = jws;
    }

    JWSAlgorithm jws() {
        return jws;
    }

    /** Whether the key is a shared secret (as opposed to public keys). */
    public boolean symmetric() {
        return this == HS256;
    }

    /** The algorithm a setting names, ignoring case; empty for anything else. */
    public static Optional<TokenAlgorithm> parse(String name) {
        if (name == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(valueOf(name.strip().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
