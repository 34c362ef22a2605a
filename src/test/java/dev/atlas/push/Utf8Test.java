package dev.atlas.push;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Utf8Test {

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "plain ascii {\"type\":\"ping\"}",
            "\u0000\u007f",                 // 1-byte edges
            "\u0080 caf\u00e9 \u07ff",      // 2-byte: edges and é
            "\u0800 \u2603 \uffff \ue000",  // 3-byte: edges, snowman, private use
            "\ud7ff",                       // last 3-byte code point before the surrogates
            "\uD83D\uDE00",                 // U+1F600: surrogate pair, 4 bytes
            "\uD800\uDC00 \uDBFF\uDFFF",    // first and last supplementary code points
            "a\u00e9\u2603\uD83D\uDE00z"})  // 1 + 2 + 3 + 4 + 1
    void matchesEncodedLengthForWellFormedText(String s) {
        assertEquals(s.getBytes(StandardCharsets.UTF_8).length, Utf8.length(s));
    }

    @Test
    void exactCounts() {
        assertEquals(1, Utf8.length("a"));
        assertEquals(2, Utf8.length("\u00e9"));
        assertEquals(3, Utf8.length("\u2603"));
        assertEquals(4, Utf8.length("\uD83D\uDE00"));
        assertEquals(11, Utf8.length("a\u00e9\u2603\uD83D\uDE00z"));
    }

    @Test
    void worksOnAnyCharSequence() {
        assertEquals(7, Utf8.length(new StringBuilder("ab\u2603\u00e9")));
    }

    /**
     * A lone surrogate is not valid UTF-16, so it has no UTF-8 encoding: {@code getBytes} replaces it with
     * {@code ?} (1 byte), while {@code Utf8.length} counts 3 (the size of a replacement character U+FFFD,
     * or of the surrogate encoded as-is). Over-counting is the safe side for a size limit, and text decoded
     * from a WebSocket frame (which must be valid UTF-8) never contains one.
     */
    @Test
    void loneSurrogateCountsThree() {
        assertEquals(3, Utf8.length("\uD83D"));          // high surrogate alone
        assertEquals(3, Utf8.length("\uDE00"));          // low surrogate alone
        assertEquals(3 + 1, Utf8.length("\uD83Da"));     // high surrogate followed by a non-surrogate
        assertEquals(3 + 3, Utf8.length("\uDE00\uD83D")); // reversed pair: two lone surrogates
        assertEquals(1, "\uD83D".getBytes(StandardCharsets.UTF_8).length);
    }
}
