package dev.atlas.push.socketio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Session ids: URL-safe, fixed length, unique, and recognisable before any lookup. */
class SidsTest {
    private static final Pattern URL_SAFE = Pattern.compile("[A-Za-z0-9_-]{24}");

    @Test
    void idsAre24UrlSafeCharacters() {
        for (int i = 0; i < 1_000; i++) {
            String sid = Sids.next();
            assertEquals(Sids.LENGTH, sid.length());
            assertTrue(URL_SAFE.matcher(sid).matches(), sid);
        }
    }

    @Test
    void idsDoNotRepeat() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            assertTrue(seen.add(Sids.next()));
        }
    }

    @Test
    void idsShareNoPrefix() {
        // a counter or timestamp would show up as a common prefix across consecutive ids
        Set<String> prefixes = new HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            prefixes.add(Sids.next().substring(0, 4));
        }
        assertTrue(prefixes.size() > 990, "distinct 4-character prefixes: " + prefixes.size());
    }

    @Test
    void generatedIdsAreWellFormed() {
        assertTrue(Sids.isWellFormed(Sids.next()));
        assertTrue(Sids.isWellFormed("abcdefghijklmnopqrstuv-_"));
    }

    @Test
    void junkIsNotWellFormed() {
        assertFalse(Sids.isWellFormed(null));
        assertFalse(Sids.isWellFormed(""));
        assertFalse(Sids.isWellFormed("test"));
        assertFalse(Sids.isWellFormed("abcdefghijklmnopqrstuvw"));
        assertFalse(Sids.isWellFormed("abcdefghijklmnopqrstuvwxy"));
        assertFalse(Sids.isWellFormed("abcdefghijklmnopqrstuv+/"));
        assertFalse(Sids.isWellFormed("abcdefghijklmnopqrstuv=="));
        assertFalse(Sids.isWellFormed("abcdefghijklmnopqrstu\"<>"));
        assertFalse(Sids.isWellFormed("abcdefghijklmnopqrstuvé1"));
    }
}
