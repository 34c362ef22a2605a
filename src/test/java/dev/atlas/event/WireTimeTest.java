package dev.atlas.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.time.OffsetDateTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WireTimeTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            // whole second: Instant.toString() would print 2026-11-25T18:00:00Z
            "2026-11-25T18:00:00Z,           2026-11-25T18:00:00.000Z",
            "2026-11-25T18:00:00.1Z,         2026-11-25T18:00:00.100Z",
            "2026-11-25T18:00:00.01Z,        2026-11-25T18:00:00.010Z",
            "2026-11-25T18:00:00.001Z,       2026-11-25T18:00:00.001Z",
            "2026-11-25T18:00:00.999Z,       2026-11-25T18:00:00.999Z",
            // below a millisecond is cut, never rounded up (JavaScript Dates hold whole milliseconds)
            "2026-11-25T18:00:00.000999Z,    2026-11-25T18:00:00.000Z",
            "2026-11-25T18:00:00.123456789Z, 2026-11-25T18:00:00.123Z",
            "2026-11-25T23:59:59.999999999Z, 2026-11-25T23:59:59.999Z",
            "1970-01-01T00:00:00Z,           1970-01-01T00:00:00.000Z",
            "1969-12-31T23:59:59.999Z,       1969-12-31T23:59:59.999Z",
            "2024-02-29T00:00:00Z,           2024-02-29T00:00:00.000Z",
            "0001-01-01T00:00:00Z,           0001-01-01T00:00:00.000Z",
            "9999-12-31T23:59:59.999Z,       9999-12-31T23:59:59.999Z"})
    void format(String instant, String expected) {
        assertEquals(expected, WireTime.format(Instant.parse(instant)));
    }

    @Test
    void alwaysUtcWhateverTheOffsetItCameFrom() {
        Instant t = OffsetDateTime.parse("2026-11-25T20:00:00.5+02:00").toInstant();
        assertEquals("2026-11-25T18:00:00.500Z", WireTime.format(t));
    }

    @Test
    void nullIsNull() {
        assertNull(WireTime.format(null));
        assertNull(WireTime.formatMillis(null));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "0,             1970-01-01T00:00:00.000Z",
            "-1,            1969-12-31T23:59:59.999Z",
            "1,             1970-01-01T00:00:00.001Z",
            "1795629600000, 2026-11-25T18:00:00.000Z",
            "1795629600042, 2026-11-25T18:00:00.042Z"})
    void formatMillis(long millis, String expected) {
        assertEquals(expected, WireTime.formatMillis(millis));
        assertEquals(expected, WireTime.format(Instant.ofEpochMilli(millis)));
    }

    /** What it prints by hand (years 0000–9999) is what the ISO instant formatter prints, and so is the rest. */
    @Test
    void agreesWithTheIsoInstantFormatterEverywhere() {
        java.time.format.DateTimeFormatter iso = new java.time.format.DateTimeFormatterBuilder().appendInstant(3).toFormatter();
        java.util.Random random = new java.util.Random(8601);
        long min = Instant.parse("-1000-01-01T00:00:00Z").toEpochMilli();
        long max = Instant.parse("+12000-01-01T00:00:00Z").toEpochMilli();
        java.util.List<Instant> cases = new java.util.ArrayList<>(java.util.List.of(Instant.MIN, Instant.MAX, Instant.EPOCH,
                Instant.parse("0000-01-01T00:00:00Z"), Instant.parse("0000-01-01T00:00:00Z").minusNanos(1),
                Instant.parse("9999-12-31T23:59:59.999999999Z"), Instant.parse("9999-12-31T23:59:59.999999999Z").plusNanos(1),
                Instant.ofEpochMilli(Long.MIN_VALUE), Instant.ofEpochMilli(Long.MAX_VALUE), Instant.ofEpochSecond(-1, 999_999_999)));
        for (int i = 0; i < 100_000; i++) {
            cases.add(Instant.ofEpochMilli(min + (long) (random.nextDouble() * (max - min))));
            cases.add(Instant.ofEpochSecond(random.nextInt(), random.nextInt(1_000_000_000)));
        }
        for (Instant t : cases) {
            assertEquals(iso.format(t), WireTime.format(t), t::toString);
            if (t.getEpochSecond() > Long.MIN_VALUE / 1000 + 1 && t.getEpochSecond() < Long.MAX_VALUE / 1000 - 1) {
                long ms = t.toEpochMilli();
                assertEquals(iso.format(Instant.ofEpochMilli(ms)), WireTime.formatMillis(ms), t::toString);
            }
        }
    }

    @Test
    void roundTripsThroughInstantParse() {
        Instant t = Instant.parse("2026-11-25T18:00:00.042Z");
        assertEquals(t, Instant.parse(WireTime.format(t)));
    }
}
