package dev.atlas.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Locale;
import java.util.Objects;

/**
 * Mints HS256 tokens with the shared secret, for the startup printout of the one-command run, the
 * {@link MintToken} command and tests. Tokens carry {@code role}, {@code wallet} (agents, lower-case),
 * {@code sub} (when given), {@code iat}, {@code exp}, and {@code iss}/{@code aud} when the policy sets them, so
 * that a {@link TokenVerifier} with the same secret and policy accepts them.
 *
 * <p>Only HS256: with RS256/ES256 Atlas holds public keys only, and tokens come from whoever holds the private
 * key. Immutable; thread-safe (nimbus's {@code MACSigner} is).
 */
public final class TokenMinter {
    /** Longest lifetime a token may be minted with. */
    public static final Duration MAX_TTL = Duration.ofDays(365);

    private final MACSigner signer;
    private final TokenPolicy policy;
    private final Clock clock;

    private TokenMinter(MACSigner signer, TokenPolicy policy, Clock clock) {
        this.signer = signer;
        this.policy = Objects.requireNonNull(policy, "policy");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * @throws IllegalArgumentException when the secret is shorter than {@link TokenVerifier#MIN_SECRET_BYTES}
     */
    public static TokenMinter hs256(byte[] secret, TokenPolicy policy) {
        return hs256(secret, policy, Clock.systemUTC());
    }

    static TokenMinter hs256(byte[] secret, TokenPolicy policy, Clock clock) {
        TokenVerifier.checkSecret(secret);
        try {
            return new TokenMinter(new MACSigner(secret.clone()), policy, clock);
        } catch (JOSEException e) {
            // unreachable: the only failure is a short key, checked above
            throw new IllegalArgumentException("unusable HS256 secret", e);
        }
    }

    /** An admin token. {@code subject} may be null. */
    public String admin(String subject, Duration ttl) {
        return mint(Role.ADMIN, null, subject, ttl);
    }

    /**
     * An agent token for {@code wallet} (stored lower-case). {@code subject} may be null.
     *
     * @throws IllegalArgumentException when the wallet does not match the policy's wallet pattern
     */
    public String agent(String wallet, String subject, Duration ttl) {
        if (!policy.isWallet(wallet)) {
            throw new IllegalArgumentException("not a wallet address (pattern " + policy.walletPattern().pattern() + ")");
        }
        return mint(Role.AGENT, wallet.toLowerCase(Locale.ROOT), subject, ttl);
    }

    private String mint(Role role, String wallet, String subject, Duration ttl) {
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_TTL) > 0) {
            throw new IllegalArgumentException("lifetime must be positive and at most " + MAX_TTL.toDays() + " days");
        }
        Instant now = clock.instant();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .claim("role", role.claim())
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ttl)));
        if (wallet != null) {
            claims.claim("wallet", wallet);
        }
        if (subject != null && !subject.isBlank()) {
            claims.subject(subject);
        }
        if (policy.issuer() != null) {
            claims.issuer(policy.issuer());
        }
        if (policy.audience() != null) {
            claims.audience(policy.audience());
        }
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(TokenAlgorithm.HS256.jws()).type(JOSEObjectType.JWT).build(), claims.build());
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("HS256 signing failed", e);
        }
        return jwt.serialize();
    }
}
