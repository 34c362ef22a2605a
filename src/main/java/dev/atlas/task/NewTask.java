package dev.atlas.task;

import java.time.Instant;

/**
 * What a caller asks to create, before validation (the service validates and normalizes it).
 * {@code priority} null means {@code normal}.
 */
public record NewTask(String title, String description, String agentWallet, Priority priority, Instant dueAt) {
}
