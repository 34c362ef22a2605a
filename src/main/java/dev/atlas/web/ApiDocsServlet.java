package dev.atlas.web;

import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;

/**
 * {@code /api-docs}: the OpenAPI document ({@code /api-docs/openapi.json}, {@code /api-docs/openapi.yaml}) and an
 * interactive Swagger UI ({@code /api-docs}), whose files come from the {@code org.webjars:swagger-ui} jar in the
 * WAR. No token is needed: the pages describe the API and expose no data; the UI's calls carry the token the user
 * enters. Only the listed files are served (no path from the request reaches the class loader). Files revalidate
 * with an {@code ETag} (the webjar's version), the document is built once. Stateless; thread-safe.
 */
@WebServlet(urlPatterns = "/api-docs/*")
public class ApiDocsServlet extends HttpServlet {
    private static final String WEBJAR = "META-INF/resources/webjars/swagger-ui/";
    private static final String JS = "text/javascript;charset=UTF-8";
    private static final String CSS = "text/css;charset=UTF-8";
    /** The Swagger UI files the page uses, by name, with their content types. */
    static final Map<String, String> UI_FILES = Map.of(
            "swagger-ui-bundle.js", JS,
            "swagger-ui-standalone-preset.js", JS,
            "swagger-ui.css", CSS,
            "index.css", CSS,
            "favicon-16x16.png", "image/png",
            "favicon-32x32.png", "image/png");

    @Inject
    ApiDocs docs;

    private final String uiVersion = webjarVersion();
    private final String indexTemplate = text("api-docs.html");
    private final byte[] initScript = text("api-docs-init.js").getBytes(StandardCharsets.UTF_8);

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getPathInfo() == null ? "/" : req.getPathInfo();
        switch (path) {
            case "/" -> write(resp, "text/html;charset=UTF-8", "no-cache",
                    indexTemplate.replace("{{base}}", req.getContextPath() + "/api-docs").getBytes(StandardCharsets.UTF_8));
            case "/openapi.json" -> write(resp, "application/json", "no-cache", docs.json().getBytes(StandardCharsets.UTF_8));
            case "/openapi.yaml" -> write(resp, "application/yaml;charset=UTF-8", "no-cache", docs.yaml().getBytes(StandardCharsets.UTF_8));
            case "/init.js" -> write(resp, JS, "no-cache", initScript);
            default -> uiFile(req, resp, path.substring(1));
        }
    }

    private void uiFile(HttpServletRequest req, HttpServletResponse resp, String name) throws IOException {
        String type = UI_FILES.get(name);
        if (type == null) {
            resp.sendError(404);
            return;
        }
        String etag = "\"swagger-ui-" + uiVersion + "\"";
        resp.setHeader("ETag", etag);
        resp.setHeader("Cache-Control", "no-cache");
        if (etag.equals(req.getHeader("If-None-Match"))) {
            resp.setStatus(304);
            return;
        }
        try (InputStream in = ApiDocsServlet.class.getClassLoader().getResourceAsStream(WEBJAR + uiVersion + "/" + name)) {
            if (in == null) {
                resp.sendError(404);
                return;
            }
            resp.setContentType(type);
            in.transferTo(resp.getOutputStream());
        }
    }

    private static void write(HttpServletResponse resp, String type, String cache, byte[] body) throws IOException {
        resp.setStatus(200);
        resp.setContentType(type);
        resp.setHeader("Cache-Control", cache);
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }

    /** The version of the swagger-ui webjar in the WAR, from its Maven metadata. */
    static String webjarVersion() {
        try (InputStream in = ApiDocsServlet.class.getClassLoader()
                .getResourceAsStream("META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
            if (in == null) {
                throw new IllegalStateException("the org.webjars:swagger-ui jar is missing from the class path");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String text(String resource) {
        try (InputStream in = ApiDocsServlet.class.getResourceAsStream(resource)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
