package dev.atlas.security;

import java.util.Locale;
import java.util.Optional;

/**
 * What a caller may do: an {@link #ADMIN} manages every task; an {@link #AGENT} sees and works on the tasks
 * assigned to its wallet. The token's {@code role} claim holds {@link #claim()}. Immutable; thread-safe.
 */
public enum Role {
    ADMIN,
    AGENT;

    /** The value of the {@code role} claim: {@code admin} or {@code agent}. */
    public String claim() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The role a {@code role} claim names, exactly ({@code admin} or {@code agent}, lower-case); empty for
     * anything else, including null. Exact on purpose: a claim is written by a token issuer, not typed by a
     * person, so a near miss is a misconfigured issuer worth hearing about.
     */
    public static Optional<Role> fromClaim(String claim) {
        for (Role r : values()) {
            if (r.claim().equals(claim)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
