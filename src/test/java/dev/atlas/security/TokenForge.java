package dev.atlas.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;

/**
 * Builds test tokens the way an honest issuer or an attacker would, with nimbus (or by hand for
 * {@code alg: none}). All times are relative to the fixed {@link #NOW}.
 */
final class TokenForge {
    /** 64 bytes, so the same secret can also sign HS384 and HS512 tokens (the wrong-algorithm attack). */
    static final byte[] SECRET = "atlas-test-secret-0123456789abcdef-0123456789abcdef-0123456789ab"
            .getBytes(StandardCharsets.UTF_8);
    static final String WALLET = "0x52908400098527886E0F7030069857D2E4169EE7";
    static final Instant NOW = Instant.parse("2026-11-25T18:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private TokenForge() {
    }

    static Date at(Duration fromNow) {
        return Date.from(NOW.plus(fromNow));
    }

    static JWTClaimsSet.Builder agent() {
        return new JWTClaimsSet.Builder()
                .subject("alice")
                .claim("role", "agent")
                .claim("wallet", WALLET)
                .issueTime(Date.from(NOW))
                .expirationTime(at(Duration.ofHours(1)));
    }

    static JWTClaimsSet.Builder admin() {
        return new JWTClaimsSet.Builder()
                .subject("root")
                .claim("role", "admin")
                .issueTime(Date.from(NOW))
                .expirationTime(at(Duration.ofHours(1)));
    }

    static String hs256(JWTClaimsSet claims) {
        return hmac(JWSAlgorithm.HS256, SECRET, claims);
    }

    static String hmac(JWSAlgorithm alg, byte[] secret, JWTClaimsSet claims) {
        return sign(new JWSHeader.Builder(alg).build(), claims, secret);
    }

    static String sign(JWSHeader header, JWTClaimsSet claims, byte[] hmacSecret) {
        try {
            SignedJWT jwt = new SignedJWT(header, claims);
            jwt.sign(new MACSigner(hmacSecret));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** RS256 with the key's kid in the header (when it has one). */
    static String rs256(RSAKey key, JWTClaimsSet claims) {
        return rsa(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), key, claims);
    }

    static String rsa(JWSHeader header, RSAKey key, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(header, claims);
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** ES256 with the key's kid in the header (when it has one). */
    static String es256(ECKey key, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(), claims);
            jwt.sign(new ECDSASigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static String withType(JOSEObjectType typ, JWTClaimsSet claims) {
        return sign(new JWSHeader.Builder(JWSAlgorithm.HS256).type(typ).build(), claims, SECRET);
    }

    /** A compact token assembled by hand from raw JSON: what an attacker sends, no library in the way. */
    static String raw(String headerJson, String payloadJson, String signature) {
        return b64(headerJson) + "." + b64(payloadJson) + "." + signature;
    }

    static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
