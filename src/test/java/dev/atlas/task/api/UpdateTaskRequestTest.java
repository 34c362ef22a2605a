package dev.atlas.task.api;

import static dev.atlas.task.api.Json.fields;
import static dev.atlas.task.api.Json.tree;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.task.Priority;
import dev.atlas.task.TaskChangesProbe;
import dev.atlas.task.ValidationException;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UpdateTaskRequestTest {

    private static TaskChangesProbe parse(String json) {
        return new TaskChangesProbe(UpdateTaskRequest.parse(tree(json)));
    }

    @Test
    void emptyObjectChangesNothing() {
        TaskChangesProbe c = parse("{}");
        assertFalse(c.titleSet());
        assertFalse(c.descriptionSet());
        assertFalse(c.agentWalletSet());
        assertFalse(c.prioritySet());
        assertFalse(c.dueAtSet());
    }

    @Test
    void absentFieldsAreNotSet() {
        TaskChangesProbe c = parse("{'title':'New title'}");
        assertTrue(c.titleSet());
        assertEquals("New title", c.title());
        assertFalse(c.descriptionSet());
        assertFalse(c.agentWalletSet());
        assertFalse(c.prioritySet());
        assertFalse(c.dueAtSet());
    }

    @Test
    void nullSetsAndClears() {
        TaskChangesProbe c = parse("{'description':null,'agentWallet':null,'dueAt':null}");
        assertTrue(c.descriptionSet());
        assertNull(c.description());
        assertTrue(c.agentWalletSet());
        assertNull(c.agentWallet());
        assertTrue(c.dueAtSet());
        assertNull(c.dueAt());
        assertFalse(c.titleSet());
        assertFalse(c.prioritySet());
    }

    @Test
    void nullTitleIsSetSoThatTheServiceRejectsIt() {
        TaskChangesProbe c = parse("{'title':null}");
        assertTrue(c.titleSet());
        assertNull(c.title());
    }

    @Test
    void everyField() {
        TaskChangesProbe c = parse("{'title':'t','description':'d','agentWallet':'0xAB','priority':'low',"
                + "'dueAt':'2026-12-01T19:00:00+02:00'}");
        assertEquals("t", c.title());
        assertEquals("d", c.description());
        assertEquals("0xAB", c.agentWallet());
        assertEquals(Priority.LOW, c.priority());
        assertEquals(Instant.parse("2026-12-01T17:00:00Z"), c.dueAt());
        assertTrue(c.titleSet() && c.descriptionSet() && c.agentWalletSet() && c.prioritySet() && c.dueAtSet());
    }

    @Test
    void nullPriorityIsRejectedNotCleared() {
        ValidationException e = assertThrows(ValidationException.class, () -> parse("{'priority':null}"));
        assertEquals(List.of("priority"), fields(e));
    }

    @Test
    void wrongTypesAreReportedByField() {
        ValidationException e = assertThrows(ValidationException.class,
                () -> parse("{'title':5,'priority':7,'dueAt':true}"));
        assertEquals(Set.of("title", "priority", "dueAt"), Set.copyOf(fields(e)));
        assertEquals(3, e.errors().size());
    }

    @Test
    void unknownFieldsAreReportedByName() {
        ValidationException e = assertThrows(ValidationException.class,
                () -> parse("{'status':'completed','id':3}"));
        assertEquals(Set.of("status", "id"), Set.copyOf(fields(e)));
    }

    @Test
    void nullAndArrayBodies() {
        assertEquals(List.of("body"), fields(assertThrows(ValidationException.class,
                () -> UpdateTaskRequest.parse(null))));
        assertEquals(List.of("body"), fields(assertThrows(ValidationException.class,
                () -> UpdateTaskRequest.parse(tree("null")))));
        assertEquals(List.of("body"), fields(assertThrows(ValidationException.class,
                () -> UpdateTaskRequest.parse(tree("[]")))));
    }

    @Test
    void dueAtWithoutOffset() {
        ValidationException e = assertThrows(ValidationException.class,
                () -> parse("{'dueAt':'2026-12-01T17:00:00'}"));
        assertEquals(List.of("dueAt"), fields(e));
    }
}
