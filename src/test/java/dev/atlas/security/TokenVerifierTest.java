package dev.atlas.security;

import static dev.atlas.security.TokenForge.CLOCK;
import static dev.atlas.security.TokenForge.NOW;
import static dev.atlas.security.TokenForge.SECRET;
import static dev.atlas.security.TokenForge.WALLET;
import static dev.atlas.security.TokenForge.admin;
import static dev.atlas.security.TokenForge.agent;
import static dev.atlas.security.TokenForge.at;
import static dev.atlas.security.TokenForge.hs256;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.DirectEncrypter;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.atlas.security.AuthenticationException.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** HS256 verification: every rule of {@link TokenVerifier}, one way to break it per test. */
class TokenVerifierTest {
    private final TokenVerifier verifier = TokenVerifier.hs256(SECRET, TokenPolicy.defaults(), CLOCK);

    private static Reason refused(TokenVerifier v, String token) {
        AuthenticationException e = assertThrows(AuthenticationException.class, () -> v.verify(token));
        assertSafe(e, token);
        return e.reason();
    }

    private Reason refused(String token) {
        return refused(verifier, token);
    }

    /** The reason is the fixed text of its label and shares nothing with the token. */
    static void assertSafe(AuthenticationException e, String token) {
        assertEquals(e.reason().message(), e.getMessage());
        assertNull(e.getCause(), "no library exception rides along");
        assertEquals(0, e.getStackTrace().length, "no stack trace is recorded");
        if (token != null && !token.isEmpty()) {
            assertFalse(e.getMessage().contains(token), "reason contains the token");
            for (String part : token.split("\\.")) {
                if (part.length() >= 8) {
                    assertFalse(e.getMessage().contains(part), "reason contains part of the token: " + e.getMessage());
                }
            }
        }
    }

    // --- accepted ------------------------------------------------------------------------------------

    @Test
    void adminIsAccepted() throws Exception {
        Principal p = verifier.verify(hs256(admin().build()));
        assertAll(
                () -> assertEquals(Role.ADMIN, p.role()),
                () -> assertTrue(p.isAdmin()),
                () -> assertEquals("root", p.subject()),
                () -> assertNull(p.wallet()),
                () -> assertEquals(NOW.plus(Duration.ofHours(1)), p.expiresAt()));
    }

    @Test
    void agentWalletIsLowerCased() throws Exception {
        Principal p = verifier.verify(hs256(agent().build()));
        assertEquals(Role.AGENT, p.role());
        assertEquals("alice", p.subject());
        assertEquals(WALLET.toLowerCase(), p.wallet());
        assertEquals(NOW.plus(Duration.ofHours(1)), p.expiresAt());
    }

    @Test
    void subjectIsOptional() throws Exception {
        Principal p = verifier.verify(hs256(agent().subject(null).build()));
        assertNull(p.subject());
        assertEquals(WALLET.toLowerCase(), p.getName(), "logs fall back to the wallet");
    }

    @Test
    void anAdminTokenWithAWalletClaimStillHasNoWallet() throws Exception {
        Principal p = verifier.verify(hs256(admin().claim("wallet", WALLET).build()));
        assertNull(p.wallet(), "admins see everything; a wallet would suggest otherwise");
    }

    @Test
    void aKidHeaderDoesNotMatterWithOneSharedSecret() throws Exception {
        String token = TokenForge.sign(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("k1").build(),
                admin().build(), SECRET);
        assertEquals(Role.ADMIN, verifier.verify(token).role());
    }

    @Test
    void typJwtAndAtJwtAreAccepted() throws Exception {
        assertEquals(Role.ADMIN, verifier.verify(TokenForge.withType(JOSEObjectType.JWT, admin().build())).role());
        assertEquals(Role.ADMIN, verifier.verify(
                TokenForge.withType(new JOSEObjectType("at+jwt"), admin().build())).role());
    }

    @Test
    void otherTypesAreRefused() {
        assertEquals(Reason.WRONG_TYPE, refused(TokenForge.withType(JOSEObjectType.JOSE, admin().build())));
        assertEquals(Reason.WRONG_TYPE, refused(
                TokenForge.withType(new JOSEObjectType("secevent+jwt"), admin().build())));
    }

