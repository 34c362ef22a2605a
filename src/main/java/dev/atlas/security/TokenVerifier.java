package dev.atlas.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.proc.SingleKeyJWSKeySelector;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import dev.atlas.config.ConfigException;
import dev.atlas.security.AuthenticationException.Reason;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies a compact JWT (the bearer token of a REST call or a WebSocket handshake) and says who is calling.
 * Immutable once built; one instance is shared by every request thread.
 *
 * <p>The rules, in the order a token meets them:
 * <ol>
 *   <li>It is a signed JWS: unsecured ({@code alg: none}) and encrypted tokens are refused, as is anything
 *       longer than {@link #MAX_TOKEN_CHARS}.</li>
 *   <li>Its {@code alg} is the one pinned by configuration; there is no negotiation, so an HS256 token signed
 *       with an RSA public key's bytes is refused when RS256 is pinned (the key-confusion attack). Keys named
 *       in the token ({@code jwk}, {@code jku}, {@code x5u}) are never used.</li>
 *   <li>{@code typ}, when present, is {@code JWT} or {@code at+jwt}.</li>
 *   <li>The signature verifies with the configured key: the shared secret for HS256; for RS256/ES256 the JWKS
 *       keys of that type, only the one whose {@code kid} matches when the token names one.</li>
 *   <li>{@code exp} is present and not past; {@code nbf} is not in the future; {@code iat} is not in the
 *       future; each with the policy's clock skew (at most 60 s).</li>
 *   <li>{@code iss} equals the configured issuer, and {@code aud} contains the configured audience, when
 *       those are configured.</li>
 *   <li>{@code role} is {@code admin} or {@code agent}; an agent's {@code wallet} matches the wallet pattern
 *       (case-insensitive) and is returned lower-case. {@code sub} is optional.</li>
 * </ol>
 * Claims are checked only after the signature, so nothing an unauthenticated sender writes into a payload
 * decides what reason it gets back beyond "malformed".
 *
 * <p>Production code gets its verifier from {@link Keys#setUp}; the factories here take explicit key material.
 */
public final class TokenVerifier {
    /** Longer input is refused before parsing: real tokens are a few hundred characters. */
    public static final int MAX_TOKEN_CHARS = 8 * 1024;

    /** Minimum shared-secret length: RFC 7518 §3.2 requires a key at least as long as the HS256 hash. */
    public static final int MIN_SECRET_BYTES = 32;

    private static final Logger LOG = Logger.getLogger(TokenVerifier.class.getName());
    private static final JOSEObjectType ACCESS_TOKEN = new JOSEObjectType("at+jwt");

    /** How many verified tokens are remembered; past it the memory is dropped and refilled. */
    static final int MAX_REMEMBERED = 10_000;
    /** A remembered token is verified again after this long at most (and never used past its exp). */
    static final long REMEMBER_MILLIS = 60_000;

    private final TokenAlgorithm algorithm;
    private final TokenPolicy policy;
    private final DefaultJWTProcessor<SecurityContext> processor;
    private final Clock clock;
    /**
     * Tokens that passed every check recently, by their exact text. A client sends the same token with every
     * request, and the signature check and claims parsing are a noticeable part of a request's CPU. Keyed by
     * the whole compact token, signature included: any other token (a changed payload or signature) is not
     * found and is verified in full. Only successes are kept, so failures cannot fill it.
     */
    private final java.util.concurrent.ConcurrentHashMap<String, Remembered> remembered = new java.util.concurrent.ConcurrentHashMap<>();

    private record Remembered(Principal principal, long verifiedAt, long goodUntil) {
    }

    private TokenVerifier(TokenAlgorithm algorithm, JWSKeySelector<SecurityContext> keys, TokenPolicy policy, Clock clock) {
        this.algorithm = algorithm;
        this.clock = clock;
        this.policy = Objects.requireNonNull(policy, "policy");
        DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
        // null = no typ header; nimbus's default allows JWT and null only, RFC 9068 access tokens say at+jwt.
        p.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, ACCESS_TOKEN, null));
        p.setJWSKeySelector(keys);
        // No JWE key selector is set, so nimbus refuses encrypted tokens too (we refuse them earlier).
        p.setJWTClaimsSetVerifier(new ClaimRules(policy, clock));
        this.processor = p;
    }

    /**
     * An HS256 verifier with a shared secret.
     *
     * @throws IllegalArgumentException when the secret is shorter than {@link #MIN_SECRET_BYTES}
     */
    public static TokenVerifier hs256(byte[] secret, TokenPolicy policy) {
        return hs256(secret, policy, Clock.systemUTC());
    }

    static TokenVerifier hs256(byte[] secret, TokenPolicy policy, Clock clock) {
        checkSecret(secret);
        // SingleKeyJWSKeySelector rather than a JWK source: with one shared secret a kid header means nothing,
        // and a JWK matcher would refuse every token that carries one.
        SecretKeySpec key = new SecretKeySpec(secret.clone(), "HmacSHA256");
        return new TokenVerifier(TokenAlgorithm.HS256,
                new SingleKeyJWSKeySelector<>(TokenAlgorithm.HS256.jws(), key), policy, clock);
    }

    /**
     * An RS256 or ES256 verifier with the public keys of a JWKS file (RSA keys of at least 2048 bits for RS256,
     * P-256 keys for ES256; keys of other types in the file are ignored). The file is read once.
     *
     * @throws ConfigException naming {@code ATLAS_JWKS_FILE} when the file is unreadable, not a JWK set, or has
     *                         no key for the algorithm
     */
    public static TokenVerifier jwks(Path file, TokenAlgorithm algorithm, TokenPolicy policy) {
        return jwks(JwksFile.load(file, algorithm), algorithm, policy, Clock.systemUTC());
    }

    static TokenVerifier jwks(JWKSet keys, TokenAlgorithm algorithm, TokenPolicy policy, Clock clock) {
        if (algorithm.symmetric()) {
            throw new IllegalArgumentException("a JWKS verifier needs RS256 or ES256, not " + algorithm);
        }
        // Only the public half of each usable key: a private key in the file must never sign anything here.
        JWKSet usable = new JWKSet(JwksFile.usableKeys(keys, algorithm));
        if (usable.isEmpty()) {
            throw new IllegalArgumentException("no key in the set verifies " + algorithm);
        }
        // JWSVerificationKeySelector refuses any other alg, and matches key type, use and kid (when the token
        // has one) against the set.
        return new TokenVerifier(algorithm,
                new JWSVerificationKeySelector<>(algorithm.jws(), new ImmutableJWKSet<>(usable)), policy, clock);
    }

    static void checkSecret(byte[] secret) {
        Objects.requireNonNull(secret, "secret");
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("an HS256 secret needs at least " + MIN_SECRET_BYTES
                    + " bytes, got " + secret.length);
        }
    }

    /** The one algorithm this verifier accepts. */
    public TokenAlgorithm algorithm() {
        return algorithm;
    }

    public TokenPolicy policy() {
        return policy;
    }

    /**
     * Verifies a compact JWT (without any {@code Bearer } prefix).
     *
     * @return who is calling
     * @throws AuthenticationException with a reason that is safe to show and log; it never contains the token
     */
    public Principal verify(String token) throws AuthenticationException {
        if (token == null || token.isBlank()) {
            throw new AuthenticationException(Reason.MISSING);
        }
        if (token.length() > MAX_TOKEN_CHARS) {
            throw new AuthenticationException(Reason.MALFORMED);
        }
        long now = clock.millis();
        Remembered r = remembered.get(token);
        // Valid at verifiedAt and not yet expired: nbf and iat only get further behind, so it is still valid.
        if (r != null && now >= r.verifiedAt() && now < r.goodUntil()) {
            return r.principal();
        }
        Principal p = verifyFully(token);
        if (remembered.size() >= MAX_REMEMBERED) {
            remembered.clear();
        }
        remembered.put(token, new Remembered(p, now, Math.min(p.expiresAt().toEpochMilli(), now + REMEMBER_MILLIS)));
        return p;
    }

    private Principal verifyFully(String token) throws AuthenticationException {
        SignedJWT signed = parseSigned(token);
        JWSHeader header = signed.getHeader();
        // Checked here as well as by the processor so that the reason is precise; the processor stays the
        // authority (its key selector refuses any other alg, its type verifier any other typ).
        if (!algorithm.jws().equals(header.getAlgorithm())) {
            throw new AuthenticationException(Reason.WRONG_ALGORITHM);
        }
        JOSEObjectType typ = header.getType();
        if (typ != null && !typ.equals(JOSEObjectType.JWT) && !typ.equals(ACCESS_TOKEN)) {
            throw new AuthenticationException(Reason.WRONG_TYPE);
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(signed, null);
        } catch (ClaimRejected e) {
            throw new AuthenticationException(e.reason);
        } catch (BadJWSException e) {
            throw new AuthenticationException(Reason.BAD_SIGNATURE);
        } catch (BadJWTException e) {
            // thrown before any key is tried: the payload is not a JSON claims set (or a claim has a bad type)
            throw new AuthenticationException(Reason.MALFORMED);
        } catch (BadJOSEException e) {
            // alg and typ were checked above, so what remains is "no matching key(s) found": an unknown kid
            throw new AuthenticationException(Reason.UNKNOWN_KEY);
        } catch (JOSEException e) {
            // a key the verifier factory cannot use; configuration is validated at startup, so this is unexpected
            LOG.log(Level.WARNING, "Token verification failed inside the JOSE library: {0}", e.getClass().getName());
            throw new AuthenticationException(Reason.BAD_SIGNATURE);
        }
        return principal(claims);
    }

    private static SignedJWT parseSigned(String token) throws AuthenticationException {
        JWT jwt;
        try {
            jwt = JWTParser.parse(token);
        } catch (ParseException e) {
            throw new AuthenticationException(Reason.MALFORMED);
        } catch (RuntimeException e) {
            // the parser should only throw ParseException, but this is attacker input: junk is junk, not a 500
            LOG.log(Level.FINE, "Token parser threw {0}", e.getClass().getName());
            throw new AuthenticationException(Reason.MALFORMED);
        }
        if (jwt instanceof PlainJWT) {
            throw new AuthenticationException(Reason.UNSIGNED);
        }
        if (jwt instanceof EncryptedJWT) {
            throw new AuthenticationException(Reason.ENCRYPTED);
        }
        if (jwt instanceof SignedJWT s) {
            return s;
        }
        throw new AuthenticationException(Reason.MALFORMED);
    }

    private Principal principal(JWTClaimsSet claims) throws AuthenticationException {
        Role role = claims.getClaim("role") instanceof String r ? Role.fromClaim(r).orElse(null) : null;
        if (role == null) {
            throw new AuthenticationException(Reason.BAD_ROLE);
        }
        String wallet = null;
        if (role == Role.AGENT) {
            if (!(claims.getClaim("wallet") instanceof String w) || !policy.isWallet(w)) {
                throw new AuthenticationException(Reason.BAD_WALLET);
            }
            wallet = w.toLowerCase(Locale.ROOT);
        }
        // exp is a required claim (ClaimRules), so it is present here
        return new Principal(claims.getSubject(), role, wallet, claims.getExpirationTime().toInstant());
    }

    /** Carries our reason out of the processor; never leaves this class. */
    private static final class ClaimRejected extends BadJWTException {
        private static final long serialVersionUID = 1L;
        private final transient Reason reason;

        ClaimRejected(Reason reason) {
            super(reason.message());
            this.reason = reason;
        }
    }

    /**
     * nimbus's claims verifier, configured: {@code exp} required, {@code iss} exact when configured,
     * {@code aud} containing the configured audience, the policy's skew (nimbus's own default is also 60 s,
     * but it must follow the setting), and our clock. nimbus does not look at {@code iat}; we do, with the same
     * skew. nimbus decides; its failure is then labelled from the claims, not from its message text.
     */
    private static final class ClaimRules extends DefaultJWTClaimsVerifier<SecurityContext> {
        private final TokenPolicy policy;
        private final Clock clock;

        ClaimRules(TokenPolicy policy, Clock clock) {
            super(policy.audience() == null ? null : Set.of(policy.audience()),
                    policy.issuer() == null ? null : new JWTClaimsSet.Builder().issuer(policy.issuer()).build(),
                    Set.of("exp"),
                    null);
            setMaxClockSkew((int) policy.clockSkew().toSeconds());
            this.policy = policy;
            this.clock = Objects.requireNonNull(clock, "clock");
        }

        @Override
        protected Date currentTime() {
            return Date.from(clock.instant());
        }

        @Override
        public void verify(JWTClaimsSet claims, SecurityContext context) throws BadJWTException {
            Instant now = clock.instant();
            Duration skew = policy.clockSkew();
            try {
                super.verify(claims, context);
            } catch (BadJWTException e) {
                throw new ClaimRejected(label(e, claims, now.plus(skew)));
            }
            Date iat = claims.getIssueTime();
            if (iat != null && iat.toInstant().isAfter(now.plus(skew))) {
                throw new ClaimRejected(Reason.ISSUED_IN_FUTURE);
            }
        }

        private Reason label(BadJWTException e, JWTClaimsSet claims, Instant latestAcceptable) {
            if (e instanceof ExpiredJWTException) {
                return Reason.EXPIRED;
            }
            if (claims.getExpirationTime() == null) {
                return Reason.MISSING_EXPIRY;
            }
            if (policy.issuer() != null && !policy.issuer().equals(claims.getIssuer())) {
                return Reason.WRONG_ISSUER;
            }
            List<String> aud = claims.getAudience();
            if (policy.audience() != null && (aud == null || !aud.contains(policy.audience()))) {
                return Reason.WRONG_AUDIENCE;
            }
            Date nbf = claims.getNotBeforeTime();
            if (nbf != null && !nbf.toInstant().isBefore(latestAcceptable)) {
                return Reason.NOT_YET_VALID;
            }
            return Reason.INVALID_CLAIMS;
        }
    }
}
