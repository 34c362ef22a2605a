package dev.atlas.web;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectWriter;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.MessageBodyWriter;
import jakarta.ws.rs.ext.Provider;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;

/**
 * Writes the API's answers (every one is a record: a task, a page of tasks, an agent, a problem …) as JSON with one
 * {@link ObjectWriter} per record type, made once. Jersey's Jackson provider, which would otherwise write them, builds
 * a cache key from the resource method's annotations on every response, and hashing those (the OpenAPI annotations
 * nest several levels deep, and the JDK does not cache an annotation's hash) was a tenth of the server's CPU under
 * the REST benchmark (docs/benchmarks.md). The output is the same: the same mapper ({@link JsonConfig}) and the same
 * media types ({@code application/json} and {@code +json} ones such as {@code application/problem+json}).
 * Anything that is not a record (a map, a {@code JsonNode}) is still Jersey's Jackson provider's.
 *
 * <p>It serializes to an array first and sets {@code Content-Length} itself: Jersey's own response buffer, an
 * 8 KiB array per response that it keeps to count the length, is switched off ({@link AtlasApplication}); that
 * array was the largest single allocation of a REST request. Thread-safe.
 */
@Provider
@Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
public class RecordJsonWriter implements MessageBodyWriter<Record> {
    private static final ClassValue<ObjectWriter> WRITERS = new ClassValue<>() {
        @Override
        protected ObjectWriter computeValue(Class<?> type) {
            // Jersey closes the entity stream itself
            return JsonConfig.MAPPER.writerFor(type).without(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        }
    };

    @Override
    public boolean isWriteable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
        return Record.class.isAssignableFrom(type) && isJson(mediaType);
    }

    static boolean isJson(MediaType m) {
        return m != null && "application".equals(m.getType())
                && ("json".equals(m.getSubtype()) || m.getSubtype().endsWith("+json"));
    }

    @Override
    public void writeTo(Record value, Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType,
                        MultivaluedMap<String, Object> headers, OutputStream out) throws IOException {
        byte[] json = WRITERS.get(value.getClass()).writeValueAsBytes(value);
        // Jersey's response buffer is off (AtlasApplication): the length is known here, before the first byte
        headers.putSingle(HttpHeaders.CONTENT_LENGTH, Integer.toString(json.length));
        out.write(json);
    }
}