    // --- signature and algorithm ------------------------------------------------------------------------

    @Test
    void forgedWithAnotherSecretIsRefused() {
        byte[] other = Arrays.copyOf(SECRET, SECRET.length);
        other[0] ^= 1;
        assertEquals(Reason.BAD_SIGNATURE, refused(TokenForge.hmac(JWSAlgorithm.HS256, other, admin().build())));
    }

    @Test
    void tamperedPayloadIsRefused() {
        String[] agentParts = hs256(agent().build()).split("\\.");
        String[] adminParts = hs256(admin().build()).split("\\.");
        String promoted = agentParts[0] + "." + adminParts[1] + "." + agentParts[2];
        assertEquals(Reason.BAD_SIGNATURE, refused(promoted));
    }

    @Test
    void strippedOrJunkSignatureIsRefused() {
        String[] parts = hs256(admin().build()).split("\\.");
        // nimbus does not even parse a JWS with an empty signature
        assertEquals(Reason.MALFORMED, refused(parts[0] + "." + parts[1] + "."));
        assertEquals(Reason.BAD_SIGNATURE, refused(parts[0] + "." + parts[1] + ".AAAA"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"HS384", "HS512"})
    void anotherHmacAlgorithmWithTheRightSecretIsRefused(String alg) {
        String token = TokenForge.hmac(JWSAlgorithm.parse(alg), SECRET, admin().build());
        assertEquals(Reason.WRONG_ALGORITHM, refused(token));
    }

    @Test
    void rs256TokenIsRefusedWhenHs256IsPinned() throws JOSEException {
        String token = TokenForge.rs256(new RSAKeyGenerator(2048).generate(), admin().build());
        assertEquals(Reason.WRONG_ALGORITHM, refused(token));
    }

    @Test
    void es256TokenIsRefusedWhenHs256IsPinned() throws JOSEException {
        String token = TokenForge.es256(new ECKeyGenerator(Curve.P_256).generate(), admin().build());
        assertEquals(Reason.WRONG_ALGORITHM, refused(token));
    }

    @Test
    void algNoneIsRefused() {
        String payload = "{\"role\":\"admin\",\"sub\":\"mallory\",\"exp\":" + NOW.plusSeconds(3600).getEpochSecond() + "}";
        assertEquals(Reason.UNSIGNED, refused(TokenForge.raw("{\"alg\":\"none\"}", payload, "")));
        assertEquals(Reason.UNSIGNED, refused(TokenForge.raw("{\"alg\":\"none\",\"typ\":\"JWT\"}", payload, "")));
        // alg none with a signature left in place is not even a well-formed unsecured JWT
        String signature = hs256(admin().build()).split("\\.")[2];
        assertEquals(Reason.MALFORMED, refused(TokenForge.raw("{\"alg\":\"none\"}", payload, signature)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"None", "NONE", "nOnE"})
    void algNoneInAnotherCaseIsRefused(String alg) {
        String payload = "{\"role\":\"admin\",\"exp\":" + NOW.plusSeconds(3600).getEpochSecond() + "}";
        // not "none" to the parser, so a JWS with an unknown algorithm, and a JWS needs a signature part
        assertEquals(Reason.MALFORMED, refused(TokenForge.raw("{\"alg\":\"" + alg + "\"}", payload, "")));
        assertEquals(Reason.WRONG_ALGORITHM, refused(TokenForge.raw("{\"alg\":\"" + alg + "\"}", payload, "c2ln")));
    }

    @Test
    void encryptedTokenIsRefused() throws JOSEException {
        EncryptedJWT jwe = new EncryptedJWT(new JWEHeader(JWEAlgorithm.DIR, EncryptionMethod.A256GCM), admin().build());
        jwe.encrypt(new DirectEncrypter(Arrays.copyOf(SECRET, 32)));
        assertEquals(Reason.ENCRYPTED, refused(jwe.serialize()));
    }

    // --- time -----------------------------------------------------------------------------------------------

    @Test
    void expiredIsRefused() {
        assertEquals(Reason.EXPIRED, refused(hs256(admin().expirationTime(at(Duration.ofSeconds(-61))).build())));
        assertEquals(Reason.EXPIRED, refused(hs256(admin().issueTime(at(Duration.ofDays(-2)))
                .expirationTime(at(Duration.ofDays(-1))).build())));
    }

    @Test
    void expiredWithinTheSkewIsAccepted() throws Exception {
        assertEquals(Role.ADMIN, verifier.verify(hs256(admin().expirationTime(at(Duration.ofSeconds(-30))).build())).role());
    }

    @Test
    void withoutSkewExpiryIsExact() throws Exception {
        TokenVerifier strict = TokenVerifier.hs256(SECRET, TokenPolicy.defaults().withClockSkew(Duration.ZERO), CLOCK);
        assertEquals(Reason.EXPIRED, refused(strict, hs256(admin().expirationTime(at(Duration.ofSeconds(-1))).build())));
        assertEquals(Role.ADMIN, strict.verify(hs256(admin().expirationTime(at(Duration.ofSeconds(1))).build())).role());
    }

    @Test
    void missingExpiryIsRefused() {
        assertEquals(Reason.MISSING_EXPIRY, refused(hs256(admin().expirationTime(null).build())));
    }

    @Test
    void notYetValidBeyondTheSkewIsRefused() {
        assertEquals(Reason.NOT_YET_VALID, refused(hs256(admin().notBeforeTime(at(Duration.ofSeconds(61))).build())));
        assertEquals(Reason.NOT_YET_VALID, refused(hs256(admin().notBeforeTime(at(Duration.ofMinutes(10))).build())));
    }

    @Test
    void notYetValidWithinTheSkewIsAccepted() throws Exception {
        assertEquals(Role.ADMIN, verifier.verify(hs256(admin().notBeforeTime(at(Duration.ofSeconds(30))).build())).role());
        assertEquals(Role.ADMIN, verifier.verify(hs256(admin().notBeforeTime(at(Duration.ofSeconds(-30))).build())).role());
    }

    @Test
    void issuedInTheFutureBeyondTheSkewIsRefused() {
        assertEquals(Reason.ISSUED_IN_FUTURE, refused(hs256(admin().issueTime(at(Duration.ofSeconds(61))).build())));
        assertEquals(Reason.ISSUED_IN_FUTURE, refused(hs256(admin().issueTime(at(Duration.ofHours(1))).build())));
    }

    @Test
    void issuedWithinTheSkewIsAcceptedAndIatIsOptional() throws Exception {
        assertEquals(Role.ADMIN, verifier.verify(hs256(admin().issueTime(at(Duration.ofSeconds(59))).build())).role());
        assertEquals(Role.ADMIN, verifier.verify(hs256(admin().issueTime(null).build())).role());
    }

    @Test
    void theSkewFollowsThePolicy() throws Exception {
        TokenVerifier tight = TokenVerifier.hs256(SECRET, TokenPolicy.defaults().withClockSkew(Duration.ofSeconds(10)), CLOCK);
        assertEquals(Reason.NOT_YET_VALID, refused(tight, hs256(admin().notBeforeTime(at(Duration.ofSeconds(30))).build())));
        assertEquals(Reason.ISSUED_IN_FUTURE, refused(tight, hs256(admin().issueTime(at(Duration.ofSeconds(30))).build())));
        assertEquals(Reason.EXPIRED, refused(tight, hs256(admin().expirationTime(at(Duration.ofSeconds(-30))).build())));
        assertEquals(Role.ADMIN, tight.verify(hs256(admin().notBeforeTime(at(Duration.ofSeconds(5))).build())).role());
    }

    // --- issuer and audience ---------------------------------------------------------------------------------

    @Test
    void issuerIsCheckedWhenConfigured() throws Exception {
        TokenVerifier v = TokenVerifier.hs256(SECRET, TokenPolicy.defaults().withIssuer("https://id.example"), CLOCK);
        assertEquals(Role.ADMIN, v.verify(hs256(admin().issuer("https://id.example").build())).role());
        assertEquals(Reason.WRONG_ISSUER, refused(v, hs256(admin().issuer("https://evil.example").build())));
        assertEquals(Reason.WRONG_ISSUER, refused(v, hs256(admin().issuer("https://id.example/").build())));
        assertEquals(Reason.WRONG_ISSUER, refused(v, hs256(admin().build())));
    }

    @Test
    void issuerIsNotCheckedWhenNotConfigured() throws Exception {
        assertEquals(Role.ADMIN, verifier.verify(hs256(admin().issuer("anyone").build())).role());
    }

    @Test
    void audienceIsCheckedWhenConfigured() throws Exception {
        TokenVerifier v = TokenVerifier.hs256(SECRET, TokenPolicy.defaults().withAudience("atlas"), CLOCK);
        assertEquals(Role.ADMIN, v.verify(hs256(admin().audience("atlas").build())).role());
        assertEquals(Role.ADMIN, v.verify(hs256(admin().audience(List.of("billing", "atlas")).build())).role());
        assertEquals(Reason.WRONG_AUDIENCE, refused(v, hs256(admin().audience("billing").build())));
        assertEquals(Reason.WRONG_AUDIENCE, refused(v, hs256(admin().audience(List.of("billing", "crm")).build())));
        assertEquals(Reason.WRONG_AUDIENCE, refused(v, hs256(admin().build())));
    }

    @Test
    void audienceIsNotCheckedWhenNotConfigured() throws Exception {
        assertEquals(Role.ADMIN, verifier.verify(hs256(admin().audience("whatever").build())).role());
    }

    @Test
    void expiryIsReportedBeforeIssuerAndAudienceOnlyWhenTheyAreRight() {
        TokenVerifier v = TokenVerifier.hs256(SECRET,
                TokenPolicy.defaults().withIssuer("https://id.example").withAudience("atlas"), CLOCK);
        JWTClaimsSet expired = admin().issuer("https://id.example").audience("atlas")
                .expirationTime(at(Duration.ofMinutes(-5))).build();
        assertEquals(Reason.EXPIRED, refused(v, hs256(expired)));
    }

    // --- role and wallet -----------------------------------------------------------------------------------

    @Test
    void missingRoleIsRefused() {
        assertEquals(Reason.BAD_ROLE, refused(hs256(admin().claim("role", null).build())));
    }

    @ParameterizedTest
    @ValueSource(strings = {"superuser", "Admin", "AGENT", " admin", ""})
    void unknownRoleIsRefused(String role) {
        assertEquals(Reason.BAD_ROLE, refused(hs256(admin().claim("role", role).build())));
    }

    @Test
    void roleOfTheWrongTypeIsRefused() {
        assertEquals(Reason.BAD_ROLE, refused(hs256(admin().claim("role", 1).build())));
        assertEquals(Reason.BAD_ROLE, refused(hs256(admin().claim("role", List.of("admin")).build())));
    }

    @Test
    void agentWithoutWalletIsRefused() {
        assertEquals(Reason.BAD_WALLET, refused(hs256(agent().claim("wallet", null).build())));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0x123", "52908400098527886E0F7030069857D2E4169EE7", "0x52908400098527886E0F7030069857D2E4169EEZ",
            "0x52908400098527886E0F7030069857D2E4169EE7 ", ""})
    void agentWithMalformedWalletIsRefused(String wallet) {
        assertEquals(Reason.BAD_WALLET, refused(hs256(agent().claim("wallet", wallet).build())));
    }

    @Test
    void walletOfTheWrongTypeIsRefused() {
        assertEquals(Reason.BAD_WALLET, refused(hs256(agent().claim("wallet", 42).build())));
    }

    @Test
    void walletPatternIsCaseInsensitive() throws Exception {
        TokenPolicy lowerOnly = new TokenPolicy(null, null, Duration.ofSeconds(60), TokenPolicy.walletPattern("^0x[0-9a-f]{40}$"));
        TokenVerifier v = TokenVerifier.hs256(SECRET, lowerOnly, CLOCK);
        assertEquals(WALLET.toLowerCase(), v.verify(hs256(agent().build())).wallet());
    }

    // --- malformed input -------------------------------------------------------------------------------------

    @Test
    void missingTokenIsReportedAsSuch() {
        assertEquals(Reason.MISSING, refused(null));
        assertEquals(Reason.MISSING, refused(""));
        assertEquals(Reason.MISSING, refused("   "));
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "a.b", "a.b.c", "....", "Bearer x.y.z", "eyJhbGciOiJIUzI1NiJ9.!!!.abc", "{}.{}.{}"})
    void junkIsMalformed(String token) {
        assertEquals(Reason.MALFORMED, refused(token));
    }

