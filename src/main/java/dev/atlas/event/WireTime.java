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
        if (t == null) {
            return null;
        }
        if (t.getEpochSecond() < MIN_DAY * 86_400L || t.getEpochSecond() > MAX_DAY * 86_400L + 86_399L) {
            return FORMAT.format(t); // far from now, and beyond what epoch milliseconds can hold
        }
        // whole milliseconds, cut (not rounded) as the formatter does
        return print(t.getEpochSecond() * 1000L + t.getNano() / 1_000_000);
    }

    public static String formatMillis(Long epochMillis) {
        return epochMillis == null ? null : print(epochMillis);
    }

    /**
     * Years 0000–9999 written out digit by digit (five timestamps per task view, one per envelope: the formatter's
     * field-by-field printing was ~1 % of a REST request's CPU, docs/benchmarks.md, tenth session); any other year
     * through the formatter, which writes its sign and extra digits. {@code WireTimeTest} checks both agree.
     */
    private static String print(long epochMillis) {
        long seconds = Math.floorDiv(epochMillis, 1000L);
        int millis = (int) Math.floorMod(epochMillis, 1000L);
        long days = Math.floorDiv(seconds, 86_400L);
        int secondOfDay = (int) Math.floorMod(seconds, 86_400L);
        if (days < MIN_DAY || days > MAX_DAY) {
            return FORMAT.format(Instant.ofEpochMilli(epochMillis));
        }
        java.time.LocalDate date = java.time.LocalDate.ofEpochDay(days);
        byte[] b = new byte[24];
        digits(b, 0, date.getYear(), 4);
        b[4] = '-';
        digits(b, 5, date.getMonthValue(), 2);
        b[7] = '-';
        digits(b, 8, date.getDayOfMonth(), 2);
        b[10] = 'T';
        digits(b, 11, secondOfDay / 3600, 2);
        b[13] = ':';
        digits(b, 14, secondOfDay / 60 % 60, 2);
        b[16] = ':';
        digits(b, 17, secondOfDay % 60, 2);
        b[19] = '.';
        digits(b, 20, millis, 3);
        b[23] = 'Z';
        return new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static final long MIN_DAY = java.time.LocalDate.of(0, 1, 1).toEpochDay();
    private static final long MAX_DAY = java.time.LocalDate.of(9999, 12, 31).toEpochDay();

    private static void digits(byte[] b, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            b[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
    }
}
