package dev.atlas.push.socketio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Engine.IO open packet, byte for byte. */
class HandshakeTest {
    private static final String SID = "lv_VI97HAXpY6yYWAAAC";

    @Test
    void pollingSessionIsOfferedTheWebSocketUpgrade() {
        Handshake h = Handshake.forPolling(SID, 25_000, 20_000, 1_000_000);
        assertEquals("0{\"sid\":\"lv_VI97HAXpY6yYWAAAC\",\"upgrades\":[\"websocket\"],\"pingInterval\":25000,"
                + "\"pingTimeout\":20000,\"maxPayload\":1000000}", h.encode());
    }

    @Test
    void webSocketOnlySessionHasNoUpgrades() {
        Handshake h = Handshake.forWebSocket(SID, 25_000, 20_000, 1_000_000);
        assertEquals("0{\"sid\":\"lv_VI97HAXpY6yYWAAAC\",\"upgrades\":[],\"pingInterval\":25000,"
                + "\"pingTimeout\":20000,\"maxPayload\":1000000}", h.encode());
    }

    @Test
    void defaultsAreTheReferenceServerDefaults() {
        assertEquals(25_000, Handshake.DEFAULT_PING_INTERVAL_MILLIS);
        assertEquals(20_000, Handshake.DEFAULT_PING_TIMEOUT_MILLIS);
        assertEquals(1_000_000, Handshake.DEFAULT_MAX_PAYLOAD_BYTES);
    }

    @Test
    void settingsFromTheTestSuiteConfiguration() {
        // the protocol test suites run the server with pingInterval 300 and pingTimeout 200
        assertEquals("{\"sid\":\"s\",\"upgrades\":[\"websocket\"],\"pingInterval\":300,\"pingTimeout\":200,"
                + "\"maxPayload\":1000000}", Handshake.forPolling("s", 300, 200, 1_000_000).json());
    }

    @Test
    void packetIsAnOpenPacketWithTheJsonAsData() throws ProtocolException {
        Handshake h = Handshake.forWebSocket(SID, 25_000, 20_000, 1_000_000);
        EnginePacket p = EnginePacket.decode(h.encode());
        assertEquals(EnginePacket.Type.OPEN, p.type());
        assertEquals(h.json(), p.data());
        assertEquals(h.packet(), p);
    }

    @Test
    void jsonHasExactlyTheFiveKeysInReferenceOrder() throws Exception {
        JsonNode json = new ObjectMapper().readTree(Handshake.forPolling(Sids.next(), 25_000, 20_000, 1_000_000).json());
        List<String> keys = new ArrayList<>();
        json.fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload"), keys);
        assertEquals(25_000, json.get("pingInterval").longValue());
        assertTrue(json.get("sid").isTextual());
        assertTrue(json.get("upgrades").isArray());
    }

    @Test
    void sidIsJsonEscaped() {
        assertEquals("{\"sid\":\"a\\\"b\\\\c\",\"upgrades\":[],\"pingInterval\":1,\"pingTimeout\":2,\"maxPayload\":3}",
                Handshake.forWebSocket("a\"b\\c", 1, 2, 3).json());
    }

    @Test
    void upgradesAreCopied() {
        List<String> upgrades = new ArrayList<>(List.of("websocket"));
        Handshake h = new Handshake("s", upgrades, 1, 2, 3);
        upgrades.add("webtransport");
        assertEquals(List.of("websocket"), h.upgrades());
    }

    @Test
    void nonPositiveSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Handshake.forPolling("s", 0, 20_000, 1_000_000));
        assertThrows(IllegalArgumentException.class, () -> Handshake.forPolling("s", 25_000, -1, 1_000_000));
        assertThrows(IllegalArgumentException.class, () -> Handshake.forPolling("s", 25_000, 20_000, 0));
        assertThrows(NullPointerException.class, () -> Handshake.forPolling(null, 25_000, 20_000, 1));
    }
}
