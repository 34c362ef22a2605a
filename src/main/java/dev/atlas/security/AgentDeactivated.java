package dev.atlas.security;

/**
 * CDI event fired after an agent's deactivation committed: the push side closes the wallet's open sessions
 * (1008). {@code wallet} is lower-case. In {@code security} because the push side may not know the roster.
 */
public record AgentDeactivated(String wallet) {
}
