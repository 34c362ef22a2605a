package dev.atlas.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ser.BeanPropertyWriter;
import com.fasterxml.jackson.databind.ser.PropertyWriter;
import com.fasterxml.jackson.databind.ser.std.BeanSerializerBase;
import dev.atlas.task.FieldError;
import dev.atlas.task.TaskView;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedHashMap;
import java.io.ByteArrayOutputStream;
import java.lang.annotation.Annotation;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordJsonWriterTest {
    private final RecordJsonWriter writer = new RecordJsonWriter();
    private static final Annotation[] NONE = new Annotation[0];

    @Test
    void writesRecordsAsJsonAndProblemJsonOnly() {
        MediaType json = MediaType.APPLICATION_JSON_TYPE;
        MediaType problem = MediaType.valueOf(Problem.MEDIA_TYPE);
        assertTrue(writer.isWriteable(TaskView.class, TaskView.class, NONE, json));
        assertTrue(writer.isWriteable(Problem.class, Problem.class, NONE, problem));
        assertTrue(writer.isWriteable(Problem.class, Problem.class, NONE, MediaType.valueOf("application/json;charset=UTF-8")));
        assertFalse(writer.isWriteable(Map.class, Map.class, NONE, json), "a map stays Jackson provider's");
        assertFalse(writer.isWriteable(TaskView.class, TaskView.class, NONE, MediaType.TEXT_PLAIN_TYPE));
        assertFalse(writer.isWriteable(TaskView.class, TaskView.class, NONE, MediaType.valueOf("text/json")));
    }

    /** What the API's mapper writes, unchanged, and the stream left open for Jersey to finish. */
    @Test
    void writesWhatTheApisMapperWritesAndLeavesTheStreamOpen() throws Exception {
        Problem p = Problem.of("validation", "Bad Request", 400, "Invalid task: title is required.")
                .withErrors(List.of(new FieldError("title", "is required")));
        boolean[] closed = {false};
        ByteArrayOutputStream out = new ByteArrayOutputStream() {
            @Override
            public void close() {
                closed[0] = true;
            }
        };
        writer.writeTo(p, Problem.class, Problem.class, NONE, MediaType.valueOf(Problem.MEDIA_TYPE),
                new MultivaluedHashMap<>(), out);
        writer.writeTo(p, Problem.class, Problem.class, NONE, MediaType.valueOf(Problem.MEDIA_TYPE),
                new MultivaluedHashMap<>(), out);
        String once = JsonConfig.MAPPER.writeValueAsString(p);
        assertEquals(once + once, out.toString(StandardCharsets.UTF_8));
        assertFalse(closed[0], "the entity stream is Jersey's to close");
        assertTrue(once.startsWith("{\"type\":\"https://atlas.dev/problems/validation\",\"title\""), once);
    }

    /**
     * The API's records are written through accessors generated once per type (Blackbird), not {@code Method.invoke}
     * on every value: Jackson's own property writer, the reflective one, writes none of a task's fields.
     */
    @Test
    void theApisMapperWritesATasksFieldsWithoutReflection() throws Exception {
        BeanSerializerBase task = (BeanSerializerBase) JsonConfig.MAPPER.getSerializerProviderInstance()
                .findValueSerializer(TaskView.class);
        List<String> reflective = new ArrayList<>();
        int fields = 0;
        for (Iterator<PropertyWriter> it = task.properties(); it.hasNext(); fields++) {
            PropertyWriter w = it.next();
            if (w.getClass() == BeanPropertyWriter.class) {
                reflective.add(w.getName());
            }
        }
        assertEquals(TaskView.class.getRecordComponents().length, fields);
        assertEquals(List.of(), reflective, "fields written by Method.invoke");
    }

    /** Jersey's length buffer is off: the writer states the length in bytes (UTF-8), before writing. */
    @Test
    void setsContentLengthToTheBytesItWrites() throws Exception {
        Problem p = Problem.of("validation", "Bad Request", 400, "Invalid task: tïtle ✓ 😀 is required.");
        MultivaluedHashMap<String, Object> headers = new MultivaluedHashMap<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.writeTo(p, Problem.class, Problem.class, NONE, MediaType.valueOf(Problem.MEDIA_TYPE), headers, out);
        assertEquals(List.of(Integer.toString(out.size())), headers.get("Content-Length"));
        assertTrue(out.size() > out.toString(StandardCharsets.UTF_8).length(), "multi-byte characters counted as bytes");
    }
}
