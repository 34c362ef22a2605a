package dev.atlas.server;

import dev.atlas.config.AtlasConfig;
import dev.atlas.config.Setting;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

/**
 * The one-command run: an embedded Tomcat that deploys {@code atlas.war} (the same WAR a stock Tomcat
 * gets) at the root context, on {@code ATLAS_PORT} (3001 by default).
 *
 * <p>Usage: {@code java -jar target/atlas-server.jar [path/to/atlas.war]}; without an argument the WAR
 * next to this jar is used. Settings come from the environment and {@code conf/atlas.properties}, as
 * for the web application itself.
 */
public final class AtlasServer {
    private static final Logger LOG = Logger.getLogger(AtlasServer.class.getName());
    /** How long a stopping server waits for in-flight requests. */
    private static final long UNLOAD_DELAY_MS = 10_000;

    private AtlasServer() {
    }

    public static void main(String[] args) throws Exception {
        Path war = args.length > 0 ? Path.of(args[0]) : besideThisJar("atlas.war");
        if (!Files.isRegularFile(war)) {
            System.err.println("atlas: cannot find the web application " + war + " (build it with: mvn package)");
            System.exit(2);
        }
        AtlasConfig config = AtlasConfig.load();
        Tomcat tomcat = start(war, config);
        String host = config.get(Setting.BIND_ADDRESS);
        String shown = host.equals("0.0.0.0") ? "localhost" : host;
        int port = tomcat.getConnector().getLocalPort();
        LOG.info(() -> String.join(System.lineSeparator(),
                "Atlas is running:",
                "  REST API   http://" + shown + ":" + port + "/api/tasks",
                "  WebSocket  ws://" + shown + ":" + port + "/ws",
                "  Data       " + Path.of(config.get(Setting.DATA_DIR)).toAbsolutePath().normalize()));
        tomcat.getServer().await();
    }

    /** Starts Tomcat with the WAR deployed; throws if the port is taken or the application fails to start. */
    static Tomcat start(Path war, AtlasConfig config) throws IOException, LifecycleException {
        Path base = Files.createTempDirectory("atlas-tomcat-");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(base), "atlas-tomcat-cleanup"));

        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        Connector connector = new Connector("HTTP/1.1");
        connector.setPort(config.getInt(Setting.PORT));
        connector.setProperty("address", config.get(Setting.BIND_ADDRESS));
        // Without this Tomcat logs a BindException on a busy port and keeps running on port -1.
        connector.setThrowOnFailure(true);
        tomcat.setConnector(connector);
        tomcat.getHost().setAppBase(base.resolve("webapps").toString());
        Files.createDirectories(base.resolve("webapps"));

        // No default web.xml: it would register a JspServlet, and Jasper is not on the classpath.
        tomcat.setAddDefaultWebXmlToWebapp(false);
        Context ctx = tomcat.addWebapp("", war.toAbsolutePath().toString());
        Tomcat.addServlet(ctx, "default", "org.apache.catalina.servlets.DefaultServlet");
        ctx.addServletMappingDecoded("/", "default");
        ctx.addWelcomeFile("index.html");

        // Graceful stop on SIGTERM: the connector stops accepting, in-flight requests get up to the unload
        // delay to finish, WebSockets are closed with 1001 (going away) so that clients reconnect elsewhere.
        ((org.apache.catalina.core.StandardContext) ctx).setUnloadDelay(UNLOAD_DELAY_MS);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stopQuietly(tomcat), "atlas-shutdown"));

        tomcat.start();
        if (ctx.getState() != LifecycleState.STARTED) {
            tomcat.stop();
            tomcat.destroy();
            throw new LifecycleException("The Atlas web application failed to start; see the log above.");
        }
        return tomcat;
    }

    private static void stopQuietly(Tomcat tomcat) {
        try {
            if (tomcat.getServer().getState().isAvailable()) {
                tomcat.stop();
            }
            tomcat.destroy();
        } catch (LifecycleException e) {
            LOG.warning(() -> "Shutdown incomplete: " + e.getMessage());
        }
    }

    private static Path besideThisJar(String name) {
        try {
            Path jar = Path.of(AtlasServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return (Files.isDirectory(jar) ? jar : jar.getParent()).resolve(name);
        } catch (Exception e) {
            return Path.of(name);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException ignored) {
            // best effort: a temp directory
        }
    }
}
