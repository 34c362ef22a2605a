package dev.atlas.security;

import static dev.atlas.security.TokenForge.CLOCK;
import static dev.atlas.security.TokenForge.WALLET;
import static dev.atlas.security.TokenForge.admin;
import static dev.atlas.security.TokenForge.agent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import dev.atlas.config.ConfigException;
import dev.atlas.security.AuthenticationException.Reason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RS256 and ES256 with public keys from a JWKS file: key choice by kid, pinned algorithm, key confusion. */
class JwksTokenVerifierTest {
    private static RSAKey rsa1;
    private static RSAKey rsa2;
    private static RSAKey outsider;
    private static ECKey ec1;
    private static ECKey ecOutsider;

    @TempDir
    Path dir;
    private final AtomicInteger files = new AtomicInteger();

    @BeforeAll
    static void keys() throws JOSEException {
        rsa1 = new RSAKeyGenerator(2048).keyID("rsa-1").keyUse(KeyUse.SIGNATURE).generate();
        rsa2 = new RSAKeyGenerator(2048).keyID("rsa-2").generate();
        outsider = new RSAKeyGenerator(2048).generate();
        ec1 = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        ecOutsider = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
    }

    /** Writes the JWKS JSON of the keys' public halves, as an identity provider publishes it. */
    private Path jwks(JWK... keys) {
        return write(new JWKSet(List.of(keys)).toString(true));
    }

