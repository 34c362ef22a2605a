package dev.atlas.web;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atlas.config.Json;
import jakarta.ws.rs.ext.ContextResolver;
import jakarta.ws.rs.ext.Provider;

/** The API's JSON settings: strict on input (duplicate keys and trailing garbage are errors). */
@Provider
public class JsonConfig implements ContextResolver<ObjectMapper> {
    /** The one mapper of the API (also {@link RecordJsonWriter}'s); configured here, never changed after. */
    static final ObjectMapper MAPPER = Json.mapper()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    @Override
    public ObjectMapper getContext(Class<?> type) {
        return MAPPER;
    }
}
