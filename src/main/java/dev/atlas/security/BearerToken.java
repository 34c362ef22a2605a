package dev.atlas.security;

import java.util.Optional;

/**
 * The HTTP side of bearer tokens (RFC 6750), shared by the REST filter and the WebSocket handshake: reading
 * the token out of an {@code Authorization} header, and the {@code WWW-Authenticate} value of a 401.
 * Static functions; thread-safe.
 */
public final class BearerToken {
    /** The realm named in challenges. */
    public static final String REALM = "atlas";

    private static final String SCHEME = "bearer";

    private BearerToken() {
    }

    /**
     * The token of an {@code Authorization: Bearer …} header; empty when the header is absent, uses another
     * scheme, or carries no well-formed token.
     */
    public static Optional<String> fromAuthorizationHeader(String header) {
        // RFC 7235: the scheme is case-insensitive; RFC 6750 §2.1: "Bearer" 1*SP b64token, b64token being
        // 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=". Trailing spaces are allowed. Scanned by hand:
        // as the regular expression "(?i)bearer +([A-Za-z0-9\-._~+/]+=*) *" it cost ~2 % of a REST request's CPU
        // (docs/benchmarks.md, tenth session); BearerTokenTest checks the two agree.
        if (header == null || header.length() <= SCHEME.length()) {
            return Optional.empty();
        }
        for (int i = 0; i < SCHEME.length(); i++) {
            char c = header.charAt(i);
            if (c != SCHEME.charAt(i) && c != Character.toUpperCase(SCHEME.charAt(i))) {
                return Optional.empty(); // ASCII letters only: no Unicode case folding, as the header is ASCII
            }
        }
        int n = header.length();
        int i = SCHEME.length();
        if (header.charAt(i) != ' ') {
            return Optional.empty();
        }
        while (i < n && header.charAt(i) == ' ') {
            i++;
        }
        int start = i;
        while (i < n && isTokenChar(header.charAt(i))) {
            i++;
        }
        if (i == start) {
            return Optional.empty();
        }
        while (i < n && header.charAt(i) == '=') {
            i++;
        }
        int end = i;
        while (i < n && header.charAt(i) == ' ') {
            i++;
        }
        return i == n ? Optional.of(header.substring(start, end)) : Optional.empty();
    }

    private static boolean isTokenChar(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
    }

    /**
     * The {@code WWW-Authenticate} value for a 401. Without a token (null, or reason {@code MISSING}) it names
     * the scheme and realm only, as RFC 6750 §3.1 asks; otherwise it adds {@code error="invalid_token"} and the
     * reason's fixed text, which never contains the token and needs no escaping.
     */
    public static String challenge(AuthenticationException failure) {
        String base = "Bearer realm=\"" + REALM + "\"";
        if (failure == null || failure.reason() == AuthenticationException.Reason.MISSING) {
            return base;
        }
        return base + ", error=\"invalid_token\", error_description=\"" + failure.reason().message() + "\"";
    }
}
