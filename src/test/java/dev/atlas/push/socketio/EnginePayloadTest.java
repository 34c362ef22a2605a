package dev.atlas.push.socketio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.push.socketio.EnginePacket.Type;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Engine.IO v4 long-polling payloads: packets joined and split on the record separator U+001E. */
class EnginePayloadTest {

    private static ProtocolException rejected(String body) {
        return assertThrows(ProtocolException.class, () -> EnginePacket.decodePayload(body));
    }

    @Test
    void payloadWithOnePlainTextPacket() throws ProtocolException {
        assertEquals(List.of(EnginePacket.message("hello")), EnginePacket.decodePayload("4hello"));
        assertEquals("4hello", EnginePacket.encodePayload(List.of(EnginePacket.message("hello"))));
    }

    @Test
    void payloadWithSeveralPlainTextPackets() throws ProtocolException {
        String body = "4test1\u001e4test2\u001e4test3";
        List<EnginePacket> packets = List.of(EnginePacket.message("test1"), EnginePacket.message("test2"),
                EnginePacket.message("test3"));
        assertEquals(packets, EnginePacket.decodePayload(body));
        assertEquals(body, EnginePacket.encodePayload(packets));
    }

    @Test
    void payloadFromTheSpecMixingTypes() throws ProtocolException {
        String body = "4hello\u001e2\u001e4world";
        List<EnginePacket> packets = List.of(EnginePacket.message("hello"), EnginePacket.of(Type.PING),
                EnginePacket.message("world"));
        assertEquals(packets, EnginePacket.decodePayload(body));
        assertEquals(body, EnginePacket.encodePayload(packets));
    }

    @Test
    void socketIoEventsPostedByTheClientInOneBody() throws ProtocolException {
        // sample session of the socket.io protocol: socket.emit('hello'); socket.emit('world');
        List<EnginePacket> packets = EnginePacket.decodePayload("42[\"hello\"]\u001e42[\"world\"]");
        assertEquals(List.of(EnginePacket.message("2[\"hello\"]"), EnginePacket.message("2[\"world\"]")), packets);
    }

    @Test
    void messagesWithSeparatorLikeCharactersAndUnicodeSurviveTheRoundTrip() throws ProtocolException {
        // characters that delimited older payload formats (':' and digits), JSON punctuation, escapes,
        // other control characters, and text outside ASCII and outside the BMP
        List<EnginePacket> packets = List.of(
                EnginePacket.message("12:4not a length prefix"),
                EnginePacket.message("2[\"a,b\",{\"k\":\"v\\\"q\\\\\"},[1,2]]"),
                EnginePacket.message("tab\tnewline\ncr\rnul\u0000us\u001fgs\u001d"),
                EnginePacket.message("€ — tâche terminée ✓ 任务 😀"),
                EnginePacket.message(""),
                EnginePacket.of(Type.NOOP));
        String body = EnginePacket.encodePayload(packets);
        assertEquals(packets.size() - 1, body.chars().filter(c -> c == '\u001e').count());
        assertEquals(packets, EnginePacket.decodePayload(body));
    }

    @Test
    void heartbeatAndCloseBodies() throws ProtocolException {
        assertEquals(List.of(EnginePacket.of(Type.PONG)), EnginePacket.decodePayload("3"));
        assertEquals(List.of(EnginePacket.of(Type.CLOSE)), EnginePacket.decodePayload("1"));
        assertEquals("2", EnginePacket.encodePayload(List.of(EnginePacket.of(Type.PING))));
        assertEquals("6", EnginePacket.encodePayload(List.of(EnginePacket.of(Type.NOOP))));
    }

    @Test
    void manyPackets() throws ProtocolException {
        List<EnginePacket> packets = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            packets.add(EnginePacket.message("2[\"e\"," + i + "]"));
        }
        assertEquals(packets, EnginePacket.decodePayload(EnginePacket.encodePayload(packets)));
    }

    @Test
    void decodedListIsImmutable() throws ProtocolException {
        List<EnginePacket> packets = EnginePacket.decodePayload("4a\u001e4b");
        assertThrows(UnsupportedOperationException.class, () -> packets.add(EnginePacket.message("c")));
    }

    // --- encoding refusals ---

    @Test
    void encodingNoPacketsIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> EnginePacket.encodePayload(List.of()));
    }

    @Test
    void encodingDataContainingTheSeparatorIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> EnginePacket.encodePayload(List.of(EnginePacket.message("a\u001eb"))));
    }

    @Test
    void joiningEncodedFramesGivesTheSameBodyAsEncodingPackets() throws ProtocolException {
        String event = SocketFrames.eventFrame("taskCreated", "{\"id\":\"1\"}");
        String body = EnginePacket.joinPayload(List.of(event, "2", SocketFrames.connectFrame("s")));
        assertEquals("42[\"taskCreated\",{\"id\":\"1\"}]\u001e2\u001e40{\"sid\":\"s\"}", body);
        assertEquals(body, EnginePacket.encodePayload(EnginePacket.decodePayload(body)));
    }

    @Test
    void joiningRefusesNoFramesEmptyFramesAndFramesWithTheSeparator() {
        assertThrows(IllegalArgumentException.class, () -> EnginePacket.joinPayload(List.of()));
        assertThrows(IllegalArgumentException.class, () -> EnginePacket.joinPayload(List.of("4a", "")));
        assertThrows(IllegalArgumentException.class, () -> EnginePacket.joinPayload(List.of("4a\u001e4b")));
    }

    // --- malformed payloads ---

    @Test
    void rejectsEmptyBody() {
        assertTrue(rejected("").getMessage().contains("empty Engine.IO payload"));
    }

    @Test
    void rejectsInvalidPacketFormatAbcFromTheTestSuite() {
        assertTrue(rejected("abc").getMessage().contains("unknown Engine.IO packet type"));
    }

    @Test
    void rejectsPlainTextAndBase64BinaryPacketsFromTheTestSuite() {
        ProtocolException e = rejected("4hello\u001ebAQIDBA==");
        assertTrue(e.getMessage().contains("text protocol only"), e.getMessage());
        assertTrue(e.getMessage().contains("position 1"), e.getMessage());
    }

    @Test
    void rejectsLeadingSeparator() {
        assertTrue(rejected("\u001e4hello").getMessage().contains("empty packet at position 0"));
    }

    @Test
    void rejectsTrailingSeparator() {
        assertTrue(rejected("4hello\u001e").getMessage().contains("empty packet at position 1"));
    }

    @Test
    void rejectsDoubledSeparator() {
        assertTrue(rejected("4a\u001e\u001e4b").getMessage().contains("empty packet at position 1"));
    }

    @Test
    void rejectsOnlyASeparator() {
        assertTrue(rejected("\u001e").getMessage().contains("empty packet"));
    }

    @Test
    void rejectsUnknownTypeInTheMiddleOfAPayload() {
        assertTrue(rejected("4a\u001e9b\u001e4c").getMessage().contains("position 1"));
    }
}
