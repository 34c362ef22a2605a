package dev.atlas.agent;

/**
 * An agent as the API shows it: its wallet (lower-case), display name, whether it is active, and when it was
 * created and last changed (ISO-8601 UTC with milliseconds, as task times).
 */
public record AgentView(String wallet, String displayName, boolean active, String createdAt, String updatedAt) {
}
