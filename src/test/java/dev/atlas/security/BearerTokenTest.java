package dev.atlas.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.atlas.security.AuthenticationException.Reason;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Authorization header parsing and the 401 challenge. */
class BearerTokenTest {
    private static final String TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYWRtaW4ifQ.c2lnbmF0dXJl";

    @Test
    void bearerHeader() {
        assertEquals(Optional.of(TOKEN), BearerToken.fromAuthorizationHeader("Bearer " + TOKEN));
        assertEquals(Optional.of(TOKEN), BearerToken.fromAuthorizationHeader("bearer " + TOKEN));
        assertEquals(Optional.of(TOKEN), BearerToken.fromAuthorizationHeader("BEARER   " + TOKEN + " "));
        assertEquals(Optional.of("abc+/=="), BearerToken.fromAuthorizationHeader("Bearer abc+/=="));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer a b", "Bearer \"quoted\"",
            "Bearertoken", "Token abc", "Bearer abc\r\nX-Injected: 1"})
    void notABearerToken(String header) {
        assertEquals(Optional.empty(), BearerToken.fromAuthorizationHeader(header));
    }

    @Test
    void noHeader() {
        assertEquals(Optional.empty(), BearerToken.fromAuthorizationHeader(null));
    }

    @Test
    void challengeWithoutToken() {
        assertEquals("Bearer realm=\"atlas\"", BearerToken.challenge(null));
        assertEquals("Bearer realm=\"atlas\"", BearerToken.challenge(new AuthenticationException(Reason.MISSING)));
    }

    @Test
    void challengeForABadToken() {
        assertEquals("Bearer realm=\"atlas\", error=\"invalid_token\", error_description=\"token has expired\"",
                BearerToken.challenge(new AuthenticationException(Reason.EXPIRED)));
    }

    @ParameterizedTest
    @EnumSource(Reason.class)
    void reasonsNeedNoEscapingInAQuotedString(Reason r) {
        assertFalse(r.message().contains("\""), r.name());
        assertFalse(r.message().contains("\\"), r.name());
    }
}
