package dev.atlas.event;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Timestamps as JavaScript's {@code Date.toISOString()} prints them: UTC, exactly three fraction digits
 * ({@code 2026-11-25T18:00:00.000Z}). {@link Instant#toString()} drops zero fractions, so it is not used.
 */
public final class WireTime {
    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private WireTime() {
    }

    public static String format(Instant t) {
        return t == null ? null : FORMAT.format(t);
    }

    public static String formatMillis(Long epochMillis) {
        return epochMillis == null ? null : FORMAT.format(Instant.ofEpochMilli(epochMillis));
    }
}