    @Test
    void payloadThatIsNotAClaimsSetIsMalformed() {
        assertEquals(Reason.MALFORMED, refused(TokenForge.raw("{\"alg\":\"HS256\"}", "[1,2,3]", "c2ln")));
        assertEquals(Reason.MALFORMED, refused(TokenForge.raw("{\"alg\":\"HS256\"}", "{\"exp\":\"tomorrow\"}", "c2ln")));
    }

    @Test
    void overlongTokenIsRefusedBeforeParsing() {
        String big = hs256(admin().claim("padding", "x".repeat(TokenVerifier.MAX_TOKEN_CHARS)).build());
        assertEquals(Reason.MALFORMED, refused(big));
    }

    // --- reasons are safe -----------------------------------------------------------------------------------

    @Test
    void reasonsNeverQuoteClaims() {
        TokenVerifier v = TokenVerifier.hs256(SECRET,
                TokenPolicy.defaults().withIssuer("https://id.example").withAudience("atlas"), CLOCK);
        String marker = "MARKER-eyJhbGciOiJIUzI1NiJ9-\r\nInjected: header";
        List<JWTClaimsSet> bad = List.of(
                admin().issuer(marker).audience("atlas").build(),
                admin().issuer("https://id.example").audience(marker).build(),
                admin().issuer("https://id.example").audience("atlas").claim("role", marker).build(),
                agent().issuer("https://id.example").audience("atlas").claim("wallet", marker).build());
        for (JWTClaimsSet claims : bad) {
            String token = hs256(claims);
            AuthenticationException e = assertThrows(AuthenticationException.class, () -> v.verify(token));
            assertSafe(e, token);
            assertFalse(e.getMessage().contains("MARKER"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void everyReasonFitsAWebSocketCloseReason() {
        for (Reason r : Reason.values()) {
            assertTrue(r.message().getBytes(StandardCharsets.UTF_8).length <= 123, r.name());
            assertTrue(Pattern.matches("[ -~]+", r.message()), "printable ASCII: " + r.name());
        }
    }

    @Test
    void aShortSecretIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TokenVerifier.hs256(new byte[31], TokenPolicy.defaults()));
        assertTrue(e.getMessage().contains("32"), e.getMessage());
    }

    @Test
    void theSecretIsCopied() throws Exception {
        byte[] secret = Arrays.copyOf(SECRET, SECRET.length);
        TokenVerifier v = TokenVerifier.hs256(secret, TokenPolicy.defaults(), CLOCK);
        Arrays.fill(secret, (byte) 0);
        assertEquals(Role.ADMIN, v.verify(hs256(admin().build())).role());
    }

    @Test
    void aClockSkewSettingOutsideZeroToSixtySecondsStopsTheStartNamingIt() {
        dev.atlas.config.ConfigException e = assertThrows(dev.atlas.config.ConfigException.class, () -> TokenPolicy.from(
                dev.atlas.config.AtlasConfig.load(java.util.Map.of("ATLAS_JWT_CLOCK_SKEW_SECONDS", "61"), null)));
        assertEquals("ATLAS_JWT_CLOCK_SKEW_SECONDS must be between 0 and 60 (seconds), got 61", e.getMessage());
        assertEquals(Duration.ofSeconds(60), TokenPolicy.from(dev.atlas.config.AtlasConfig.load(
                java.util.Map.of("ATLAS_JWT_CLOCK_SKEW_SECONDS", "60"), null)).clockSkew());
    }
}
