package dev.atlas.security;

import static dev.atlas.security.TokenForge.CLOCK;
import static dev.atlas.security.TokenForge.NOW;
import static dev.atlas.security.TokenForge.SECRET;
import static dev.atlas.security.TokenForge.WALLET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.atlas.security.AuthenticationException.Reason;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Minted tokens carry exactly the claims the verifier needs, and the verifier with the same secret accepts them. */
class TokenMinterTest {
    private final TokenMinter minter = TokenMinter.hs256(SECRET, TokenPolicy.defaults(), CLOCK);
    private final TokenVerifier verifier = TokenVerifier.hs256(SECRET, TokenPolicy.defaults(), CLOCK);

    @Test
    void adminRoundTrip() throws Exception {
        Principal p = verifier.verify(minter.admin("root", Duration.ofHours(8)));
        assertEquals(new Principal("root", Role.ADMIN, null, NOW.plus(Duration.ofHours(8))), p);
    }

    @Test
    void agentRoundTripWithLowerCaseWallet() throws Exception {
        String token = minter.agent(WALLET, "alice", Duration.ofMinutes(30));
        assertEquals(new Principal("alice", Role.AGENT, WALLET.toLowerCase(), NOW.plus(Duration.ofMinutes(30))),
                verifier.verify(token));
        JWTClaimsSet claims = SignedJWT.parse(token).getJWTClaimsSet();
        assertEquals(WALLET.toLowerCase(), claims.getStringClaim("wallet"));
    }

    @Test
    void headerAndTimes() throws Exception {
        SignedJWT jwt = SignedJWT.parse(minter.admin(null, Duration.ofHours(1)));
        assertEquals(JWSAlgorithm.HS256, jwt.getHeader().getAlgorithm());
        assertEquals(JOSEObjectType.JWT, jwt.getHeader().getType());
        JWTClaimsSet claims = jwt.getJWTClaimsSet();
        assertEquals(Date.from(NOW), claims.getIssueTime());
        assertEquals(Date.from(NOW.plus(Duration.ofHours(1))), claims.getExpirationTime());
        assertNull(claims.getSubject());
        assertNull(claims.getIssuer());
        assertEquals(List.of(), claims.getAudience());
        assertFalse(claims.getClaims().containsKey("wallet"));
    }

    @Test
    void issuerAndAudienceFromThePolicy() throws Exception {
        TokenPolicy policy = TokenPolicy.defaults().withIssuer("https://id.example").withAudience("atlas");
        String token = TokenMinter.hs256(SECRET, policy, CLOCK).admin("root", Duration.ofHours(1));
        JWTClaimsSet claims = SignedJWT.parse(token).getJWTClaimsSet();
        assertEquals("https://id.example", claims.getIssuer());
        assertEquals(List.of("atlas"), claims.getAudience());
        assertEquals(Role.ADMIN, TokenVerifier.hs256(SECRET, policy, CLOCK).verify(token).role());
    }

    @Test
    void mintedTokensExpire() {
        String token = minter.admin(null, Duration.ofMinutes(10));
        Clock later = Clock.fixed(NOW.plus(Duration.ofMinutes(10)).plusSeconds(61), ZoneOffset.UTC);
        AuthenticationException e = assertThrows(AuthenticationException.class,
                () -> TokenVerifier.hs256(SECRET, TokenPolicy.defaults(), later).verify(token));
        assertEquals(Reason.EXPIRED, e.reason());
    }

    @Test
    void badInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> minter.agent("0x123", "alice", Duration.ofHours(1)));
        assertThrows(IllegalArgumentException.class, () -> minter.agent(null, "alice", Duration.ofHours(1)));
        assertThrows(IllegalArgumentException.class, () -> minter.admin(null, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> minter.admin(null, Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> minter.admin(null, TokenMinter.MAX_TTL.plusSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> TokenMinter.hs256(new byte[31], TokenPolicy.defaults()));
    }
}
