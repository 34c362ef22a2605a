package dev.atlas.task.api;

import static dev.atlas.task.api.Json.fields;
import static dev.atlas.task.api.Json.tree;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.atlas.task.Priority;
import dev.atlas.task.ValidationException;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TaskJsonInputTest {

    private static ValidationException rejectedBody(JsonNode body) {
        ValidationException e = assertThrows(ValidationException.class, () -> new TaskJsonInput(body));
        assertEquals(List.of("body"), fields(e));
        return e;
    }

    @Test
    void nullBodyIsRejected() {
        assertEquals("a JSON object is required", rejectedBody(null).errors().get(0).message());
    }

    @Test
    void jsonNullBodyIsRejected() {
        assertEquals("a JSON object is required", rejectedBody(tree("null")).errors().get(0).message());
    }

    @Test
    void missingBodyIsRejected() {
        rejectedBody(MissingNode.getInstance());
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "[{'title':'x'}]", "'title'", "5", "true"})
    void nonObjectBodyIsRejected(String json) {
        assertEquals("must be a JSON object", rejectedBody(tree(json)).errors().get(0).message());
    }

    @Test
    void knownFieldsOnlyIsFine() {
        TaskJsonInput in = new TaskJsonInput(tree(
                "{'title':'t','description':'d','agentWallet':'w','priority':'low','dueAt':'2026-12-01T17:00:00Z'}"));
        assertDoesNotThrow(in::done);
    }

    @Test
    void unknownFieldsAreReportedByName() {
        TaskJsonInput in = new TaskJsonInput(tree("{'title':'t','foo':1,'Title':'x','status':'completed'}"));
        ValidationException e = assertThrows(ValidationException.class, in::done);
        assertEquals(Set.of("foo", "Title", "status"), Set.copyOf(fields(e)));
        assertEquals(3, e.errors().size());
        assertTrue(e.errors().get(0).message().contains("not a known field"), e.errors().get(0).message());
    }

    @Test
    void hasTellsAbsentFromNull() {
        TaskJsonInput in = new TaskJsonInput(tree("{'description':null}"));
        assertTrue(in.has("description"));
        assertFalse(in.has("title"));
    }

    @Test
    void stringValues() {
        TaskJsonInput in = new TaskJsonInput(tree("{'title':'Ship it','description':null,'agentWallet':''}"));
        assertEquals("Ship it", in.string("title"));
        assertNull(in.string("description"));
        assertNull(in.string("dueAt")); // absent
        assertEquals("", in.string("agentWallet"));
        assertDoesNotThrow(in::done);
    }

    @ParameterizedTest
    @ValueSource(strings = {"5", "5.5", "true", "{}", "['a']"})
    void nonStringIsATypeError(String value) {
        TaskJsonInput in = new TaskJsonInput(tree("{'title':" + value + "}"));
        assertNull(in.string("title"));
        ValidationException e = assertThrows(ValidationException.class, in::done);
        assertEquals(List.of("title"), fields(e));
        assertEquals("must be a string", e.errors().get(0).message());
    }

    @Test
    void everyWrongTypeIsReportedAtOnce() {
        TaskJsonInput in = new TaskJsonInput(tree("{'title':5,'priority':7,'dueAt':true,'extra':0}"));
        assertNull(in.string("title"));
        assertNull(in.priority(false));
        assertNull(in.dueAt());
        ValidationException e = assertThrows(ValidationException.class, in::done);
        assertEquals(Set.of("title", "priority", "dueAt", "extra"), Set.copyOf(fields(e)));
        assertEquals(4, e.errors().size());
    }

    @ParameterizedTest
    @CsvSource({"low, LOW", "normal, NORMAL", "high, HIGH"})
    void priorityValues(String wire, Priority expected) {
        TaskJsonInput in = new TaskJsonInput(tree("{'priority':'" + wire + "'}"));
        assertEquals(expected, in.priority(false));
        assertDoesNotThrow(in::done);
    }

    @Test
    void nullPriorityMeansTheDefaultOnlyWhereAllowed() {
        TaskJsonInput create = new TaskJsonInput(tree("{'priority':null}"));
        assertNull(create.priority(true));
        assertDoesNotThrow(create::done);
    }

    @Test
    void absentPriorityIsNull() {
        TaskJsonInput in = new TaskJsonInput(tree("{}"));
        assertNull(in.priority(false));
        assertDoesNotThrow(in::done);
    }

    @ParameterizedTest
    @ValueSource(strings = {"'HIGH'", "'High'", "'urgent'", "''", "' low'", "7", "true", "null", "['low']"})
    void badPriorityIsRejected(String value) {
        TaskJsonInput in = new TaskJsonInput(tree("{'priority':" + value + "}"));
        assertNull(in.priority(false));
        ValidationException e = assertThrows(ValidationException.class, in::done);
        assertEquals(List.of("priority"), fields(e));
        assertEquals("must be one of low, normal, high", e.errors().get(0).message());
    }

    @ParameterizedTest
    @CsvSource({
            "2026-12-01T17:00:00Z,                2026-12-01T17:00:00Z",
            "2026-12-01T19:00:00+02:00,           2026-12-01T17:00:00Z",
            "2026-12-01T11:30:00-05:30,           2026-12-01T17:00:00Z",
            "2026-12-02T01:00:00+08:00,           2026-12-01T17:00:00Z",
            "2026-12-01T19:00:00.123+02:00,       2026-12-01T17:00:00.123Z",
            "2026-12-01T19:00:00.123456789+02:00, 2026-12-01T17:00:00.123Z",
            "2026-12-01T17:00:00.9999Z,           2026-12-01T17:00:00.999Z",
            "2026-12-01T17:00Z,                   2026-12-01T17:00:00Z"})
    void dueAtWithOffsetBecomesUtcTruncatedToMillis(String given, String expected) {
        TaskJsonInput in = new TaskJsonInput(tree("{'dueAt':'" + given + "'}"));
        assertEquals(Instant.parse(expected), in.dueAt());
        assertDoesNotThrow(in::done);
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-12-01T17:00:00", "2026-12-01T17:00:00.000", "2026-12-01", "17:00:00Z",
            "tomorrow", "", "2026-13-01T17:00:00Z", "2026-12-01 17:00:00Z", "1764608400000"})
    void dueAtWithoutOffsetOrMalformedIsRejected(String given) {
        TaskJsonInput in = new TaskJsonInput(tree("{'dueAt':'" + given + "'}"));
        assertNull(in.dueAt());
        ValidationException e = assertThrows(ValidationException.class, in::done);
        assertEquals(List.of("dueAt"), fields(e));
        assertTrue(e.errors().get(0).message().contains("offset"), e.errors().get(0).message());
    }

    @Test
    void dueAtAsNumberIsATypeError() {
        TaskJsonInput in = new TaskJsonInput(tree("{'dueAt':1764608400000}"));
        assertNull(in.dueAt());
        ValidationException e = assertThrows(ValidationException.class, in::done);
        assertEquals(List.of("dueAt"), fields(e));
        assertEquals("must be a string", e.errors().get(0).message());
    }

    @Test
    void nullOrAbsentDueAtIsNull() {
        assertNull(new TaskJsonInput(tree("{'dueAt':null}")).dueAt());
        assertNull(new TaskJsonInput(tree("{}")).dueAt());
    }
}
