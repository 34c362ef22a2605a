package dev.atlas.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.net.URI;
import java.net.URL;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Arquillian deploys the built {@code atlas.war} — the real archive, not a hand-listed one — into its
 * embedded Tomcat; the test drives it from outside over HTTP and WebSocket.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ArquillianDeploymentIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return ShrinkWrap.create(ZipImporter.class, "ROOT.war")
                .importFrom(new File(System.getProperty("atlas.war")))
                .as(WebArchive.class);
    }

    @ArquillianResource
    URL base;

    @Test
    void deployedWarServesRestAndPushesEvents() {
        URI root = URI.create(base.toString().replaceAll("/$", ""));
        Api api = new Api(path -> URI.create(root + path));
        URI ws = URI.create(root.toString().replaceFirst("^http", "ws") + "/ws");
        try (WsClient client = WsClient.connectReady(ws)) {
            JsonNode task = api.create("{\"title\":\"arquillian\"}");
            JsonNode created = client.nextJson();
            assertEquals("taskCreated", created.path("event").asText());
            assertEquals(task, created.path("data"));
            assertEquals(client.helloId() + 1, Long.parseLong(created.path("id").asText()));
        }
    }
}
