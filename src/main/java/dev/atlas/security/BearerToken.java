package dev.atlas.security;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HTTP side of bearer tokens (RFC 6750), shared by the REST filter and the WebSocket handshake: reading
 * the token out of an {@code Authorization} header, and the {@code WWW-Authenticate} value of a 401.
 * Static functions; thread-safe.
 */
public final class BearerToken {
    /** The realm named in challenges. */
    public static final String REALM = "atlas";

    // RFC 7235: the scheme is case-insensitive; RFC 6750 §2.1: "Bearer" 1*SP b64token
    private static final Pattern HEADER = Pattern.compile("(?i)bearer +([A-Za-z0-9\\-._~+/]+=*) *");

    private BearerToken() {
    }

    /**
     * The token of an {@code Authorization: Bearer …} header; empty when the header is absent, uses another
     * scheme, or carries no well-formed token.
     */
    public static Optional<String> fromAuthorizationHeader(String header) {
        if (header == null) {
            return Optional.empty();
        }
        Matcher m = HEADER.matcher(header);
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
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
