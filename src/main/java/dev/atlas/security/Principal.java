package dev.atlas.security;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * An authenticated caller, as a verified token describes it. Immutable; thread-safe.
 *
 * <p>Implements {@link java.security.Principal} so that it can be returned from a JAX-RS
 * {@code SecurityContext} as is.
 *
 * @param subject   the token's {@code sub}, for logs; may be null (the claim is optional)
 * @param role      what the caller may do
 * @param wallet    for an agent, its wallet address, lower-case; null for an admin
 * @param expiresAt when the token expires ({@code exp}): a long-lived session must end or re-authenticate by then
 */
public record Principal(String subject, Role role, String wallet, Instant expiresAt) implements java.security.Principal {

    public Principal {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(expiresAt, "expiresAt");
        if (role == Role.AGENT) {
            Objects.requireNonNull(wallet, "an agent has a wallet");
            if (!wallet.equals(wallet.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("wallet must be lower-case");
            }
        } else if (wallet != null) {
            throw new IllegalArgumentException("an admin has no wallet");
        }
    }

    public boolean isAdmin() {
        return role == Role.ADMIN;
    }

    /**
     * Whether this caller may see a task assigned to {@code agentWallet} (null: unassigned). Admins see every
     * task; an agent only those assigned to its own wallet, compared case-insensitively because stored and
     * client-supplied addresses may differ in case (checksummed addresses are mixed-case).
     */
    public boolean maySee(String agentWallet) {
        return isAdmin() || (agentWallet != null && wallet.equalsIgnoreCase(agentWallet));
    }

    /** A name for logs: the subject when the token has one, otherwise the wallet, otherwise {@code admin}. */
    @Override
    public String getName() {
        if (subject != null) {
            return subject;
        }
        return wallet != null ? wallet : role.claim();
    }
}
