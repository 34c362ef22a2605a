package dev.atlas.push.socketio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atlas.push.socketio.SocketPacket.Type;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Socket.IO v5 packets that must decode: every type, with the examples of the spec and test suite. */
class SocketPacketTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    private static ArrayNode array(String text) {
        return (ArrayNode) json(text);
    }

    private static ObjectNode object(String text) {
        return (ObjectNode) json(text);
    }

    /** Decodes, checks the parts, and checks that encoding gives the same text back. */
    private static SocketPacket assertRoundTrip(String wire, Type type, String namespace, OptionalLong ackId,
                                                String payloadJson) throws ProtocolException {
        SocketPacket p = SocketPacket.decode(wire);
        assertEquals(type, p.type());
        assertEquals(namespace, p.namespace());
        assertEquals(ackId, p.ackId());
        assertEquals(payloadJson == null ? null : json(payloadJson), p.payload().orElse(null));
        assertEquals(wire, p.encode());
        assertEquals(p, SocketPacket.of(type, namespace, ackId, payloadJson == null ? null : json(payloadJson)));
        return p;
    }

    // --- CONNECT ---

    @Test
    void connectToTheMainNamespace() throws ProtocolException {
        assertRoundTrip("0", Type.CONNECT, "/", OptionalLong.empty(), null);
    }

    @Test
    void connectToTheMainNamespaceWithAuthPayload() throws ProtocolException {
        SocketPacket p = assertRoundTrip("0{\"token\":\"123\"}", Type.CONNECT, "/", OptionalLong.empty(),
                "{\"token\":\"123\"}");
        assertEquals("123", p.payload().orElseThrow().get("token").textValue());
    }

    @Test
    void connectToACustomNamespace() throws ProtocolException {
        assertRoundTrip("0/admin,", Type.CONNECT, "/admin", OptionalLong.empty(), null);
    }

    @Test
    void connectToACustomNamespaceWithPayload() throws ProtocolException {
        assertRoundTrip("0/admin,{\"sid\":\"oSO0OpakMV_3jnilAAAA\"}", Type.CONNECT, "/admin", OptionalLong.empty(),
                "{\"sid\":\"oSO0OpakMV_3jnilAAAA\"}");
    }

    @Test
    void connectToANamespaceWithoutTrailingComma() throws ProtocolException {
        // socket.io-protocol test suite sends "40/random" and expects 44/random,{"message":"Invalid namespace"}:
        // a namespace that ends the packet may omit its comma
        SocketPacket p = SocketPacket.decode("0/random");
        assertEquals(Type.CONNECT, p.type());
        assertEquals("/random", p.namespace());
        assertEquals("0/random,", p.encode());
    }

    @Test
    void connectWithEmptyAuthObject() throws ProtocolException {
        assertRoundTrip("0{}", Type.CONNECT, "/", OptionalLong.empty(), "{}");
    }

    // --- DISCONNECT ---

    @Test
    void disconnectFromTheMainNamespace() throws ProtocolException {
        assertRoundTrip("1", Type.DISCONNECT, "/", OptionalLong.empty(), null);
    }

    @Test
    void disconnectFromACustomNamespace() throws ProtocolException {
        assertRoundTrip("1/admin,", Type.DISCONNECT, "/admin", OptionalLong.empty(), null);
    }

    @Test
    void disconnectFromACustomNamespaceWithoutTrailingComma() throws ProtocolException {
        // socket.io-protocol test suite: "41/custom"
        assertEquals("/custom", SocketPacket.decode("1/custom").namespace());
    }

    // --- EVENT ---

    @Test
    void eventOnTheMainNamespace() throws ProtocolException {
        SocketPacket p = assertRoundTrip("2[\"foo\"]", Type.EVENT, "/", OptionalLong.empty(), "[\"foo\"]");
        assertEquals("foo", p.eventName());
        assertEquals(List.of(), p.eventArguments());
    }

    @Test
    void eventOnACustomNamespace() throws ProtocolException {
        assertRoundTrip("2/admin,[\"bar\"]", Type.EVENT, "/admin", OptionalLong.empty(), "[\"bar\"]");
    }

    @Test
    void eventWithSeveralArgumentsFromTheTestSuite() throws ProtocolException {
        SocketPacket p = assertRoundTrip("2[\"message\",1,\"2\",{\"3\":[true]}]", Type.EVENT, "/",
                OptionalLong.empty(), "[\"message\",1,\"2\",{\"3\":[true]}]");
        assertEquals("message", p.eventName());
        assertEquals(List.of(json("1"), json("\"2\""), json("{\"3\":[true]}")), p.eventArguments());
    }

    @Test
    void eventWithAckId() throws ProtocolException {
        SocketPacket p = assertRoundTrip("212[\"foo\"]", Type.EVENT, "/", OptionalLong.of(12), "[\"foo\"]");
        assertEquals(12, p.ackId().getAsLong());
    }

    @Test
    void eventWithAckIdFromTheTestSuite() throws ProtocolException {
        assertRoundTrip("2456[\"message-with-ack\",1,\"2\",{\"3\":[false]}]", Type.EVENT, "/", OptionalLong.of(456),
                "[\"message-with-ack\",1,\"2\",{\"3\":[false]}]");
    }

    @Test
    void eventWithAckIdOnACustomNamespace() throws ProtocolException {
        // sample session: 42/admin,1["tellme"]
        assertRoundTrip("2/admin,1[\"tellme\"]", Type.EVENT, "/admin", OptionalLong.of(1), "[\"tellme\"]");
    }

    @Test
    void authenticateEventWithAck() throws ProtocolException {
        SocketPacket p = SocketPacket.decode("20[\"authenticate\",{\"token\":\"eyJhbGciOi.x.y\"}]");
        assertEquals("authenticate", p.eventName());
        assertEquals(0, p.ackId().getAsLong());
        assertEquals("eyJhbGciOi.x.y", p.eventArguments().get(0).get("token").textValue());
    }

    @Test
    void eventWithUnicodeAndEscapes() throws ProtocolException {
        assertRoundTrip("2[\"tâche ✓\",\"😀\",\"a\\\"b\\\\c\\n\",\"\\u0001\"]", Type.EVENT, "/",
                OptionalLong.empty(), "[\"tâche ✓\",\"😀\",\"a\\\"b\\\\c\\n\",\"\\u0001\"]");
    }

    @Test
    void eventWithTheLongestAllowedAckId() throws ProtocolException {
        assertRoundTrip("2999999999999999[\"a\"]", Type.EVENT, "/", OptionalLong.of(999_999_999_999_999L), "[\"a\"]");
    }

    @Test
    void ackIdWithLeadingZerosIsReadAsANumber() throws ProtocolException {
        // the reference parser reads the digits with Number("007") === 7
        SocketPacket p = SocketPacket.decode("2007[\"a\"]");
        assertEquals(7, p.ackId().getAsLong());
        assertEquals("27[\"a\"]", p.encode());
    }

    @Test
    void whitespaceAroundThePayloadIsAcceptedAsJsonParseDoes() throws ProtocolException {
        SocketPacket p = SocketPacket.decode("2 [\"a\", 1 ]\n");
        assertEquals("2[\"a\",1]", p.encode());
    }

    @Test
    void emptyEventNameIsAString() throws ProtocolException {
        assertEquals("", SocketPacket.decode("2[\"\"]").eventName());
    }

    // --- ACK ---

    @Test
    void ackOnTheMainNamespace() throws ProtocolException {
        assertRoundTrip("312[]", Type.ACK, "/", OptionalLong.of(12), "[]");
    }

    @Test
    void ackOnACustomNamespace() throws ProtocolException {
        assertRoundTrip("3/admin,13[\"bar\"]", Type.ACK, "/admin", OptionalLong.of(13), "[\"bar\"]");
    }

    @Test
    void ackFromTheTestSuite() throws ProtocolException {
        assertRoundTrip("3456[1,\"2\",{\"3\":[false]}]", Type.ACK, "/", OptionalLong.of(456), "[1,\"2\",{\"3\":[false]}]");
    }

    @Test
    void ackWithIdZero() throws ProtocolException {
        assertRoundTrip("30[null]", Type.ACK, "/", OptionalLong.of(0), "[null]");
    }

    // --- CONNECT_ERROR ---

    @Test
    void connectErrorOnTheMainNamespace() throws ProtocolException {
        assertRoundTrip("4{\"message\":\"Not authorized\"}", Type.CONNECT_ERROR, "/", OptionalLong.empty(),
                "{\"message\":\"Not authorized\"}");
    }

    @Test
    void connectErrorForAnInvalidNamespace() throws ProtocolException {
        assertRoundTrip("4/random,{\"message\":\"Invalid namespace\"}", Type.CONNECT_ERROR, "/random",
                OptionalLong.empty(), "{\"message\":\"Invalid namespace\"}");
    }

    @Test
    void connectErrorWithData() throws ProtocolException {
        assertRoundTrip("4{\"message\":\"Forbidden\",\"data\":{\"reason\":\"expired\"}}", Type.CONNECT_ERROR, "/",
                OptionalLong.empty(), "{\"message\":\"Forbidden\",\"data\":{\"reason\":\"expired\"}}");
    }

    // --- factories and accessors ---

    @Test
    void factoriesEncodeAsTheSpecExamples() {
        assertEquals("0", SocketPacket.connect("/", null).encode());
        assertEquals("0/admin,{\"token\":\"abc\"}", SocketPacket.connect("/admin", object("{\"token\":\"abc\"}")).encode());
        assertEquals("1", SocketPacket.disconnect("/").encode());
        assertEquals("1/admin,", SocketPacket.disconnect("/admin").encode());
        assertEquals("2[\"foo\"]", SocketPacket.event("/", array("[\"foo\"]")).encode());
        assertEquals("2/admin,13[\"foo\"]", SocketPacket.event("/admin", 13, array("[\"foo\"]")).encode());
        assertEquals("3/admin,13[\"bar\"]", SocketPacket.ack("/admin", 13, array("[\"bar\"]")).encode());
        assertEquals("4{\"message\":\"Not authorized\"}", SocketPacket.connectError("/", "Not authorized").encode());
    }

    @Test
    void frameAndEnginePacketAddTheMessageType() {
        SocketPacket p = SocketPacket.event("/", array("[\"hey\",\"Jude\"]"));
        assertEquals("42[\"hey\",\"Jude\"]", p.frame());
        assertEquals(EnginePacket.message("2[\"hey\",\"Jude\"]"), p.toEnginePacket());
    }

    @Test
    void decodingTheDataOfAnEngineMessage() throws ProtocolException {
        EnginePacket engine = EnginePacket.decode("42[\"hello\"]");
        assertEquals("hello", SocketPacket.decode(engine.data()).eventName());
    }

    @Test
    void payloadIsCopiedOnTheWayIn() {
        ArrayNode data = array("[\"foo\",1]");
        SocketPacket p = SocketPacket.event("/", data);
        data.removeAll().add("changed");
        assertEquals("2[\"foo\",1]", p.encode());
    }

    @Test
    void payloadIsCopiedOnTheWayOut() throws ProtocolException {
        SocketPacket p = SocketPacket.decode("0{\"token\":\"t\"}");
        ((ObjectNode) p.payload().orElseThrow()).put("token", "stolen");
        ((ObjectNode) p.payload().orElseThrow()).removeAll();
        assertEquals("0{\"token\":\"t\"}", p.encode());
    }

    @Test
    void eventArgumentsAreCopiesInAnUnmodifiableList() throws ProtocolException {
        SocketPacket p = SocketPacket.decode("2[\"e\",{\"a\":1}]");
        List<JsonNode> args = p.eventArguments();
        ((ObjectNode) args.get(0)).put("a", 2);
        assertThrows(UnsupportedOperationException.class, () -> args.add(json("1")));
        assertEquals("2[\"e\",{\"a\":1}]", p.encode());
    }

    @Test
    void eventAccessorsRefuseOtherTypes() throws ProtocolException {
        SocketPacket ack = SocketPacket.decode("31[\"x\"]");
        assertThrows(IllegalStateException.class, ack::eventName);
        assertThrows(IllegalStateException.class, ack::eventArguments);
    }

    @Test
    void equalityIsByValue() throws ProtocolException {
        assertEquals(SocketPacket.decode("2/a,1[\"x\"]"), SocketPacket.decode("2/a,1[\"x\"]"));
        assertEquals(SocketPacket.decode("2/a,1[\"x\"]").hashCode(), SocketPacket.decode("2/a,1[\"x\"]").hashCode());
        assertNotEquals(SocketPacket.decode("2/a,1[\"x\"]"), SocketPacket.decode("2/a,2[\"x\"]"));
        assertNotEquals(SocketPacket.decode("2/a,1[\"x\"]"), SocketPacket.decode("2/b,1[\"x\"]"));
        assertNotEquals(SocketPacket.decode("2[\"x\"]"), SocketPacket.decode("2[\"y\"]"));
        assertNotEquals(SocketPacket.decode("0"), SocketPacket.decode("1"));
    }

    @Test
    void toStringNeverShowsThePayload() throws ProtocolException {
        String s = SocketPacket.decode("0{\"token\":\"secret-token\"}").toString();
        assertFalse(s.contains("secret"), s);
        assertTrue(s.contains("CONNECT"), s);
    }

    @Test
    void typeCodesAreTheProtocolNumbers() {
        assertEquals(0, Type.CONNECT.code());
        assertEquals(1, Type.DISCONNECT.code());
        assertEquals(2, Type.EVENT.code());
        assertEquals(3, Type.ACK.code());
        assertEquals(4, Type.CONNECT_ERROR.code());
        assertEquals(5, Type.values().length, "BINARY_EVENT and BINARY_ACK are not supported");
    }

    // --- construction refusals (the same rules as decoding) ---

    @Test
    void namespaceWithoutLeadingSlashIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> SocketPacket.disconnect("admin"));
        assertThrows(IllegalArgumentException.class, () -> SocketPacket.disconnect(""));
    }

    @Test
    void namespaceWithCommaIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> SocketPacket.disconnect("/a,b"));
    }

    @Test
    void negativeOrTooLongAckIdIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> SocketPacket.ack("/", -1, array("[]")));
        assertThrows(IllegalArgumentException.class, () -> SocketPacket.ack("/", 1_000_000_000_000_000L, array("[]")));
    }

    @Test
    void payloadNotSuitingTheTypeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> SocketPacket.event("/", array("[]")));
        assertThrows(IllegalArgumentException.class, () -> SocketPacket.event("/", array("[1]")));
        assertThrows(IllegalArgumentException.class, () -> SocketPacket.event("/", array("[\"disconnect\"]")));
        assertThrows(IllegalArgumentException.class,
                () -> SocketPacket.of(Type.DISCONNECT, "/", OptionalLong.empty(), json("{}")));
        assertThrows(IllegalArgumentException.class,
                () -> SocketPacket.of(Type.CONNECT, "/", OptionalLong.of(1), null));
        assertThrows(IllegalArgumentException.class,
                () -> SocketPacket.of(Type.ACK, "/", OptionalLong.empty(), json("[]")));
        assertThrows(IllegalArgumentException.class,
                () -> SocketPacket.of(Type.CONNECT_ERROR, "/", OptionalLong.empty(), json("\"Unauthorized\"")));
    }
}
