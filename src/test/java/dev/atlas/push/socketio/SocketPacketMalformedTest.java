package dev.atlas.push.socketio;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Every malformed Socket.IO packet: the cases of the socket.io-protocol compliance suite
 * ({@code test-suite/}, sent there behind the Engine.IO {@code 4}), of the reference socket.io-parser's own
 * tests, and of the rules Atlas adds (see {@link SocketPacket}). Each must be refused with a message that
 * names the broken rule; the endpoint then closes the session.
 */
class SocketPacketMalformedTest {

    private static void assertRejected(String wire, String expectedInMessage) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> SocketPacket.decode(wire),
                () -> "should be rejected: " + wire);
        assertTrue(e.getMessage().contains(expectedInMessage),
                () -> "message of " + wire + " was: " + e.getMessage());
    }

    // --- socket.io-protocol test suite ---

    @Test
    void suiteInvalidHandshakeAndUnknownPacketType4abc() {
        assertRejected("abc", "unknown Socket.IO packet type 'a'");
    }

    @Test
    void suiteInvalidPayloadFormat42ObjectInsteadOfArray() {
        assertRejected("2{}", "EVENT payload must be a JSON array");
    }

    @Test
    void suiteInvalidAckId42abc() {
        assertRejected("2abc[\"message-with-ack\",1,\"2\",{\"3\":[false]}]", "expected an ack id or a JSON array or object at offset 1");
    }

    @Test
    void suiteBinaryEventWithAttachments() {
        assertRejected("52-[\"message\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]",
                "BINARY_EVENT) are not supported");
    }

    @Test
    void suiteBinaryEventWithAttachmentsAndAck() {
        assertRejected("52-789[\"message-with-ack\",{\"_placeholder\":true,\"num\":0}]", "text protocol only");
    }

    @Test
    void suiteBinaryAck() {
        assertRejected("62-789[{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]",
                "BINARY_ACK) are not supported");
    }

    // --- socket.io-parser tests: "throw an error upon parsing error" and "decodes a bad binary packet" ---

    @Test
    void parserConnectErrorWithAckIdAndTruncatedJson() {
        assertRejected("442[\"some\",\"data\"", "CONNECT_ERROR packets carry no ack id");
    }

    @Test
    void parserConnectWithStringPayload() {
        assertRejected("0/admin,\"invalid\"", "a JSON array or object at offset 8, found '\"'");
    }

    @Test
    void parserConnectWithArrayPayload() {
        assertRejected("0[]", "CONNECT payload must be a JSON object");
    }

    @Test
    void parserDisconnectWithPayload() {
        assertRejected("1/admin,{}", "DISCONNECT packets carry no payload");
    }

    @Test
    void parserEventWithUnterminatedString() {
        assertRejected("2/admin,\"invalid", "expected an ack id or a JSON array or object");
    }

    @Test
    void parserEventWithObjectPayloadOnANamespace() {
        assertRejected("2/admin,{}", "EVENT payload must be a JSON array");
    }

    @Test
    void parserEventNameIsAnObject() {
        assertRejected("2[{\"toString\":\"foo\"}]", "event name, must be a string");
    }

    @Test
    void parserEventNameIsABoolean() {
        assertRejected("2[true,\"foo\"]", "event name, must be a string");
    }

    @Test
    void parserEventNameIsNull() {
        assertRejected("2[null,\"bar\"]", "event name, must be a string");
    }

    @Test
    void parserReservedEventNameConnect() {
        assertRejected("2[\"connect\"]", "'connect' is a reserved event name");
    }

    @Test
    void parserReservedEventNameDisconnect() {
        assertRejected("2[\"disconnect\",\"123\"]", "'disconnect' is a reserved event name");
    }

    @Test
    void parserUnknownPacketType9() {
        assertRejected("999", "unknown Socket.IO packet type '9'");
    }

    @Test
    void parserBadBinaryPacketAlone() {
        assertRejected("5", "not supported");
    }

    // --- empty input and unknown types ---

    @Test
    void emptyPacket() {
        assertRejected("", "empty Socket.IO packet");
    }

    @Test
    void typeDigit7() {
        assertRejected("7[\"a\"]", "unknown Socket.IO packet type '7'");
    }

    @Test
    void typeIsNotADigit() {
        assertRejected("[\"a\"]", "unknown Socket.IO packet type '['");
    }

    // --- reserved event names the reference also refuses ---

    @Test
    void reservedEventNameConnectError() {
        assertRejected("2[\"connect_error\"]", "reserved event name");
    }

    @Test
    void reservedEventNameDisconnecting() {
        assertRejected("2[\"disconnecting\"]", "reserved event name");
    }

    @Test
    void reservedEventNameNewListener() {
        assertRejected("2[\"newListener\"]", "reserved event name");
    }

    @Test
    void reservedEventNameRemoveListener() {
        assertRejected("21[\"removeListener\"]", "reserved event name");
    }

    // --- CONNECT ---

    @Test
    void connectWithNumberPayload() {
        // "40" followed by digits reads as an ack id, which CONNECT may not carry
        assertRejected("0123", "CONNECT packets carry no ack id");
    }

    @Test
    void connectWithAckIdAndObject() {
        assertRejected("012{}", "CONNECT packets carry no ack id");
    }

    @Test
    void connectWithNullPayload() {
        assertRejected("0null", "expected an ack id or a JSON array or object");
    }

    @Test
    void connectWithTrailingGarbage() {
        assertRejected("0{\"token\":\"a\"}}", "payload is not valid JSON");
    }

    @Test
    void connectWithUnquotedKey() {
        assertRejected("0{token:\"a\"}", "payload is not valid JSON");
    }

    @Test
    void connectWithSingleQuotes() {
        assertRejected("0{'token':'a'}", "payload is not valid JSON");
    }

    // --- DISCONNECT ---

    @Test
    void disconnectWithAckId() {
        assertRejected("112", "DISCONNECT packets carry no ack id");
    }

    @Test
    void disconnectWithArrayPayload() {
        assertRejected("1[]", "DISCONNECT packets carry no payload");
    }

    // --- EVENT ---

    @Test
    void eventWithoutPayload() {
        assertRejected("2", "EVENT packets need a payload");
    }

    @Test
    void eventWithAckIdButNoPayload() {
        assertRejected("212", "EVENT packets need a payload");
    }

    @Test
    void eventWithEmptyArray() {
        assertRejected("2[]", "EVENT payload must not be empty");
    }

    @Test
    void eventNameIsANumber() {
        // accepted by the reference parser, refused by Atlas: an event name is a string
        assertRejected("2[1,\"a\"]", "event name, must be a string");
    }

    @Test
    void eventNameIsAnArray() {
        assertRejected("2[[\"a\"]]", "event name, must be a string");
    }

    @Test
    void eventWithTrailingGarbage() {
        assertRejected("2[\"a\"]x", "Unrecognized token 'x'");
    }

    @Test
    void eventWithTwoJsonValues() {
        assertRejected("2[\"a\"][\"b\"]", "payload is not valid JSON");
    }

    @Test
    void eventWithTruncatedJson() {
        assertRejected("2[\"some\",\"data\"", "payload is not valid JSON");
    }

    @Test
    void eventWithTrailingCommaInArray() {
        assertRejected("2[\"a\",]", "payload is not valid JSON");
    }

    @Test
    void eventWithNaN() {
        assertRejected("2[\"a\",NaN]", "payload is not valid JSON");
    }

    @Test
    void eventWithComment() {
        assertRejected("2[\"a\" /* c */]", "payload is not valid JSON");
    }

    @Test
    void eventWithWhitespaceOnlyPayload() {
        assertRejected("2 ", "payload is not valid JSON");
    }

    @Test
    void eventWithStringPayload() {
        assertRejected("2\"a\"", "expected an ack id or a JSON array or object");
    }

    // --- ack ids ---

    @Test
    void nonNumericAckId() {
        assertRejected("3x[]", "expected an ack id or a JSON array or object at offset 1, found 'x'");
    }

    @Test
    void negativeAckId() {
        assertRejected("2-1[\"a\"]", "found '-'");
    }

    @Test
    void decimalAckId() {
        assertRejected("21.5[\"a\"]", "expected a JSON array or object at offset 2, found '.'");
    }

    @Test
    void ackIdWithLetterSuffix() {
        assertRejected("212a[\"a\"]", "expected a JSON array or object at offset 3, found 'a'");
    }

    @Test
    void ackIdOf16Digits() {
        assertRejected("21234567890123456[\"a\"]", "ack id longer than 15 digits");
    }

    @Test
    void ackIdBeyondLongRange() {
        assertRejected("399999999999999999999999999[]", "ack id longer than 15 digits");
    }

    @Test
    void ackIdOnACustomNamespaceOf16Digits() {
        assertRejected("3/admin,1234567890123456[]", "ack id longer than 15 digits");
    }

    // --- ACK ---

    @Test
    void ackWithoutAckId() {
        assertRejected("3[]", "ACK packets need an ack id");
    }

    @Test
    void ackWithoutPayload() {
        assertRejected("312", "ACK payload must be a JSON array");
    }

    @Test
    void ackWithObjectPayload() {
        assertRejected("312{}", "ACK payload must be a JSON array");
    }

    // --- CONNECT_ERROR ---

    @Test
    void connectErrorWithoutPayload() {
        assertRejected("4", "CONNECT_ERROR payload must be a JSON object");
    }

    @Test
    void connectErrorWithStringPayload() {
        // the v4 protocol sent a bare string; v5 sends {"message": ...}
        assertRejected("4\"Unauthorized\"", "expected an ack id or a JSON array or object");
    }

    @Test
    void connectErrorWithArrayPayload() {
        assertRejected("4[\"Unauthorized\"]", "CONNECT_ERROR payload must be a JSON object");
    }

    // --- namespaces ---

    @Test
    void namespaceMissingCommaBeforeEventPayload() {
        assertRejected("2/admin[\"x\"]", "missing ',' between the namespace and the payload");
    }

    @Test
    void namespaceMissingCommaBeforeConnectPayload() {
        assertRejected("0/admin{\"token\":\"1\"}", "missing ',' between the namespace and the payload");
    }

    @Test
    void namespaceMissingCommaWhenThePayloadHasACommaInside() {
        assertRejected("2/admin[\"a\",1]", "missing ',' between the namespace and the payload");
    }

    @Test
    void namespaceMissingCommaBeforeAckId() {
        // the digits cannot be told apart from the namespace: "/admin12" then a glued payload
        assertRejected("3/admin12[\"a\"]", "missing ',' between the namespace and the payload");
    }

    @Test
    void namespaceMissingCommaWithoutPayloadBecomesAnEventWithoutPayload() {
        assertRejected("2/admin", "EVENT packets need a payload");
    }

    @Test
    void namespaceWithControlCharacter() {
        assertRejected("0/ad\u0000min,", "namespace contains the invalid character U+0000");
    }

    @Test
    void namespaceWithNewline() {
        assertRejected("0/admin\n,", "namespace contains the invalid character U+000A");
    }
}
