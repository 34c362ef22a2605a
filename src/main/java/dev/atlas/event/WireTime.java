package dev.atlas.event;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;

/**
 * Timestamps as JavaScript's {@code Date.toISOString()} prints them: UTC, exactly three fraction digits
 * ({@code 2026-11-25T18:00:00.000Z}). {@link Instant#toString()} drops zero fractions, so it is not used.
 */
public final class WireTime {
    /**
     * ISO-8601 instant with exactly three fraction digits. Not {@code ofPattern("…ss.SSS'Z'")}: its fraction printer
     * goes through a {@code BigDecimal} per call, and this runs for every task view and every envelope.
     */
    private static final DateTimeFormatter FORMAT = new DateTimeFormatterBuilder().appendInstant(3).toFormatter();

    private WireTime() {
    }

    public static String format(Instant t) {
        return t == null ? null : FORMAT.format(t);
    }

    public static String formatMillis(Long epochMillis) {
        return epochMillis == null ? null : FORMAT.format(Instant.ofEpochMilli(epochMillis));
    }
}