    private Path write(String text) {
        Path file = dir.resolve("jwks-" + files.incrementAndGet() + ".json");
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    private TokenVerifier verifier(TokenAlgorithm alg, Path file) {
        return TokenVerifier.jwks(JwksFile.load(file, alg), alg, TokenPolicy.defaults(), CLOCK);
    }

    private static Reason refused(TokenVerifier v, String token) {
        AuthenticationException e = assertThrows(AuthenticationException.class, () -> v.verify(token));
        TokenVerifierTest.assertSafe(e, token);
        return e.reason();
    }

    // --- RS256 ---------------------------------------------------------------------------------------------

    @Test
    void rs256WithEitherKeyOfTheFileIsAccepted() throws Exception {
        TokenVerifier v = verifier(TokenAlgorithm.RS256, jwks(rsa1, rsa2));
        assertEquals(Role.ADMIN, v.verify(TokenForge.rs256(rsa1, admin().build())).role());
        Principal p = v.verify(TokenForge.rs256(rsa2, agent().build()));
        assertEquals(WALLET.toLowerCase(), p.wallet());
    }

    @Test
    void tokenWithoutKidIsTriedAgainstEveryKey() throws Exception {
        TokenVerifier v = verifier(TokenAlgorithm.RS256, jwks(rsa1, rsa2));
        String token = TokenForge.rsa(new JWSHeader.Builder(JWSAlgorithm.RS256).build(), rsa2, admin().build());
        assertEquals(Role.ADMIN, v.verify(token).role());
    }

    @Test
    void kidSelectsTheKey() {
        TokenVerifier v = verifier(TokenAlgorithm.RS256, jwks(rsa1, rsa2));
        // signed by rsa-2 but claiming to be rsa-1: only rsa-1 is tried, and it does not verify
        String token = TokenForge.rsa(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").build(), rsa2, admin().build());
        assertEquals(Reason.BAD_SIGNATURE, refused(v, token));
    }

    @Test
    void unknownKidIsRefused() {
        TokenVerifier v = verifier(TokenAlgorithm.RS256, jwks(rsa1));
        String token = TokenForge.rsa(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-9").build(), rsa1, admin().build());
        assertEquals(Reason.UNKNOWN_KEY, refused(v, token));
    }

    @Test
    void tokenSignedByAnotherKeyIsRefused() {
        TokenVerifier v = verifier(TokenAlgorithm.RS256, jwks(rsa1, rsa2));
        assertEquals(Reason.BAD_SIGNATURE, refused(v, TokenForge.rs256(outsider, admin().build())));
    }

    @Test
    void aKeyEmbeddedInTheTokenIsNeverTrusted() {
        TokenVerifier v = verifier(TokenAlgorithm.RS256, jwks(rsa1));
        String token = TokenForge.rsa(new JWSHeader.Builder(JWSAlgorithm.RS256).jwk(outsider.toPublicJWK()).build(),
                outsider, admin().build());
        assertEquals(Reason.BAD_SIGNATURE, refused(v, token));
    }

    @Test
    void keyConfusionHs256WithThePublicKeyAsSecretIsRefused() throws Exception {
        TokenVerifier v = verifier(TokenAlgorithm.RS256, jwks(rsa1));
        // The classic attack: the public key is public, so sign HS256 with its bytes and hope the server
        // feeds the same bytes to HMAC. Try every encoding an attacker would.
        byte[] der = rsa1.toRSAPublicKey().getEncoded();
        String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END PUBLIC KEY-----\n";
        List<byte[]> secrets = List.of(der, pem.getBytes(StandardCharsets.US_ASCII),
                rsa1.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8));
        for (byte[] secret : secrets) {
            String token = TokenForge.sign(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa-1").build(),
                    admin().build(), secret);
            assertEquals(Reason.WRONG_ALGORITHM, refused(v, token));
        }
    }

    @Test
    void otherAlgorithmsAreRefusedWhenRs256IsPinned() throws JOSEException {
        TokenVerifier v = verifier(TokenAlgorithm.RS256, jwks(rsa1));
        assertEquals(Reason.WRONG_ALGORITHM, refused(v, TokenForge.es256(ec1, admin().build())));
        assertEquals(Reason.WRONG_ALGORITHM, refused(v, TokenForge.hs256(admin().build())));
        // same key, same family, another algorithm: still not the pinned one
        assertEquals(Reason.WRONG_ALGORITHM, refused(v,
                TokenForge.rsa(new JWSHeader.Builder(JWSAlgorithm.RS512).keyID("rsa-1").build(), rsa1, admin().build())));
        assertEquals(Reason.WRONG_ALGORITHM, refused(v,
                TokenForge.rsa(new JWSHeader.Builder(JWSAlgorithm.PS256).keyID("rsa-1").build(), rsa1, admin().build())));
    }

    @Test
    void algNoneIsRefusedWhenRs256IsPinned() {
        TokenVerifier v = verifier(TokenAlgorithm.RS256, jwks(rsa1));
        String token = TokenForge.raw("{\"alg\":\"none\",\"kid\":\"rsa-1\"}", admin().build().toString(), "");
        assertEquals(Reason.UNSIGNED, refused(v, token));
    }

    @Test
    void claimRulesApplyToo() {
        TokenVerifier v = TokenVerifier.jwks(JwksFile.load(jwks(rsa1), TokenAlgorithm.RS256), TokenAlgorithm.RS256,
                TokenPolicy.defaults().withIssuer("https://id.example").withAudience("atlas"), CLOCK);
        assertEquals(Reason.WRONG_ISSUER, refused(v, TokenForge.rs256(rsa1, admin().audience("atlas").build())));
        assertEquals(Reason.BAD_WALLET, refused(v, TokenForge.rs256(rsa1,
                agent().issuer("https://id.example").audience("atlas").claim("wallet", "0x1").build())));
    }

    // --- ES256 ---------------------------------------------------------------------------------------------

    @Test
    void es256IsAccepted() throws Exception {
        TokenVerifier v = verifier(TokenAlgorithm.ES256, jwks(ec1));
        assertEquals(WALLET.toLowerCase(), v.verify(TokenForge.es256(ec1, agent().build())).wallet());
    }

    @Test
    void es256SignedByAnotherKeyIsRefused() {
        TokenVerifier v = verifier(TokenAlgorithm.ES256, jwks(ec1));
        assertEquals(Reason.BAD_SIGNATURE, refused(v, TokenForge.es256(ecOutsider, admin().build())));
    }

    @Test
    void rs256IsRefusedWhenEs256IsPinned() {
        TokenVerifier v = verifier(TokenAlgorithm.ES256, jwks(ec1, rsa1));
        assertEquals(Reason.WRONG_ALGORITHM, refused(v, TokenForge.rs256(rsa1, admin().build())));
    }

    @Test
    void mixedFileKeepsOnlyTheKeysOfThePinnedAlgorithm() {
        JWKSet usable = JwksFile.load(jwks(rsa1, ec1, rsa2), TokenAlgorithm.ES256);
        assertEquals(List.of("ec-1"), usable.getKeys().stream().map(JWK::getKeyID).toList());
    }

    // --- the file ------------------------------------------------------------------------------------------

    @Test
    void privateKeysInTheFileAreReducedToTheirPublicHalves() throws Exception {
        Path file = write(new JWKSet(List.of(rsa1)).toString(false)); // includes the private key
        JWKSet usable = JwksFile.load(file, TokenAlgorithm.RS256);
        assertFalse(usable.getKeys().get(0).isPrivate());
        assertEquals(Role.ADMIN, verifier(TokenAlgorithm.RS256, file).verify(TokenForge.rs256(rsa1, admin().build())).role());
    }

    @Test
    void missingFileNamesTheSettingAndTheFile() {
        Path absent = dir.resolve("nope.json");
        ConfigException e = assertThrows(ConfigException.class, () -> JwksFile.load(absent, TokenAlgorithm.RS256));
        assertTrue(e.getMessage().contains("ATLAS_JWKS_FILE"), e.getMessage());
        assertTrue(e.getMessage().contains(absent.toString()), e.getMessage());
    }

    @Test
    void notAJwkSet() {
        Path file = write("{\"n\": \"not a key set\"");
        ConfigException e = assertThrows(ConfigException.class, () -> JwksFile.load(file, TokenAlgorithm.RS256));
        assertTrue(e.getMessage().contains("ATLAS_JWKS_FILE"), e.getMessage());
        assertTrue(e.getMessage().contains("not a JWK set"), e.getMessage());
    }

    @Test
    void noKeyForTheAlgorithm() throws Exception {
        ConfigException e = assertThrows(ConfigException.class, () -> JwksFile.load(jwks(ec1), TokenAlgorithm.RS256));
        assertTrue(e.getMessage().contains("RS256"), e.getMessage());
        ECKey p384 = new ECKeyGenerator(Curve.P_384).generate();
        e = assertThrows(ConfigException.class, () -> JwksFile.load(jwks(p384), TokenAlgorithm.ES256));
        assertTrue(e.getMessage().contains("P-256"), e.getMessage());
    }

    @Test
    void weakRsaKeysAreNotUsed() throws Exception {
        RSAKey weak = new RSAKeyGenerator(1024, true).generate();
        ConfigException e = assertThrows(ConfigException.class, () -> JwksFile.load(jwks(weak), TokenAlgorithm.RS256));
        assertTrue(e.getMessage().contains("2048"), e.getMessage());
    }

    @Test
    void encryptionKeysAndKeysForOtherAlgorithmsAreNotUsed() throws Exception {
        RSAKey enc = new RSAKeyGenerator(2048).keyUse(KeyUse.ENCRYPTION).generate();
        RSAKey ps = new RSAKeyGenerator(2048).algorithm(JWSAlgorithm.PS256).generate();
        assertThrows(ConfigException.class, () -> JwksFile.load(jwks(enc, ps), TokenAlgorithm.RS256));
    }

    @Test
    void publicFactoryReadsTheFile() throws Exception {
        TokenVerifier v = TokenVerifier.jwks(jwks(ec1), TokenAlgorithm.ES256, TokenPolicy.defaults());
        assertEquals(TokenAlgorithm.ES256, v.algorithm());
        assertThrows(IllegalArgumentException.class,
                () -> TokenVerifier.jwks(new JWKSet(), TokenAlgorithm.HS256, TokenPolicy.defaults(), CLOCK));
    }
}
