package dev.atlas.push.websocket;

import static dev.atlas.push.websocket.ClientFrame.BINARY;
import static dev.atlas.push.websocket.ClientFrame.CLOSE;
import static dev.atlas.push.websocket.ClientFrame.CONTINUATION;
import static dev.atlas.push.websocket.ClientFrame.PING;
import static dev.atlas.push.websocket.ClientFrame.PONG;
import static dev.atlas.push.websocket.ClientFrame.TEXT;
import static dev.atlas.push.websocket.ClientFrame.closePayload;
import static dev.atlas.push.websocket.ClientFrame.concat;
import static dev.atlas.push.websocket.ClientFrame.continuation;
import static dev.atlas.push.websocket.ClientFrame.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FrameDecoderTest {
    private static final int MAX = 1 << 20;

    private final Recorder recorder = new Recorder();

    private static void feedAll(FrameDecoder d, byte[] bytes, FrameDecoder.Handler r) throws WebSocketException {
        d.feed(bytes, 0, bytes.length, r);
    }

    private List<String> decode(byte[] bytes) throws WebSocketException {
        feedAll(new FrameDecoder(MAX), bytes, recorder);
        return recorder.events;
    }

    /** Feeds the stream whole and asserts the violation; returns the exception for further checks. */
    private static WebSocketException violation(int expectedCode, FrameDecoder d, byte[] bytes, Recorder r) {
        WebSocketException e = assertThrows(WebSocketException.class, () -> feedAll(d, bytes, r));
        assertEquals(expectedCode, e.code(), e.getMessage());
        assertFalse(d.holdsBuffer(), "buffers dropped after a violation");
        assertFalse(d.closeReceived());
        return e;
    }

    private WebSocketException violation(int expectedCode, byte[] bytes) {
        return violation(expectedCode, new FrameDecoder(MAX), bytes, recorder);
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ---- basic decoding ----

    @Test
    void maskedTextFrame() throws WebSocketException {
        // RFC 6455 §5.7: a single-frame masked text message "Hello"
        byte[] rfc = bytes(0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58);
        assertEquals(List.of("text:Hello"), decode(rfc));
    }

    @Test
    void helperBuildsTheRfcExample() {
        assertEquals(Arrays.toString(bytes(0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58)),
                Arrays.toString(text("Hello").build()));
    }

    @Test
    void otherMaskKeysAndUtf8() throws WebSocketException {
        String s = "caf\u00e9 \u2603 \uD83D\uDE00 {\"type\":\"ping\"}";
        byte[] f1 = text(s).key(bytes(0, 0, 0, 0)).build();
        byte[] f2 = text(s).key(bytes(0xFF, 0x80, 0x01, 0x7F)).build();
        assertEquals(List.of("text:" + s, "text:" + s), decode(concat(f1, f2)));
    }

    @Test
    void emptyTextFrame() throws WebSocketException {
        assertEquals(List.of("text:"), decode(text("").build()));
    }

    @Test
    void sixteenAndSixtyFourBitLengths() throws WebSocketException {
        String medium = "m".repeat(300);
        String large = "L\u00e9".repeat(40000); // 120000 bytes
        assertEquals(List.of("text:" + medium, "text:" + large),
                decode(concat(text(medium).build(), text(large).build())));
    }

    @Test
    void nonMinimalLengthEncodingIsAccepted() throws WebSocketException {
        byte[] f16 = text("abc").lengthBytes(2).build();
        byte[] f64 = text("def").lengthBytes(8).build();
        assertEquals(List.of("text:abc", "text:def"), decode(concat(f16, f64)));
    }

    @Test
    void severalFramesInOneBuffer() throws WebSocketException {
        byte[] stream = concat(
                text("one").build(),
                ClientFrame.of(PING).payload(bytes(1, 2)).build(),
                text("two").build(),
                ClientFrame.of(PONG).payload(bytes(0xAB)).build(),
                text("three").build());
        assertEquals(List.of("text:one", "ping:0102", "text:two", "pong:ab", "text:three"), decode(stream));
    }

    @Test
    void emptyControlPayloads() throws WebSocketException {
        byte[] stream = concat(ClientFrame.of(PING).build(), ClientFrame.of(PONG).build());
        assertEquals(List.of("ping:", "pong:"), decode(stream));
    }

    @Test
    void controlPayloadOf125Bytes() throws WebSocketException {
        byte[] p = new byte[125];
        Arrays.fill(p, (byte) 0x5A);
        String hex = "5a".repeat(125);
        byte[] stream = concat(ClientFrame.of(PING).payload(p).build(), ClientFrame.of(PONG).payload(p).build());
        assertEquals(List.of("ping:" + hex, "pong:" + hex), decode(stream));
    }

    // ---- fragmentation ----

    @Test
    void fragmentedMessageWithInterleavedControlFrames() throws WebSocketException {
        byte[] stream = concat(
                text("Hel").fin(false).build(),
                ClientFrame.of(PING).payload(bytes(1)).build(),
                continuation("lo, ").fin(false).build(),
                ClientFrame.of(PONG).payload(bytes(2)).build(),
                ClientFrame.of(PING).payload(bytes(3)).build(),
                continuation("").fin(false).build(),
                continuation("world").build(),
                text("next").build());
        assertEquals(List.of("ping:01", "pong:02", "ping:03", "text:Hello, world", "text:next"), decode(stream));
    }

    @Test
    void controlFrameDeliveredAtOnceBetweenFragments() throws WebSocketException {
        FrameDecoder d = new FrameDecoder(MAX);
        feedAll(d, concat(text("a").fin(false).build(), ClientFrame.of(PING).payload(bytes(9)).build()), recorder);
        assertEquals(List.of("ping:09"), recorder.events);
        assertTrue(d.holdsBuffer(), "the first fragment is buffered");
        feedAll(d, continuation("b").build(), recorder);
        assertEquals(List.of("ping:09", "text:ab"), recorder.events);
        assertFalse(d.holdsBuffer());
    }

    @Test
    void manySmallFragments() throws WebSocketException {
        List<byte[]> frames = new ArrayList<>();
        StringBuilder expected = new StringBuilder();
        frames.add(text("").fin(false).build());
        for (int i = 0; i < 3000; i++) {
            String part = Integer.toString(i % 10);
            expected.append(part);
            frames.add(continuation(part).fin(false).build());
        }
        frames.add(continuation("!").build());
        expected.append('!');
        assertEquals(List.of("text:" + expected), decode(concat(frames.toArray(byte[][]::new))));
    }

    @Test
    void fragmentedMessageStartedWithAnEmptyFinalFrameIsEmpty() throws WebSocketException {
        assertEquals(List.of("text:"), decode(concat(text("").fin(false).build(), continuation("").build())));
    }

    @Test
    void utf8SplitAcrossFragmentsIsValid() throws WebSocketException {
        byte[] e = utf8("\u00e9");               // C3 A9
        byte[] smile = utf8("\uD83D\uDE00");     // F0 9F 98 80
        byte[] stream = concat(
                ClientFrame.of(TEXT).fin(false).payload(concat(utf8("x"), new byte[] {e[0]})).build(),
                ClientFrame.of(CONTINUATION).fin(false).payload(new byte[] {e[1], smile[0]}).build(),
                ClientFrame.of(CONTINUATION).fin(false).payload(new byte[] {smile[1]}).build(),
                ClientFrame.of(CONTINUATION).payload(new byte[] {smile[2], smile[3]}).build());
        assertEquals(List.of("text:x\u00e9\uD83D\uDE00"), decode(stream));
    }

    // ---- splitting ----

    private static byte[] mixedStream() {
        byte[] key2 = bytes(0x01, 0x02, 0x03, 0x04);
        byte[] key3 = bytes(0xA5, 0x5A, 0xFF, 0x00);
        return concat(
                text("first").build(),
                text("fr\u00e9g").fin(false).key(key2).build(),
                ClientFrame.of(PING).payload(bytes(1, 2, 3, 4, 5, 6, 7)).key(key3).build(),
                continuation("ment\u2603".repeat(50)).fin(false).key(key3).build(),
                continuation("ed").key(key2).build(),
                text("").build(),
                text("x".repeat(200)).key(key3).build(),
                text("\uD83D\uDE00".repeat(17000)).build(), // 68000 bytes: 64-bit length
                ClientFrame.of(PONG).build(),
                ClientFrame.of(CLOSE).payload(closePayload(1000, utf8("done \u00e9"))).build());
    }

    private static List<String> expectedMixed() {
        return List.of("text:first", "ping:01020304050607", "text:fr\u00e9g" + "ment\u2603".repeat(50) + "ed",
                "text:", "text:" + "x".repeat(200), "text:" + "\uD83D\uDE00".repeat(17000), "pong:",
                "close:1000:done \u00e9");
    }

    @Test
    void wholeStreamAtOnce() throws WebSocketException {
        assertEquals(expectedMixed(), decode(mixedStream()));
    }

    @Test
    void oneByteAtATime() throws WebSocketException {
        byte[] stream = mixedStream();
        FrameDecoder d = new FrameDecoder(MAX);
        for (int i = 0; i < stream.length; i++) {
            d.feed(stream, i, 1, recorder);
        }
        assertEquals(expectedMixed(), recorder.events);
        assertTrue(d.closeReceived());
        assertFalse(d.holdsBuffer());
    }

    @Test
    void randomSplitsGiveTheSameResult() throws WebSocketException {
        byte[] stream = mixedStream();
        Random random = new Random(6455);
        for (int round = 0; round < 50; round++) {
            Recorder r = new Recorder();
            FrameDecoder d = new FrameDecoder(MAX);
            int p = 0;
            while (p < stream.length) {
                // mostly small pieces (to cut headers and mask keys), sometimes large ones, sometimes empty
                int bound = random.nextInt(4) == 0 ? 20000 : 12;
                int n = Math.min(stream.length - p, random.nextInt(bound));
                // feed from a copy at an offset, so the slice arithmetic is exercised too
                byte[] chunk = new byte[n + 3];
                System.arraycopy(stream, p, chunk, 2, n);
                d.feed(chunk, 2, n, r);
                p += n;
            }
            assertEquals(expectedMixed(), r.events, "round " + round);
            assertTrue(d.closeReceived());
        }
    }

    @Test
    void emptySliceDoesNothing() throws WebSocketException {
        FrameDecoder d = new FrameDecoder(MAX);
        d.feed(new byte[0], 0, 0, recorder);
        byte[] f = text("hi").build();
        d.feed(f, 0, 3, recorder);
        d.feed(f, 3, 0, recorder);
        d.feed(f, f.length, 0, recorder);
        d.feed(f, 3, f.length - 3, recorder);
        assertEquals(List.of("text:hi"), recorder.events);
    }

    @Test
    void sliceOutOfBoundsIsRejected() {
        FrameDecoder d = new FrameDecoder(MAX);
        byte[] b = new byte[4];
        assertThrows(IndexOutOfBoundsException.class, () -> d.feed(b, 3, 2, recorder));
        assertThrows(IndexOutOfBoundsException.class, () -> d.feed(b, -1, 1, recorder));
        assertThrows(IndexOutOfBoundsException.class, () -> d.feed(b, 0, -1, recorder));
    }

    @Test
    void noBufferHeldBetweenMessages() throws WebSocketException {
        FrameDecoder d = new FrameDecoder(MAX);
        assertFalse(d.holdsBuffer());
        byte[] f = text("a message").build();
        d.feed(f, 0, f.length - 2, recorder);
        assertTrue(d.holdsBuffer());
        d.feed(f, f.length - 2, 2, recorder);
        assertFalse(d.holdsBuffer());
        byte[] ping = ClientFrame.of(PING).payload(bytes(1, 2, 3)).build();
        d.feed(ping, 0, ping.length - 1, recorder);
        assertTrue(d.holdsBuffer());
        d.feed(ping, ping.length - 1, 1, recorder);
        assertFalse(d.holdsBuffer());
        assertEquals(List.of("text:a message", "ping:010203"), recorder.events);
    }

    // ---- protocol violations: 1002 ----

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4, 7})
    void rsvBitsAreAProtocolError(int rsv) {
        violation(1002, text("x").rsv(rsv).build());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void rsvBitsOnControlAndContinuationFrames(int rsv) {
        violation(1002, ClientFrame.of(PING).rsv(rsv).build());
        violation(1002, concat(text("a").fin(false).build(), continuation("b").rsv(rsv).build()));
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 4, 5, 6, 7, 11, 12, 13, 14, 15})
    void reservedOpcodesAreAProtocolError(int opcode) {
        violation(1002, ClientFrame.of(opcode).payload("x").build());
    }

    @ParameterizedTest
    @ValueSource(ints = {TEXT, PING, PONG, CLOSE})
    void unmaskedFrameIsAProtocolError(int opcode) {
        violation(1002, ClientFrame.of(opcode).key(null).build());
    }

    @Test
    void unmaskedContinuationIsAProtocolError() {
        violation(1002, concat(text("a").fin(false).build(), continuation("b").key(null).build()));
    }

    @ParameterizedTest
    @ValueSource(ints = {PING, PONG, CLOSE})
    void controlFramePayloadOver125IsAProtocolError(int opcode) {
        byte[] p = opcode == CLOSE ? closePayload(1000, new byte[124]) : new byte[126];
        violation(1002, ClientFrame.of(opcode).payload(p).build());
    }

    @ParameterizedTest
    @ValueSource(ints = {PING, PONG, CLOSE})
    void controlFrameWithExtendedLengthIsRejectedFromTheHeader(int opcode) {
        // announced 126 in the 16-bit form, but only the first two bytes are fed
        byte[] f = ClientFrame.of(opcode).lengthBytes(2).announcedLength(126).build();
        FrameDecoder d = new FrameDecoder(MAX);
        WebSocketException e = assertThrows(WebSocketException.class, () -> d.feed(f, 0, 2, recorder));
        assertEquals(1002, e.code());
    }

    @ParameterizedTest
    @ValueSource(ints = {PING, PONG, CLOSE})
    void controlFrameWithoutFinIsAProtocolError(int opcode) {
        violation(1002, ClientFrame.of(opcode).fin(false).build());
    }

    @Test
    void continuationWithoutMessageIsAProtocolError() {
        violation(1002, continuation("x").build());
        violation(1002, continuation("x").fin(false).build());
    }

    @Test
    void continuationAfterCompletedMessageIsAProtocolError() {
        violation(1002, concat(text("a").build(), continuation("b").build()));
        assertEquals(List.of("text:a"), recorder.events);
    }

    @Test
    void newTextFrameDuringFragmentedMessageIsAProtocolError() {
        violation(1002, concat(text("a").fin(false).build(), text("b").build()));
        assertEquals(List.of(), recorder.events);
    }

    @Test
    void binaryFrameDuringFragmentedMessageIsAProtocolError() {
        violation(1002, concat(text("a").fin(false).build(), ClientFrame.of(BINARY).payload("b").build()));
    }

    @Test
    void sixtyFourBitLengthWithMostSignificantBitIsAProtocolError() {
        byte[] header = bytes(0x81, 0x80 | 127, 0x80, 0, 0, 0, 0, 0, 0, 1);
        violation(1002, new FrameDecoder(Integer.MAX_VALUE), header, recorder);
    }

    @Test
    void closeWithOneBytePayloadIsAProtocolError() {
        violation(1002, ClientFrame.of(CLOSE).payload(bytes(0x03)).build());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535})
    void invalidCloseCodesAreAProtocolError(int code) {
        violation(1002, ClientFrame.of(CLOSE).payload(closePayload(code, utf8("x"))).build());
    }

    // ---- unsupported data: 1003 ----

    @Test
    void binaryMessageIsUnsupported() {
        WebSocketException e = violation(1003, ClientFrame.of(BINARY).payload(bytes(1, 2, 3)).build());
        assertEquals("binary messages are not supported", e.getMessage());
    }

    @Test
    void binaryIsRejectedAtItsFirstByteEvenWhenFragmented() {
        byte[] f = ClientFrame.of(BINARY).fin(false).payload(new byte[100000]).build();
        FrameDecoder d = new FrameDecoder(MAX);
        WebSocketException e = assertThrows(WebSocketException.class, () -> d.feed(f, 0, 1, recorder));
        assertEquals(1003, e.code());
        assertEquals("binary messages are not supported", e.getMessage());
        assertFalse(d.holdsBuffer());
    }

    // ---- message too big: 1009 ----

    @Test
    void singleFrameOfExactlyMaxIsAccepted() throws WebSocketException {
        FrameDecoder d = new FrameDecoder(200);
        feedAll(d, text("z".repeat(200)).build(), recorder);
        assertEquals(List.of("text:" + "z".repeat(200)), recorder.events);
    }

    @Test
    void singleFrameOfMaxPlusOneIsRejectedFromTheHeader() {
        byte[] f = text("z".repeat(201)).build();
        FrameDecoder d = new FrameDecoder(200);
        // header only: 2 bytes + 16-bit length; the payload (and even the mask key) never arrives
        WebSocketException e = assertThrows(WebSocketException.class, () -> d.feed(f, 0, 4, recorder));
        assertEquals(1009, e.code());
        assertTrue(e.getMessage().contains("200"), e.getMessage());
        assertFalse(d.holdsBuffer());
    }

    @Test
    void fragmentedMessageOfExactlyMaxIsAccepted() throws WebSocketException {
        FrameDecoder d = new FrameDecoder(10);
        byte[] stream = concat(text("abcd").fin(false).build(), ClientFrame.of(PING).build(),
                continuation("efg").fin(false).build(), continuation("hij").build());
        feedAll(d, stream, recorder);
        assertEquals(List.of("ping:", "text:abcdefghij"), recorder.events);
    }

    @Test
    void fragmentedMessageOfMaxPlusOneIsRejectedFromTheLastHeader() throws WebSocketException {
        FrameDecoder d = new FrameDecoder(10);
        byte[] first = concat(text("abcd").fin(false).build(), continuation("efg").fin(false).build());
        byte[] last = continuation("hijk").build();
        feedAll(d, first, recorder);
        assertTrue(d.holdsBuffer());
        // only the 2-byte header of the fragment that would pass the limit
        WebSocketException e = assertThrows(WebSocketException.class, () -> d.feed(last, 0, 2, recorder));
        assertEquals(1009, e.code());
        assertTrue(e.getMessage().contains("10"), e.getMessage());
        assertFalse(d.holdsBuffer());
    }

    @Test
    void exactlyMaxWithSixtyFourBitLength() throws WebSocketException {
        String s = "q".repeat(70000);
        FrameDecoder d = new FrameDecoder(70000);
        feedAll(d, text(s).build(), recorder);
        assertEquals(List.of("text:" + s), recorder.events);
        WebSocketException e = assertThrows(WebSocketException.class,
                () -> feedAll(new FrameDecoder(69999), text(s).build(), recorder));
        assertEquals(1009, e.code());
    }

    @Test
    void hugeAnnouncedLengthIsRejectedWithoutBuffering() {
        byte[] header = text("").announcedLength(1L << 40).build();
        WebSocketException e = violation(1009, new FrameDecoder(Integer.MAX_VALUE), header, recorder);
        assertTrue(e.getMessage().contains(Integer.toString(Integer.MAX_VALUE)), e.getMessage());
    }

    @Test
    void controlFramesDoNotCountTowardsTheMessageLimit() throws WebSocketException {
        FrameDecoder d = new FrameDecoder(2);
        byte[] stream = concat(text("a").fin(false).build(), ClientFrame.of(PING).payload(new byte[100]).build(),
                continuation("b").build(), ClientFrame.of(CLOSE).payload(closePayload(1000, new byte[50])).build());
        feedAll(d, stream, recorder);
        assertEquals(List.of("ping:" + "00".repeat(100), "text:ab", "close:1000:" + "\0".repeat(50)), recorder.events);
        assertTrue(d.closeReceived());
    }

    @Test
    void zeroLimitAcceptsOnlyEmptyMessages() throws WebSocketException {
        FrameDecoder d = new FrameDecoder(0);
        feedAll(d, text("").build(), recorder);
        assertEquals(List.of("text:"), recorder.events);
        violation(1009, d, text("a").build(), recorder);
        assertThrows(IllegalArgumentException.class, () -> new FrameDecoder(-1));
    }

    // ---- invalid UTF-8: 1007 ----

    @ParameterizedTest
    @ValueSource(strings = {
            "80",           // lone continuation byte
            "c3",           // truncated 2-byte sequence at the end of the message
            "e2 98",        // truncated 3-byte sequence
            "c0 af",        // overlong '/'
            "e0 80 af",     // overlong, 3 bytes
            "ed a0 80",     // UTF-16 surrogate D800 encoded
            "f4 90 80 80",  // above U+10FFFF
            "f8 88 80 80 80", // 5-byte form
            "fe", "ff",
            "41 c3 41"})    // a lead byte followed by ASCII
    void invalidUtf8IsInvalidPayload(String hex) {
        byte[] bad = java.util.HexFormat.ofDelimiter(" ").parseHex(hex);
        violation(1007, ClientFrame.of(TEXT).payload(concat(utf8("ok "), bad)).build());
    }

    @Test
    void invalidUtf8InFragmentedMessage() {
        // each fragment alone is a valid prefix; the message ends inside a character
        violation(1007, concat(ClientFrame.of(TEXT).fin(false).payload(bytes(0x61, 0xE2)).build(),
                ClientFrame.of(CONTINUATION).payload(bytes(0x98)).build()));
        violation(1007, concat(ClientFrame.of(TEXT).fin(false).payload(bytes(0x61, 0xC3)).build(),
                ClientFrame.of(CONTINUATION).payload(bytes(0x41)).build()));
    }

    @Test
    void closeReasonNotUtf8IsInvalidPayload() {
        violation(1007, ClientFrame.of(CLOSE).payload(closePayload(1000, bytes(0x61, 0xFF))).build());
    }

    // ---- close ----

    @Test
    void closeWithoutPayloadReports1005() throws WebSocketException {
        FrameDecoder d = new FrameDecoder(MAX);
        assertFalse(d.closeReceived());
        feedAll(d, ClientFrame.of(CLOSE).build(), recorder);
        assertEquals(List.of("close:1005:"), recorder.events);
        assertTrue(d.closeReceived());
    }

    @Test
    void closeWithCodeAndReason() throws WebSocketException {
        FrameDecoder d = new FrameDecoder(MAX);
        feedAll(d, ClientFrame.of(CLOSE).payload(closePayload(4001, utf8("going \u00e9lsewhere"))).build(), recorder);
        assertEquals(List.of("close:4001:going \u00e9lsewhere"), recorder.events);
        assertTrue(d.closeReceived());
    }

    @Test
    void closeWithCodeOnly() throws WebSocketException {
        assertEquals(List.of("close:1001:"), decode(ClientFrame.of(CLOSE).payload(closePayload(1001, new byte[0])).build()));
    }

    @ParameterizedTest
    @ValueSource(ints = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999})
    void validCloseCodesAreAccepted(int code) throws WebSocketException {
        assertEquals(List.of("close:" + code + ":r"), decode(ClientFrame.of(CLOSE).payload(closePayload(code, utf8("r"))).build()));
    }

    @Test
    void closeDuringFragmentedMessageIsDeliveredAndDropsTheMessage() throws WebSocketException {
        FrameDecoder d = new FrameDecoder(MAX);
        feedAll(d, concat(text("part").fin(false).build(), ClientFrame.of(CLOSE).payload(closePayload(1000, new byte[0])).build()),
                recorder);
        assertEquals(List.of("close:1000:"), recorder.events);
        assertTrue(d.closeReceived());
        assertFalse(d.holdsBuffer());
    }

    @Test
    void bytesAfterCloseInTheSameFeedAreIgnored() throws WebSocketException {
        byte[] stream = concat(text("a").build(), ClientFrame.of(CLOSE).build(), text("b").build(),
                ClientFrame.of(BINARY).build());
        assertEquals(List.of("text:a", "close:1005:"), decode(stream));
    }

    @Test
    void feedsAfterCloseAreIgnored() throws WebSocketException {
        FrameDecoder d = new FrameDecoder(MAX);
        feedAll(d, ClientFrame.of(CLOSE).payload(closePayload(1000, new byte[0])).build(), recorder);
        feedAll(d, text("late").build(), recorder);
        feedAll(d, bytes(0xFF, 0xFF, 0xFF), recorder); // would be a violation
        d.feed(null, 0, 0, null);                       // not even looked at
        assertEquals(List.of("close:1000:"), recorder.events);
        assertTrue(d.closeReceived());
        assertFalse(d.holdsBuffer());
    }

    @Test
    void feedsAfterViolationAreIgnored() throws WebSocketException {
        FrameDecoder d = new FrameDecoder(MAX);
        violation(1002, d, concat(text("ok").build(), text("x").rsv(4).build(), text("after").build()), recorder);
        assertEquals(List.of("text:ok"), recorder.events);
        feedAll(d, text("later").build(), recorder);
        feedAll(d, ClientFrame.of(CLOSE).build(), recorder);
        feedAll(d, bytes(0xFF), recorder);
        assertEquals(List.of("text:ok"), recorder.events);
        assertFalse(d.closeReceived());
    }

    @Test
    void violationInTheMiddleOfAFeedDeliversWhatCameBefore() {
        byte[] stream = concat(text("a").build(), ClientFrame.of(PING).payload(bytes(7)).build(),
                continuation("orphan").build(), text("never").build());
        violation(1002, stream);
        assertEquals(List.of("text:a", "ping:07"), recorder.events);
    }

    // ---- handler failures ----

    @Test
    void handlerExceptionPropagatesAndEndsDecoding() throws WebSocketException {
        RuntimeException boom = new IllegalStateException("boom");
        List<String> seen = new ArrayList<>();
        FrameDecoder.Handler failing = new Handler() {
            @Override
            public void onText(String message) {
                seen.add(message);
                throw boom;
            }
        };
        FrameDecoder d = new FrameDecoder(MAX);
        byte[] stream = concat(text("first").build(), text("second").build());
        RuntimeException thrown = assertThrows(RuntimeException.class, () -> feedAll(d, stream, failing));
        assertSame(boom, thrown);
        feedAll(d, text("third").build(), recorder);
        assertEquals(List.of("first"), seen);
        assertEquals(List.of(), recorder.events);
        assertFalse(d.holdsBuffer());
    }

    @Test
    void pingPayloadIsAFreshArrayPerFrame() throws WebSocketException {
        List<byte[]> payloads = new ArrayList<>();
        FrameDecoder.Handler h = new Handler() {
            @Override
            public void onPing(byte[] payload) {
                payloads.add(payload);
            }
        };
        byte[] stream = concat(ClientFrame.of(PING).payload(bytes(1)).build(), ClientFrame.of(PING).payload(bytes(2)).build());
        new FrameDecoder(MAX).feed(stream, 0, stream.length, h);
        assertEquals(1, payloads.get(0)[0]);
        assertEquals(2, payloads.get(1)[0]);
    }

    @Test
    void feedDoesNotModifyTheInput() throws WebSocketException {
        byte[] stream = mixedStream();
        byte[] copy = stream.clone();
        decode(stream);
        assertTrue(Arrays.equals(copy, stream));
    }

    /** A handler that ignores everything; tests override what they look at. */
    private static class Handler implements FrameDecoder.Handler {
        @Override
        public void onText(String message) {
        }

        @Override
        public void onPing(byte[] payload) {
        }

        @Override
        public void onPong(byte[] payload) {
        }

        @Override
        public void onClose(int code, String reason) {
        }
    }

    // ---- unmask helper ----

    @Test
    void unmaskMatchesBytewiseDefinitionAtEveryStartIndex() {
        byte[] src = new byte[37];
        new Random(1).nextBytes(src);
        byte[] key = bytes(0x12, 0x34, 0x56, 0x78);
        int mask = 0x12345678;
        for (int start = 0; start < 8; start++) {
            byte[] dst = new byte[src.length];
            FrameDecoder.unmask(src, 0, dst, 0, src.length, mask, start);
            for (int i = 0; i < src.length; i++) {
                assertEquals((byte) (src[i] ^ key[(start + i) & 3]), dst[i], "start " + start + " index " + i);
            }
        }
    }
}
