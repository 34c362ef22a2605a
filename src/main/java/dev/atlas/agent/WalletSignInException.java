package dev.atlas.agent;

import java.util.Locale;

/** A refused wallet sign-in, with its reason (answered as 401, or 403 for a wallet that is not an active agent). */
public class WalletSignInException extends RuntimeException {
    /** Why a sign-in was refused; the lower-case name is the {@code reason} tag of the refusal counter. */
    public enum Reason {
        MALFORMED_MESSAGE(401), WRONG_DOMAIN(401), WRONG_URI(401), WRONG_CHAIN(401), UNKNOWN_NONCE(401),
        EXPIRED_NONCE(401), EXPIRED_MESSAGE(401), NOT_YET_VALID(401), FUTURE_ISSUED_AT(401), BAD_CHECKSUM(401),
        MALFORMED_SIGNATURE(401), CONTRACT_WALLET(401), WRONG_SIGNER(401), UNKNOWN_AGENT(403), INACTIVE_AGENT(403);

        private final int status;

        Reason(int status) {
            this.status = status;
        }

        public int status() {
            return status;
        }

        /** The problem type slug and metric tag, e.g. {@code wrong-domain}. */
        public String slug() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final Reason reason;

    public WalletSignInException(Reason reason, String detail) {
        super(detail);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
