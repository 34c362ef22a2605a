package dev.atlas.security;

import java.util.Objects;

/**
 * A token was refused. The message is the {@link Reason}'s fixed text: it never contains the token or a
 * value copied out of it, so it may be logged, sent in a {@code WWW-Authenticate} header or used as a
 * WebSocket close reason (all fit in the 123 bytes a close reason allows).
 *
 * <p>No cause and no stack trace are recorded: the cause would be a library exception whose message is not
 * under our control, and a flood of bad tokens should not cost a stack walk each. Immutable; thread-safe.
 */
public final class AuthenticationException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why a token was refused; one label per rule, e.g. for a metric or a test. */
    public enum Reason {
        MISSING("no bearer token"),
        MALFORMED("token is not a well-formed JWT"),
        UNSIGNED("unsigned tokens (alg none) are not accepted"),
        ENCRYPTED("encrypted tokens are not accepted"),
        WRONG_ALGORITHM("token algorithm is not the configured one"),
        WRONG_TYPE("token type (typ) is not accepted"),
        UNKNOWN_KEY("no configured key matches the token"),
        BAD_SIGNATURE("token signature is invalid"),
        MISSING_EXPIRY("token has no expiry (exp)"),
        EXPIRED("token has expired"),
        NOT_YET_VALID("token is not valid yet (nbf)"),
        ISSUED_IN_FUTURE("token is issued in the future (iat)"),
        WRONG_ISSUER("token issuer is not accepted"),
        WRONG_AUDIENCE("token audience is not accepted"),
        BAD_ROLE("token role must be admin or agent"),
        BAD_WALLET("agent token needs a valid wallet claim"),
        INVALID_CLAIMS("token claims are not acceptable"),
        DEACTIVATED_AGENT("the token's agent is deactivated");

        private final String message;

        Reason(String message) {
            this.message = message;
        }

        /** Fixed, human-readable text; safe to show and log. */
        public String message() {
            return message;
        }
    }

    private final Reason reason;

    public AuthenticationException(Reason reason) {
        super(Objects.requireNonNull(reason, "reason").message(), null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
