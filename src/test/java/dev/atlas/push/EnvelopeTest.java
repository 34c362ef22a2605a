package dev.atlas.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atlas.event.EventType;
import dev.atlas.event.TaskEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Golden-file tests of the wire envelope: the expected text is in {@code src/test/resources/golden}, one
 * file per case, compared character for character (a single trailing newline of the file is ignored).
 */
class EnvelopeTest {
    private static final String WALLET = "0xabcdef0123456789abcdef0123456789abcdef01";
    private static final Instant WHOLE_SECOND = Instant.parse("2026-11-25T18:00:00Z");
    private static final String TASK_JSON = "{\"id\":7,\"title\":\"Ship it\",\"description\":null,\"status\":\"pending\","
            + "\"agentWallet\":\"" + WALLET + "\",\"priority\":\"normal\",\"dueAt\":null,"
            + "\"createdAt\":\"2026-11-25T18:00:00.000Z\",\"updatedAt\":\"2026-11-25T18:00:00.000Z\","
            + "\"startedAt\":null,\"completedAt\":null,\"version\":1}";

    static String golden(String name) {
        try (InputStream in = EnvelopeTest.class.getResourceAsStream("/golden/" + name + ".json")) {
            assertNotNull(in, "missing golden file " + name + ".json");
            String s = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void assertGolden(String name, String actual) {
        assertEquals(golden(name), actual);
        try {
            JsonNode tree = new ObjectMapper().readTree(actual);
            assertTrue(tree.isObject());
        } catch (IOException e) {
            throw new AssertionError("not valid JSON: " + actual, e);
        }
    }

    @Test
    void taskCreated() {
        // the event knows the agent, but only taskAssigned carries agentWallet at the top level
        TaskEvent e = new TaskEvent(1042, EventType.TASK_CREATED, WHOLE_SECOND, 7, WALLET, null, TASK_JSON);
        assertGolden("taskCreated", Envelope.of(e));
    }

    @Test
    void taskAssignedHasAgentWalletBetweenIdAndData() {
        TaskEvent e = new TaskEvent(1043, EventType.TASK_ASSIGNED, WHOLE_SECOND, 7, WALLET, null, TASK_JSON);
        String json = Envelope.of(e);
        assertGolden("taskAssigned", json);
        int id = json.indexOf("\"id\":\"1043\"");
        int wallet = json.indexOf("\"agentWallet\":");
        int data = json.indexOf("\"data\":");
        assertTrue(id >= 0 && id < wallet && wallet < data, json);
    }

    @Test
    void taskDeletedCarriesOnlyTheId() {
        TaskEvent e = new TaskEvent(1050, EventType.TASK_DELETED, Instant.parse("2026-11-25T18:05:07.100Z"), 7,
                null, WALLET, "{\"id\":7}");
        assertGolden("taskDeleted", Envelope.of(e));
    }

    @Test
    void hello() {
        assertGolden("hello", Envelope.hello(1042, WHOLE_SECOND));
    }

    @Test
    void errorEscapesItsMessage() {
        String message = "bad \"type\": C:\\tmp\n\tnext \u0001 caf\u00e9 \u2603 \uD83D\uDE00 </script>";
        assertGolden("error", Envelope.error(message, Instant.parse("2026-11-25T18:00:00.007Z")));
        // and the message survives a JSON round trip unchanged
        try {
            assertEquals(message, new ObjectMapper().readTree(golden("error")).get("message").textValue());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void pong() {
        assertGolden("pong", Envelope.pong(Instant.parse("2026-11-25T18:00:00.999Z")));
    }

    @Test
    void timestampHasExactlyThreeFractionDigits() {
        assertTimestamp("2026-11-25T18:00:00.000Z", WHOLE_SECOND);
        assertTimestamp("2026-11-25T18:00:00.100Z", Instant.parse("2026-11-25T18:00:00.1Z"));
        assertTimestamp("2026-11-25T18:00:00.120Z", Instant.parse("2026-11-25T18:00:00.12Z"));
        // sub-millisecond digits are cut, not rounded
        assertTimestamp("2026-11-25T18:00:00.123Z", Instant.parse("2026-11-25T18:00:00.123999999Z"));
    }

    private static void assertTimestamp(String expected, Instant t) {
        String json = Envelope.of(new TaskEvent(1, EventType.TASK_UPDATED, t, 1, null, null, "{}"));
        assertTrue(json.contains("\"timestamp\":\"" + expected + "\""), json);
        assertTrue(Envelope.hello(1, t).contains("\"timestamp\":\"" + expected + "\""));
        assertTrue(Envelope.pong(t).contains("\"timestamp\":\"" + expected + "\""));
        assertTrue(Envelope.error("x", t).contains("\"timestamp\":\"" + expected + "\""));
    }

    @Test
    void everyEventTypeUsesItsWireName() {
        for (EventType type : EventType.values()) {
            String json = Envelope.of(new TaskEvent(9, type, WHOLE_SECOND, 1, WALLET, null, "{\"id\":1}"));
            assertTrue(json.startsWith("{\"event\":\"" + type.wireName() + "\","), json);
            assertEquals(type == EventType.TASK_ASSIGNED, json.contains("agentWallet"), json);
        }
    }

    @Test
    void serializationsCountsEachTaskEventOnce() {
        TaskEvent e = new TaskEvent(1, EventType.TASK_CREATED, WHOLE_SECOND, 1, null, null, "{\"id\":1}");
        long before = Envelope.serializations();
        Envelope.of(e);
        assertEquals(before + 1, Envelope.serializations());
        Envelope.of(e);
        Envelope.of(e);
        assertEquals(before + 3, Envelope.serializations());
    }

    @Test
    void controlMessagesAreNotCountedAsSerializations() {
        long before = Envelope.serializations();
        Envelope.hello(5, WHOLE_SECOND);
        Envelope.error("nope", WHOLE_SECOND);
        Envelope.pong(WHOLE_SECOND);
        assertEquals(before, Envelope.serializations());
    }

    @Test
    void dataIsEmbeddedAsIsNotReparsed() {
        // whitespace inside data is kept: the event's JSON is written raw, once
        String data = "{\"id\": 7,  \"title\": \"x\"}";
        String json = Envelope.of(new TaskEvent(2, EventType.TASK_UPDATED, WHOLE_SECOND, 7, null, null, data));
        assertTrue(json.endsWith("\"data\":" + data + "}"), json);
        assertFalse(json.contains("\n"));
    }
}
