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

    /**
     * The rule as a regular expression (what the parser was before it was written out by hand for speed), against the
     * parser, over headers built from the characters that matter: the scheme in every case and with look-alikes
     * (non-ASCII letters that fold to ASCII ones), spaces, tabs, padding, token characters and others.
     */
    @Test
    void agreesWithTheRuleAsARegularExpressionOnGeneratedHeaders() {
        java.util.regex.Pattern rule = java.util.regex.Pattern.compile("(?i)bearer +([A-Za-z0-9\\-._~+/]+=*) *");
        String[] schemes = {"Bearer", "bearer", "BEARER", "bEaReR", "Beare", "Bearerr", "Bearer\t", "Be\u0430rer",
                "\u212Aearer", "Bearer\u00a0", " Bearer", "Basic", ""};
        String pieces = "aZ09-._~+/=  \t\"\\,;:\u00e9\u212A\u017f\r\n";
        java.util.Random random = new java.util.Random(6750);
        for (int i = 0; i < 20_000; i++) {
            StringBuilder h = new StringBuilder(schemes[random.nextInt(schemes.length)]);
            int len = random.nextInt(12);
            for (int k = 0; k < len; k++) {
                h.append(random.nextInt(3) == 0 ? ' ' : pieces.charAt(random.nextInt(pieces.length())));
            }
            String header = h.toString();
            java.util.regex.Matcher m = rule.matcher(header);
            Optional<String> expected = m.matches() ? Optional.of(m.group(1)) : Optional.empty();
            assertEquals(expected, BearerToken.fromAuthorizationHeader(header), "header [" + header + "]");
        }
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
