package dev.atlas.task.api;

import static dev.atlas.task.api.Json.fields;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.task.ValidationException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CursorTest {

    private static String b64(String raw) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.US_ASCII));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 42, 1_000_000_007L, Long.MAX_VALUE})
    void roundTrip(long id) {
        String c = Cursor.encode(id);
        assertTrue(c.matches("[A-Za-z0-9_-]+"), "URL-safe, unpadded: " + c);
        assertEquals(id, Cursor.decode(c));
    }

    @Test
    void noCursor() {
        assertNull(Cursor.encode(null));
        assertNull(Cursor.decode(null));
        assertNull(Cursor.decode(""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"!!!", "not a cursor", "%%%", "a", "YWJj=x", "+/+/"})
    void garbageIsRejected(String cursor) {
        assertRejected(cursor);
    }

    @ParameterizedTest
    @ValueSource(strings = {"hello", "before:", "before:abc", "before:1.5", "before:0x10", "before:5 ",
            "after:5", "BEFORE:5", " before:5", "before:99999999999999999999", "5"})
    void wellEncodedButNotACursorIsRejected(String raw) {
        assertRejected(b64(raw));
    }

    @ParameterizedTest
    @ValueSource(strings = {"before:0", "before:-1", "before:-9223372036854775808"})
    void zeroAndNegativeIdsAreRejected(String raw) {
        assertRejected(b64(raw));
    }

    private static void assertRejected(String cursor) {
        ValidationException e = assertThrows(ValidationException.class, () -> Cursor.decode(cursor));
        assertEquals(List.of("cursor"), fields(e));
    }
}
