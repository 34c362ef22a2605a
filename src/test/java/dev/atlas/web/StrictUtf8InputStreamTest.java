package dev.atlas.web;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The strict UTF-8 check of request bodies: valid text passes unchanged however it is split, anything else is named. */
class StrictUtf8InputStreamTest {
    private static final String TEXT = "{\"title\":\"caf\u00e9 \u4e2d\u6587 \ud83d\ude00 \ud83d\udc69\u200d\ud83d\udc67 e\u0301"
            + " \u05e9\u05dc\u05d5\u05dd \\u0000 \\ud800 \ufeff \uffff \udbff\udfff\"}";

    /** An input stream that hands out at most {@code chunk} bytes per read, so sequences are cut between reads. */
    private static InputStream chunked(byte[] body, int chunk) {
        return new ByteArrayInputStream(body) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, chunk));
            }
        };
    }

    private static byte[] readAll(InputStream in, int readSize) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[readSize];
        for (int n; (n = in.read(buf, 0, buf.length)) >= 0; ) {
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5, 7, 8192})
    void validUtf8PassesUnchangedHoweverTheReadsCutIt(int chunk) throws IOException {
        byte[] body = TEXT.repeat(300).getBytes(StandardCharsets.UTF_8); // > 8 KiB: several fills
        assertArrayEquals(body, readAll(new StrictUtf8InputStream(chunked(body, chunk)), 1 + chunk % 4));
        assertArrayEquals(body, readAll(new StrictUtf8InputStream(chunked(body, chunk)), 10_000));
    }

    @Test
    void singleByteReadsAndSkipsAreCheckedToo() throws IOException {
        byte[] body = TEXT.getBytes(StandardCharsets.UTF_8);
        InputStream in = new StrictUtf8InputStream(chunked(body, 3));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int b; (b = in.read()) >= 0; ) {
            out.write(b);
        }
        assertArrayEquals(body, out.toByteArray());

        InputStream skipping = new StrictUtf8InputStream(new ByteArrayInputStream(hex("61 62 C0 AF")));
        InvalidUtf8Exception e = assertThrows(InvalidUtf8Exception.class, () -> skipping.skip(10));
        assertEquals("an overlong encoding (C0 AF) at offset 2", e.getMessage());
    }

    /** body bytes (hex, after {"t":"), what the exception says. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "C0 AF 22 7D          | an overlong encoding (C0 AF) at offset 6",
            "C1 BF 22 7D          | an overlong encoding (C1 BF) at offset 6",
            "E0 80 AF 22 7D       | an overlong encoding (E0 80 AF) at offset 6",
            "F0 80 80 AF 22 7D    | an overlong encoding (F0 80 80 AF) at offset 6",
            "ED A0 80 22 7D       | an encoded surrogate (UTF-16 halves are not UTF-8) (ED A0 80) at offset 6",
            "ED BF BF 22 7D       | an encoded surrogate (UTF-16 halves are not UTF-8) (ED BF BF) at offset 6",
            "ED A0 BD ED B8 80 7D | an encoded surrogate (UTF-16 halves are not UTF-8) (ED A0 BD) at offset 6",
            "F4 90 80 80 22 7D    | a code point beyond U+10FFFF (F4 90 80 80) at offset 6",
            "F5 80 80 80 22 7D    | a code point beyond U+10FFFF (F5 80 80 80) at offset 6",
            "F8 88 80 80 80 22    | a byte that never occurs in UTF-8 (F8) at offset 6",
            "FF 22 7D             | a byte that never occurs in UTF-8 (FF) at offset 6",
            "FE 22 7D             | a byte that never occurs in UTF-8 (FE) at offset 6",
            "80 22 7D             | a continuation byte without a lead byte (80) at offset 6",
            "61 BF 22 7D          | a continuation byte without a lead byte (BF) at offset 7",
            "E2 82 22 7D          | a sequence cut short (E2 82) at offset 6",
            "F0 9F 98 61 22 7D    | a sequence cut short (F0 9F 98) at offset 6",
            "C3 22 7D             | a sequence cut short (C3) at offset 6",
            "22 7D F0 9F 98       | a sequence cut short by the end of the body (F0 9F 98) at offset 8",
            "22 7D E2             | a sequence cut short by the end of the body (E2) at offset 8",
            "61 00 62 22 7D       | a 00 byte (U+0000 unescaped) at offset 7; JSON text cannot contain it, write \\u0000 inside a string"})
    void invalidBytesAreNamedWithTheirOffsetHoweverTheReadsCutThem(String bytes, String message) {
        byte[] body = concat("7B 22 74 22 3A 22 " + bytes);
        for (int chunk : new int[] {1, 2, 3, 4, 8192}) {
            InvalidUtf8Exception e = assertThrows(InvalidUtf8Exception.class,
                    () -> readAll(new StrictUtf8InputStream(chunked(body, chunk)), 64), "chunk " + chunk);
            assertEquals(message, e.getMessage(), "chunk " + chunk);
        }
    }

    @Test
    void noByteOfTheReadThatHoldsABadSequenceReachesTheReader() throws IOException {
        InputStream in = new StrictUtf8InputStream(new ByteArrayInputStream(hex("7B 22 74 22 3A 22 C0 AF 22 7D")));
        byte[] buf = new byte[64];
        assertThrows(InvalidUtf8Exception.class, () -> in.read(buf, 0, buf.length));
        assertArrayEquals(new byte[64], buf);
    }

    /**
     * Why the check exists: Jackson's own UTF-8 parser takes the overlong {@code C0 AF} as "/" and the encoded
     * surrogate as a lone U+D800, and guesses UTF-16 from zero bytes. Through the stream it gets the exception,
     * unwrapped.
     */
    @Test
    void jacksonAloneAcceptsWhatTheStreamRefuses() throws IOException {
        ObjectMapper json = new ObjectMapper();
        assertEquals("a/b", json.readTree(concat("7B 22 74 22 3A 22 61 C0 AF 62 22 7D")).path("t").textValue());
        assertEquals("\ud800", json.readTree(concat("7B 22 74 22 3A 22 ED A0 80 22 7D")).path("t").textValue());
        JsonNode utf16 = json.readTree("{\"t\":\"x\"}".getBytes(StandardCharsets.UTF_16LE));
        assertEquals("x", utf16.path("t").textValue());

        for (String bad : new String[] {"61 C0 AF 62", "ED A0 80"}) {
            byte[] body = concat("7B 22 74 22 3A 22 " + bad + " 22 7D");
            assertThrows(InvalidUtf8Exception.class, () -> json.readTree(new StrictUtf8InputStream(new ByteArrayInputStream(body))));
        }
        byte[] utf16Body = "{\"t\":\"x\"}".getBytes(StandardCharsets.UTF_16LE);
        assertThrows(InvalidUtf8Exception.class, () -> json.readTree(new StrictUtf8InputStream(new ByteArrayInputStream(utf16Body))));
    }

    private static byte[] concat(String hexBytes) {
        return hex(hexBytes);
    }
}
