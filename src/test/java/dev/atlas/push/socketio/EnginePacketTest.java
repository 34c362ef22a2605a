package dev.atlas.push.socketio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.push.socketio.EnginePacket.Type;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Engine.IO v4 single packets: the text form of every type, and every malformed packet. */
class EnginePacketTest {

    private static void assertRoundTrip(String wire, Type type, String data) throws ProtocolException {
        EnginePacket decoded = EnginePacket.decode(wire);
        assertEquals(new EnginePacket(type, data), decoded);
        assertEquals(wire, decoded.encode());
    }

    private static ProtocolException rejected(String wire) {
        return assertThrows(ProtocolException.class, () -> EnginePacket.decode(wire));
    }

    // --- every type, encode and decode ---

    @Test
    void openPacketCarriesTheHandshakeJson() throws ProtocolException {
        assertRoundTrip("0{\"sid\":\"abc\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000,"
                + "\"maxPayload\":1000000}", Type.OPEN,
                "{\"sid\":\"abc\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000,\"maxPayload\":1000000}");
    }

    @Test
    void closePacket() throws ProtocolException {
        assertRoundTrip("1", Type.CLOSE, "");
    }

    @Test
    void pingPacket() throws ProtocolException {
        assertRoundTrip("2", Type.PING, "");
    }

    @Test
    void pingProbe() throws ProtocolException {
        assertRoundTrip("2probe", Type.PING, "probe");
        assertTrue(EnginePacket.decode("2probe").isProbe());
    }

    @Test
    void pongPacket() throws ProtocolException {
        assertRoundTrip("3", Type.PONG, "");
    }

    @Test
    void pongProbe() throws ProtocolException {
        assertRoundTrip("3probe", Type.PONG, "probe");
        assertTrue(EnginePacket.decode("3probe").isProbe());
    }

    @Test
    void messagePacket() throws ProtocolException {
        assertRoundTrip("4hello", Type.MESSAGE, "hello");
    }

    @Test
    void messageCarryingASocketIoConnect() throws ProtocolException {
        assertRoundTrip("40", Type.MESSAGE, "0");
    }

    @Test
    void messageCarryingASocketIoEvent() throws ProtocolException {
        assertRoundTrip("42[\"hello\",\"Jude\"]", Type.MESSAGE, "2[\"hello\",\"Jude\"]");
    }

    @Test
    void messageWithoutData() throws ProtocolException {
        assertRoundTrip("4", Type.MESSAGE, "");
    }

    @Test
    void messageWithUnicodeAndControlCharacters() throws ProtocolException {
        // over WebSocket a packet is a whole frame, so even the record separator is plain data
        assertRoundTrip("4€ é 😀 \n\t\u001e end", Type.MESSAGE, "€ é 😀 \n\t\u001e end");
    }

    @Test
    void upgradePacket() throws ProtocolException {
        assertRoundTrip("5", Type.UPGRADE, "");
    }

    @Test
    void noopPacket() throws ProtocolException {
        assertRoundTrip("6", Type.NOOP, "");
    }

    @ParameterizedTest
    @EnumSource(Type.class)
    void everyTypeIsWrittenAsItsDigit(Type type) throws ProtocolException {
        EnginePacket packet = EnginePacket.of(type);
        assertEquals(String.valueOf(type.code()), packet.encode());
        assertEquals(packet, EnginePacket.decode(packet.encode()));
    }

    @Test
    void typeCodesAreTheProtocolNumbers() {
        assertEquals(0, Type.OPEN.code());
        assertEquals(1, Type.CLOSE.code());
        assertEquals(2, Type.PING.code());
        assertEquals(3, Type.PONG.code());
        assertEquals(4, Type.MESSAGE.code());
        assertEquals(5, Type.UPGRADE.code());
        assertEquals(6, Type.NOOP.code());
    }

    @Test
    void messageFactory() {
        assertEquals("4abc", EnginePacket.message("abc").encode());
    }

    @Test
    void onlyPingAndPongWithProbeAreProbes() {
        assertFalse(EnginePacket.of(Type.PING).isProbe());
        assertFalse(EnginePacket.message("probe").isProbe());
        assertFalse(new EnginePacket(Type.PING, "probe2").isProbe());
    }

    @Test
    void toStringDoesNotShowTheData() {
        String s = EnginePacket.message("0{\"token\":\"secret-token\"}").toString();
        assertFalse(s.contains("secret"), s);
        assertTrue(s.contains("MESSAGE"), s);
    }

    @Test
    void nullPartsAreRefused() {
        assertThrows(NullPointerException.class, () -> new EnginePacket(null, ""));
        assertThrows(NullPointerException.class, () -> new EnginePacket(Type.MESSAGE, null));
        assertThrows(NullPointerException.class, () -> EnginePacket.decode(null));
    }

    // --- malformed packets ---

    @Test
    void rejectsEmptyPacket() {
        assertTrue(rejected("").getMessage().contains("empty"));
    }

    @Test
    void rejectsInvalidPacketFormatAbcFromTheTestSuite() {
        // engine.io-protocol test suite: "closes the session upon invalid packet format" sends "abc"
        assertTrue(rejected("abc").getMessage().contains("unknown Engine.IO packet type 'a'"));
    }

    @Test
    void rejectsUnknownTypeDigit7() {
        assertTrue(rejected("7").getMessage().contains("'7'"));
    }

    @Test
    void rejectsUnknownTypeDigit9WithData() {
        assertTrue(rejected("9hello").getMessage().contains("'9'"));
    }

    @Test
    void rejectsBase64BinaryPacketSayingTextOnly() {
        // engine.io-protocol test suite: "4hello\x1ebAQIDBA==" carries binary <01 02 03 04> as base64
        ProtocolException e = rejected("bAQIDBA==");
        assertTrue(e.getMessage().contains("binary"), e.getMessage());
        assertTrue(e.getMessage().contains("text"), e.getMessage());
    }

    @Test
    void rejectsPacketStartingWithWhitespace() {
        assertTrue(rejected(" 4hello").getMessage().contains("unknown Engine.IO packet type"));
    }

    @Test
    void rejectsPacketStartingWithNonAsciiDigit() {
        // U+0664 ARABIC-INDIC DIGIT FOUR is a digit to Character.isDigit, not to the protocol
        assertTrue(rejected("\u0664hello").getMessage().contains("U+0664"));
    }

    @Test
    void rejectsPacketStartingWithControlCharacter() {
        assertTrue(rejected("\u001e4hello").getMessage().contains("U+001E"));
    }
}
