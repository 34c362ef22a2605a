package dev.atlas.task.api;

import static dev.atlas.task.api.Json.fields;
import static dev.atlas.task.api.Json.tree;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.atlas.task.NewTask;
import dev.atlas.task.Priority;
import dev.atlas.task.ValidationException;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CreateTaskRequestTest {

    @Test
    void everyField() {
        NewTask t = CreateTaskRequest.parse(tree("{'title':'Ship it','description':'Before Friday',"
                + "'agentWallet':'0xAbC','priority':'high','dueAt':'2026-12-01T19:00:00.5+02:00'}"));
        // values are passed through as given: trimming, limits and wallet rules are the service's job
        assertEquals(new NewTask("Ship it", "Before Friday", "0xAbC", Priority.HIGH,
                Instant.parse("2026-12-01T17:00:00.500Z")), t);
    }

    @Test
    void onlyTitle() {
        assertEquals(new NewTask("t", null, null, null, null), CreateTaskRequest.parse(tree("{'title':'t'}")));
    }

    @Test
    void nullsAreLikeAbsent() {
        assertEquals(new NewTask("t", null, null, null, null),
                CreateTaskRequest.parse(tree("{'title':'t','description':null,'agentWallet':null,'dueAt':null}")));
    }

    @Test
    void missingTitleIsLeftToTheServiceRules() {
        assertEquals(new NewTask(null, null, null, null, null), CreateTaskRequest.parse(tree("{}")));
    }

    @Test
    void wrongTypesAreReportedByField() {
        ValidationException e = assertThrows(ValidationException.class,
                () -> CreateTaskRequest.parse(tree("{'title':5,'priority':7,'dueAt':true}")));
        assertEquals(Set.of("title", "priority", "dueAt"), Set.copyOf(fields(e)));
        assertEquals(3, e.errors().size());
    }

    @Test
    void unknownFieldsAreReportedByName() {
        ValidationException e = assertThrows(ValidationException.class,
                () -> CreateTaskRequest.parse(tree("{'title':'t','assignee':'bob'}")));
        assertEquals(List.of("assignee"), fields(e));
    }

    @Test
    void nullBody() {
        ValidationException e = assertThrows(ValidationException.class, () -> CreateTaskRequest.parse(null));
        assertEquals(List.of("body"), fields(e));
    }

    @Test
    void arrayBody() {
        ValidationException e = assertThrows(ValidationException.class,
                () -> CreateTaskRequest.parse(tree("[{'title':'t'}]")));
        assertEquals(List.of("body"), fields(e));
    }

    @Test
    void dueAtWithoutOffset() {
        ValidationException e = assertThrows(ValidationException.class,
                () -> CreateTaskRequest.parse(tree("{'title':'t','dueAt':'2026-12-01T17:00:00'}")));
        assertEquals(List.of("dueAt"), fields(e));
    }
}
