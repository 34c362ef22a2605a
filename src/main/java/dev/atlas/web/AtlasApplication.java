package dev.atlas.web;

import dev.atlas.task.TaskService;
import dev.atlas.task.api.TaskResource;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.ws.rs.ApplicationPath;
import org.glassfish.jersey.jackson.JacksonFeature;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;

/**
 * The JAX-RS application under {@code /api}: task resources plus this package's filters and mappers.
 * Jackson is registered without its own exception mappers so that every error is a problem document.
 */
@ApplicationPath("/api")
public class AtlasApplication extends ResourceConfig {
    public AtlasApplication() {
        packages(false, "dev.atlas.agent.api", "dev.atlas.web");
        // The hot resource as one instance: Jersey calls it without looking it up through HK2 and Weld per request.
        // Its package is not scanned, or the class would be registered a second time beside the instance.
        register(new TaskResource(CDI.current().select(TaskService.class).get()));
        register(JacksonFeature.withoutExceptionMappers());
        property(ServerProperties.WADL_FEATURE_DISABLE, true);
        // An error response without a body goes to sendError, so the error page (ErrorPageServlet) renders it as a problem:
        // a header Jersey cannot parse (Content-Type, Accept) would otherwise be an empty 400 without the security headers.
        property(ServerProperties.RESPONSE_SET_STATUS_OVER_SEND_ERROR, false);
        // No 8 KiB buffer per response to learn its length: RecordJsonWriter, which writes every answer but the
        // rare non-record ones (sent chunked now), sets Content-Length itself.
        property(ServerProperties.OUTBOUND_CONTENT_LENGTH_BUFFER, 0);
    }
}
