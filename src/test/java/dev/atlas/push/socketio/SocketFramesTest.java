package dev.atlas.push.socketio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The frames the server sends, byte for byte. */
class SocketFramesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ENVELOPE = "{\"event\":\"taskCreated\",\"timestamp\":\"2026-11-25T18:00:00.000Z\","
            + "\"id\":\"1042\",\"data\":{\"id\":7,\"title\":\"Inspect pump\"}}";

    private static ArrayNode array(String text) throws Exception {
        return (ArrayNode) JSON.readTree(text);
    }

    /** Decodes a server frame the way socket.io-client would: Engine.IO first, then Socket.IO. */
    private static SocketPacket decodeFrame(String frame) throws ProtocolException {
        EnginePacket engine = EnginePacket.decode(frame);
        assertEquals(EnginePacket.Type.MESSAGE, engine.type());
        return SocketPacket.decode(engine.data());
    }

    // --- eventFrame ---

    @Test
    void eventFrameEmbedsTheEnvelopeAsTheSingleArgument() {
        assertEquals("42[\"taskCreated\"," + ENVELOPE + "]", SocketFrames.eventFrame("taskCreated", ENVELOPE));
    }

    @Test
    void eventFrameDecodesToTheEventNameAndTheEnvelope() throws Exception {
        SocketPacket p = decodeFrame(SocketFrames.eventFrame("taskAssigned", ENVELOPE));
        assertEquals("taskAssigned", p.eventName());
        assertEquals(List.of(JSON.readTree(ENVELOPE)), p.eventArguments());
        assertEquals(SocketPacket.MAIN_NAMESPACE, p.namespace());
        assertTrue(p.ackId().isEmpty());
    }

    @Test
    void eventFrameWithAnOffsetCarriesItAsTheLastStringArgument() throws Exception {
        String frame = SocketFrames.eventFrame("taskCreated", ENVELOPE, "1042");
        assertEquals("42[\"taskCreated\"," + ENVELOPE + ",\"1042\"]", frame);
        SocketPacket p = decodeFrame(frame);
        assertEquals(List.of(JSON.readTree(ENVELOPE), JSON.getNodeFactory().textNode("1042")), p.eventArguments());
        assertEquals("42[\"resync\",{}]", SocketFrames.eventFrame("resync", "{}", null), "no offset: none sent");
    }

    @Test
    void eventFrameRefusesAnOffsetThatIsNotAnEventId() {
        for (String bad : List.of("", "1\"]", "-1", "1.5", "x")) {
            assertThrows(IllegalArgumentException.class, () -> SocketFrames.eventFrame("taskCreated", "{}", bad), bad);
        }
    }

    @Test
    void connectReplyCarriesTheSidAndThePid() throws Exception {
        String frame = SocketFrames.connectReply("s1", "42.abc");
        assertEquals("40{\"sid\":\"s1\",\"pid\":\"42.abc\"}", frame);
        SocketPacket p = decodeFrame(frame);
        assertEquals(SocketPacket.Type.CONNECT, p.type());
    }

    @Test
    void eventFrameEmbedsTheArgumentVerbatimWithoutReserializing() {
        // Jackson would rewrite all of these (spacing, 1.0, 1e3, escaped solidus, \u00e9); the frame keeps them
        String raw = "{ \"b\" : 1.0,\n \"a\":1e3, \"url\":\"http:\\/\\/x\", \"s\":\"\\u00e9\" }";
        assertEquals("42[\"e\"," + raw + "]", SocketFrames.eventFrame("e", raw));
    }

    @Test
    void eventFrameEscapesQuoteAndBackslashInTheName() throws ProtocolException {
        String frame = SocketFrames.eventFrame("say \"hi\" \\ bye", "1");
        assertEquals("42[\"say \\\"hi\\\" \\\\ bye\",1]", frame);
        assertEquals("say \"hi\" \\ bye", decodeFrame(frame).eventName());
    }

    @Test
    void eventFrameEscapesControlCharactersInTheName() throws ProtocolException {
        String name = "a\nb\rc\td\be\ff\u0000g\u001fh\u001ei";
        String frame = SocketFrames.eventFrame(name, "{}");
        assertEquals("42[\"a\\nb\\rc\\td\\be\\ff\\u0000g\\u001fh\\u001ei\",{}]", frame);
        assertEquals(name, decodeFrame(frame).eventName());
        assertTrue(frame.chars().noneMatch(c -> c < 0x20), "no raw control character may reach the wire");
    }

    @Test
    void eventFrameKeepsUnicodeInTheNameAsIs() throws ProtocolException {
        String name = "tâche✓ 任务 😀";
        String frame = SocketFrames.eventFrame(name, "null");
        assertEquals("42[\"tâche✓ 任务 😀\",null]", frame);
        assertEquals(name, decodeFrame(frame).eventName());
    }

    @Test
    void eventFrameEscapesALoneSurrogateInTheName() {
        assertEquals("42[\"a\\ud800b\",0]", SocketFrames.eventFrame("a\ud800b", "0"));
        assertEquals("42[\"\\udc00\",0]", SocketFrames.eventFrame("\udc00", "0"));
    }

    @Test
    void eventFrameForEveryWireEventName() {
        for (String name : List.of("taskCreated", "taskUpdated", "taskCompleted", "taskDeleted", "taskAssigned")) {
            assertEquals("42[\"" + name + "\",{}]", SocketFrames.eventFrame(name, "{}"));
        }
    }

    @Test
    void eventFrameIsCountedOncePerCall() {
        long before = SocketFrames.eventFrames();
        SocketFrames.eventFrame("taskUpdated", ENVELOPE);
        assertEquals(before + 1, SocketFrames.eventFrames());
        // the other frames are not events
        SocketFrames.connectFrame("sid");
        SocketFrames.ackFrame(1, JSON.createArrayNode());
        SocketFrames.disconnectFrame();
        assertEquals(before + 1, SocketFrames.eventFrames());
    }

    @Test
    void eventFrameRefusesReservedNames() {
        for (String name : SocketPacket.RESERVED_EVENT_NAMES) {
            assertThrows(IllegalArgumentException.class, () -> SocketFrames.eventFrame(name, "{}"), name);
        }
    }

    @Test
    void eventFrameRefusesAnEmptyOrMissingArgument() {
        assertThrows(IllegalArgumentException.class, () -> SocketFrames.eventFrame("taskCreated", ""));
        assertThrows(NullPointerException.class, () -> SocketFrames.eventFrame("taskCreated", null));
        assertThrows(NullPointerException.class, () -> SocketFrames.eventFrame(null, "{}"));
    }

    // --- connect, connect error, ack, disconnect ---

    @Test
    void connectFrameOnTheMainNamespace() {
        assertEquals("40{\"sid\":\"wZX3oN0bSVIhsaknAAAI\"}", SocketFrames.connectFrame("wZX3oN0bSVIhsaknAAAI"));
    }

    @Test
    void connectFrameOnACustomNamespace() {
        assertEquals("40/admin,{\"sid\":\"-G5j-67EZFp-q59rADQM\"}",
                SocketFrames.connectFrame("/admin", "-G5j-67EZFp-q59rADQM"));
    }

    @Test
    void connectFrameDecodesAsTheSuiteExpects() throws ProtocolException {
        String sid = Sids.next();
        SocketPacket p = decodeFrame(SocketFrames.connectFrame(sid));
        assertEquals(SocketPacket.Type.CONNECT, p.type());
        JsonNode handshake = p.payload().orElseThrow();
        assertEquals(1, handshake.size());
        assertEquals(sid, handshake.get("sid").textValue());
    }

    @Test
    void connectErrorFrameOnTheMainNamespace() {
        assertEquals("44{\"message\":\"Not authorized\"}", SocketFrames.connectErrorFrame("Not authorized"));
    }

    @Test
    void connectErrorFrameForAnInvalidNamespace() {
        // socket.io-protocol test suite: "40/random" is answered with exactly this frame
        assertEquals("44/random,{\"message\":\"Invalid namespace\"}",
                SocketFrames.connectErrorFrame("/random", SocketFrames.INVALID_NAMESPACE));
        assertEquals("44/admin,{\"message\":\"Invalid namespace\"}",
                SocketFrames.connectErrorFrame("/admin", SocketFrames.INVALID_NAMESPACE));
    }

    @Test
    void connectErrorFrameEscapesTheMessage() {
        assertEquals("44{\"message\":\"bad \\\"token\\\"\\n\"}", SocketFrames.connectErrorFrame("bad \"token\"\n"));
    }

    @Test
    void ackFrameFromTheTestSuite() throws Exception {
        assertEquals("43456[1,\"2\",{\"3\":[false]}]", SocketFrames.ackFrame(456, array("[1,\"2\",{\"3\":[false]}]")));
    }

    @Test
    void ackFrameWithoutArguments() throws Exception {
        assertEquals("437[]", SocketFrames.ackFrame(7, array("[]")));
    }

    @Test
    void ackFrameWithAnAuthenticationOutcome() throws Exception {
        assertEquals("430[{\"ok\":false,\"error\":\"invalid token\"}]",
                SocketFrames.ackFrame(0, array("[{\"ok\":false,\"error\":\"invalid token\"}]")));
    }

    @Test
    void ackFrameOnACustomNamespace() throws Exception {
        assertEquals("43/admin,13[\"bar\"]", SocketFrames.ackFrame("/admin", 13, array("[\"bar\"]")));
    }

    @Test
    void ackFrameRefusesABadAckId() throws Exception {
        ArrayNode empty = array("[]");
        assertThrows(IllegalArgumentException.class, () -> SocketFrames.ackFrame(-1, empty));
        assertThrows(IllegalArgumentException.class, () -> SocketFrames.ackFrame(1_000_000_000_000_000L, empty));
    }

    @Test
    void disconnectFrameOnTheMainNamespace() {
        assertEquals("41", SocketFrames.disconnectFrame());
    }

    @Test
    void disconnectFrameOnACustomNamespace() {
        assertEquals("41/admin,", SocketFrames.disconnectFrame("/admin"));
    }

    @Test
    void framesRefuseANamespaceWithoutLeadingSlash() {
        assertThrows(IllegalArgumentException.class, () -> SocketFrames.connectFrame("admin", "sid"));
        assertThrows(IllegalArgumentException.class, () -> SocketFrames.connectErrorFrame("admin", "x"));
        assertThrows(IllegalArgumentException.class, () -> SocketFrames.disconnectFrame("admin"));
    }

    @Test
    void everyHelperFrameDecodesBack() throws Exception {
        assertEquals(SocketPacket.Type.CONNECT, decodeFrame(SocketFrames.connectFrame("/admin", "s")).type());
        assertEquals(SocketPacket.Type.CONNECT_ERROR, decodeFrame(SocketFrames.connectErrorFrame("no")).type());
        assertEquals(SocketPacket.Type.ACK, decodeFrame(SocketFrames.ackFrame(3, array("[]"))).type());
        assertEquals(SocketPacket.Type.DISCONNECT, decodeFrame(SocketFrames.disconnectFrame()).type());
    }
}
