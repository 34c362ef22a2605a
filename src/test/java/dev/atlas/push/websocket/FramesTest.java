package dev.atlas.push.websocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FramesTest {

    private static byte[] payloadOf(int n) {
        byte[] p = new byte[n];
        new Random(n).nextBytes(p);
        return p;
    }

    private static byte[] header(int... bytes) {
        byte[] h = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            h[i] = (byte) bytes[i];
        }
        return h;
    }

    private static void assertFrame(byte[] expectedHeader, byte[] payload, byte[] frame) {
        assertEquals(expectedHeader.length + payload.length, frame.length);
        assertArrayEquals(expectedHeader, Arrays.copyOf(frame, expectedHeader.length));
        assertArrayEquals(payload, Arrays.copyOfRange(frame, expectedHeader.length, frame.length));
        assertEquals(payload.length, payloadLength(frame));
    }

    @Test
    void textHeaderEmpty() {
        assertFrame(header(0x81, 0), new byte[0], Frames.text(new byte[0]));
    }

    @Test
    void textHeader125IsTwoBytes() {
        byte[] p = payloadOf(125);
        assertFrame(header(0x81, 125), p, Frames.text(p));
    }

    @Test
    void textHeader126IsFourBytes() {
        byte[] p = payloadOf(126);
        assertFrame(header(0x81, 126, 0x00, 0x7E), p, Frames.text(p));
    }

    @Test
    void textHeader65535IsFourBytes() {
        byte[] p = payloadOf(65535);
        assertFrame(header(0x81, 126, 0xFF, 0xFF), p, Frames.text(p));
    }

    @Test
    void textHeader65536IsTenBytes() {
        byte[] p = payloadOf(65536);
        assertFrame(header(0x81, 127, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00), p, Frames.text(p));
    }

    @Test
    void textHeaderLargeLengthBigEndian() {
        byte[] p = payloadOf(0x01_23_45);
        assertFrame(header(0x81, 127, 0, 0, 0, 0, 0x00, 0x01, 0x23, 0x45), p, Frames.text(p));
    }

    @Test
    void textFromStringIsUtf8() {
        String s = "caf\u00e9 \u2603 \uD83D\uDE00";
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        assertFrame(header(0x81, utf8.length), utf8, Frames.text(s));
    }

    @Test
    void textCopiesThePayload() {
        byte[] p = {1, 2, 3};
        byte[] frame = Frames.text(p);
        p[0] = 9;
        assertEquals(1, frame[2]);
        assertNotSame(Frames.text(p), Frames.text(p));
    }

    @Test
    void closeWithCodeAndReason() {
        byte[] frame = Frames.close(1001, "bye");
        assertArrayEquals(header(0x88, 5, 0x03, 0xE9, 'b', 'y', 'e'), frame);
        assertEquals(5, payloadLength(frame));
    }

    @Test
    void closeWithNullReasonHasCodeOnly() {
        assertArrayEquals(header(0x88, 2, 0x0F, 0xA0), Frames.close(4000, null));
        assertArrayEquals(header(0x88, 2, 0x03, 0xE8), Frames.close(1000, ""));
    }

    @Test
    void closeReasonAsciiTruncatedTo123Bytes() {
        byte[] frame = Frames.close(1000, "x".repeat(200));
        assertEquals(127, frame.length);
        assertEquals(125, frame[1]);
        assertEquals(125, payloadLength(frame));
        assertEquals("x".repeat(123), new String(frame, 4, 123, StandardCharsets.UTF_8));
    }

    @Test
    void closeReasonNotSplitInsideTwoByteCharacter() {
        // 200 x 'é' is 400 bytes; 123 would cut the 62nd character in half, so 61 characters (122 bytes) stay
        byte[] frame = Frames.close(1008, "\u00e9".repeat(200));
        assertEquals(2 + 2 + 122, frame.length);
        assertEquals(124, frame[1]);
        assertEquals(0x03, frame[2]);
        assertEquals((byte) 0xF0, frame[3]);
        assertEquals("\u00e9".repeat(61), new String(frame, 4, 122, StandardCharsets.UTF_8));
    }

    @Test
    void closeReasonThreeByteCharactersFillExactly123() {
        byte[] frame = Frames.close(1000, "\u20ac".repeat(50)); // 41 x 3 = 123
        assertEquals("\u20ac".repeat(41), new String(frame, 4, frame.length - 4, StandardCharsets.UTF_8));
        assertEquals(127, frame.length);
    }

    @Test
    void closeReasonNotSplitInsideFourByteCharacter() {
        byte[] frame = Frames.close(1000, "a" + "\uD83D\uDE00".repeat(40)); // 1 + 30 x 4 = 121; a 31st would be 125
        assertEquals("a" + "\uD83D\uDE00".repeat(30), new String(frame, 4, frame.length - 4, StandardCharsets.UTF_8));
        assertEquals(4 + 121, frame.length);
    }

    @Test
    void closeReasonOf123BytesKeptWhole() {
        String reason = "y".repeat(121) + "\u00e9"; // 123 bytes
        byte[] frame = Frames.close(1000, reason);
        assertEquals(reason, new String(frame, 4, frame.length - 4, StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535, -1})
    void closeRefusesCodesThatMayNotBeSent(int code) {
        assertThrows(IllegalArgumentException.class, () -> Frames.close(code, "x"));
    }

    @ParameterizedTest
    @ValueSource(ints = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4999})
    void closeAcceptsSendableCodes(int code) {
        byte[] frame = Frames.close(code, null);
        assertEquals(code, ((frame[2] & 0xFF) << 8) | (frame[3] & 0xFF));
    }

    @Test
    void emptyClose() {
        assertArrayEquals(header(0x88, 0), Frames.emptyClose());
        assertEquals(0, payloadLength(Frames.emptyClose()));
        assertNotSame(Frames.emptyClose(), Frames.emptyClose());
    }

    @Test
    void pingAndPong() {
        byte[] p = {7, 8, 9};
        assertArrayEquals(header(0x89, 3, 7, 8, 9), Frames.ping(p));
        assertArrayEquals(header(0x8A, 3, 7, 8, 9), Frames.pong(p));
        assertArrayEquals(header(0x89, 0), Frames.ping(new byte[0]));
        assertArrayEquals(header(0x8A, 0), Frames.pong(new byte[0]));
    }

    @Test
    void pingAndPongAcceptUpTo125Bytes() {
        byte[] p = payloadOf(125);
        assertFrame(header(0x89, 125), p, Frames.ping(p));
        assertFrame(header(0x8A, 125), p, Frames.pong(p));
        assertThrows(IllegalArgumentException.class, () -> Frames.ping(new byte[126]));
        assertThrows(IllegalArgumentException.class, () -> Frames.pong(new byte[126]));
    }

    @Test
    void serverFramesAreUnmaskedWithFinAndNoRsv() {
        for (byte[] f : new byte[][] {Frames.text("hi"), Frames.text(new byte[70000]), Frames.close(1000, "x"),
                Frames.emptyClose(), Frames.ping(new byte[1]), Frames.pong(new byte[1])}) {
            assertTrue((f[0] & 0x80) != 0, "FIN");
            assertEquals(0, f[0] & 0x70, "RSV");
            assertFalse((f[1] & 0x80) != 0, "MASK");
        }
    }

    /** The payload length a server frame's header announces (the frames here are under 2^31 bytes). */
    private static int payloadLength(byte[] frame) {
        int len7 = frame[1] & 0x7F;
        if (len7 < 126) {
            return len7;
        }
        long length = 0;
        for (int i = 2; i < (len7 == 126 ? 4 : 10); i++) {
            length = (length << 8) | (frame[i] & 0xFF);
        }
        return Math.toIntExact(length);
    }

    @Test
    void frameRoundTripsThroughTheDecoderOnceMasked() throws WebSocketException {
        String s = "round \u00e9 trip ".repeat(20);
        byte[] server = Frames.text(s);
        int payloadLength = payloadLength(server);
        byte[] payload = Arrays.copyOfRange(server, server.length - payloadLength, server.length);
        Recorder r = new Recorder();
        byte[] client = ClientFrame.of(server[0] & 0x0F).payload(payload).build();
        new FrameDecoder(1 << 20).feed(client, 0, client.length, r);
        assertEquals(java.util.List.of("text:" + s), r.events);
    }

    @Test
    void webSocketExceptionCarriesCodeAndReason() {
        WebSocketException e = new WebSocketException(1009, "too big");
        assertEquals(1009, e.code());
        assertEquals("too big", e.getMessage());
    }
}
