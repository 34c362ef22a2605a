package dev.atlas.security;

/**
 * Whether an agent's wallet has been deactivated on the roster: {@link Authenticator} then refuses that agent's
 * tokens, minted or from a wallet sign-in, still unexpired. Implemented by the roster ({@code agent.AgentService});
 * implementations are thread-safe.
 */
public interface WalletStatus {
    /** True only for a wallet (lower-case) that is on the roster and inactive; an unknown wallet is not deactivated. */
    boolean deactivated(String wallet);
}
