package dev.atlas.security;

import static dev.atlas.security.TokenForge.NOW;
import static dev.atlas.security.TokenForge.SECRET;
import static dev.atlas.security.TokenForge.admin;
import static dev.atlas.security.TokenForge.at;
import static dev.atlas.security.TokenForge.hs256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.atlas.security.AuthenticationException.Reason;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The verifier remembers tokens it verified, but never past their expiry nor for another token text. */
class TokenVerifierMemoryTest {
    /** A clock the test moves. */
    private static final class MovingClock extends Clock {
        private Instant now = NOW;

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final MovingClock clock = new MovingClock();
    private final TokenVerifier verifier = TokenVerifier.hs256(SECRET, TokenPolicy.defaults().withClockSkew(Duration.ZERO), clock);

    @Test
    void aRememberedTokenIsAnsweredFromMemoryUntilItExpires() throws Exception {
        String token = hs256(admin().expirationTime(at(Duration.ofSeconds(30))).build());
        Principal first = verifier.verify(token);
        assertSame(first, verifier.verify(token), "second use answered from memory");
        clock.now = NOW.plusSeconds(29);
        assertSame(first, verifier.verify(token));
        clock.now = NOW.plusSeconds(31);
        AuthenticationException e = assertThrows(AuthenticationException.class, () -> verifier.verify(token));
        assertEquals(Reason.EXPIRED, e.reason(), "past exp it is verified again, and refused");
    }

    @Test
    void aRememberedTokenIsVerifiedAgainAfterAMinute() throws Exception {
        String token = hs256(admin().expirationTime(at(Duration.ofHours(1))).build());
        Principal first = verifier.verify(token);
        clock.now = NOW.plusMillis(TokenVerifier.REMEMBER_MILLIS + 1);
        Principal again = verifier.verify(token);
        assertEquals(first, again);
        assertEquals(false, first == again, "verified afresh, not from memory");
    }

    @Test
    void anotherSignatureOrPayloadIsNeverTakenFromMemory() throws Exception {
        String token = hs256(admin().expirationTime(at(Duration.ofHours(1))).build());
        verifier.verify(token);
        String badSignature = token.substring(0, token.length() - 2) + (token.endsWith("AA") ? "BB" : "AA");
        assertEquals(Reason.BAD_SIGNATURE,
                assertThrows(AuthenticationException.class, () -> verifier.verify(badSignature)).reason());
        String[] parts = token.split("\\.");
        String otherPayload = parts[0] + "." + TokenForge.b64("{\"role\":\"admin\",\"sub\":\"mallory\",\"exp\":"
                + (NOW.getEpochSecond() + 3600) + "}") + "." + parts[2];
        assertEquals(Reason.BAD_SIGNATURE,
                assertThrows(AuthenticationException.class, () -> verifier.verify(otherPayload)).reason());
    }

    @Test
    void aClockThatGoesBackVerifiesAgain() throws Exception {
        String token = hs256(admin().issueTime(null).notBeforeTime(at(Duration.ofSeconds(-5))).expirationTime(at(Duration.ofHours(1))).build());
        verifier.verify(token);
        clock.now = NOW.minusSeconds(10);
        assertEquals(Reason.NOT_YET_VALID,
                assertThrows(AuthenticationException.class, () -> verifier.verify(token)).reason());
    }
}
