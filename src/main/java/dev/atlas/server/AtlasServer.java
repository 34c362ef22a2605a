package dev.atlas.server;

import dev.atlas.config.AtlasConfig;
import dev.atlas.config.ConfigException;
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
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.JsonErrorReportValve;

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
    /** Shared with the web application (dev.atlas.web.AtlasLifecycle), which this launcher cannot import. */
    static final String EMBEDDED_PARAM = "atlas.embedded";
    static final String TOKENS_ATTRIBUTE = "atlas.startupTokens";
    /** How long a stopping server waits for in-flight requests. */
    private static final long UNLOAD_DELAY_MS = 10_000;
    /** The connector's per-connection socket buffers (socket.appReadBufSize, socket.appWriteBufSize). */
    static final int SOCKET_BUFFER_BYTES = 1024;
    /** Requests on one keep-alive connection before Tomcat closes it (maxKeepAliveRequests), as conf/tomcat/server.xml. */
    static final int MAX_KEEP_ALIVE_REQUESTS = 1000;
    /**
     * Tomcat's WebSocket sessions each hold three buffers of this size (frame input, output — unused by a server that
     * does not batch — and the UTF-8 encoding of an outgoing message), 8 KiB each by default: 24 KiB of an idle
     * connection's heap. An event envelope is a few hundred bytes and client messages are read in parts, so 1 KiB holds
     * a typical message in one frame; a larger one goes out as several frames of one message, each its own write
     * (measured in docs/benchmarks.md: 2 KiB costs 3 KiB more per idle connection). A system property read once, when
     * Tomcat's WebSocket classes load: set before the server starts unless the command line chose a value
     * ({@code java -Dorg.apache.tomcat.websocket.DEFAULT_BUFFER_SIZE=4096 -jar …} for large task descriptions). Stock
     * Tomcat: the same property in conf/tomcat/setenv.sh.
     */
    static final String WS_BUFFER_PROPERTY = "org.apache.tomcat.websocket.DEFAULT_BUFFER_SIZE";
    static final int WS_BUFFER_BYTES = 1024;
    private static final String WORK_PREFIX = "tomcat-";

    private AtlasServer() {
    }

    public static void main(String[] args) throws Exception {
        Path war = args.length > 0 ? Path.of(args[0]) : besideThisJar("atlas.war");
        if (!Files.isRegularFile(war)) {
            System.err.println("atlas: cannot find the web application " + war + " (build it with: mvn package)");
            System.exit(2);
        }
        AtlasConfig config = AtlasConfig.load();
        if (System.getProperty(WS_BUFFER_PROPERTY) == null) {
            System.setProperty(WS_BUFFER_PROPERTY, Integer.toString(WS_BUFFER_BYTES));
        }
        boolean virtual;
        try {
            virtual = RequestThreads.virtual(config);
        } catch (ConfigException e) {
            LOG.severe(e.getMessage()); // a setting the launcher cannot honour: the reason, not a stack trace
            System.exit(2);
            return;
        }
        Tomcat tomcat = start(war, config);
        String host = bindAddress(config);
        String shown = host.equals("0.0.0.0") ? "localhost" : host;
        int port = tomcat.getConnector().getLocalPort();
        LOG.info(() -> String.join(System.lineSeparator(),
                "Atlas is running:",
                "  REST API   http://" + shown + ":" + port + "/api/tasks",
                "  WebSocket  ws://" + shown + ":" + port + "/ws",
                "  Socket.IO  http://" + shown + ":" + port + "/socket.io/",
                "  Data       " + Path.of(config.get(Setting.DATA_DIR)).toAbsolutePath().normalize(),
                "  Threads    " + (virtual ? "virtual (Java " : "Tomcat's pool (Java ") + Runtime.version().feature()
                        + ", " + Setting.VIRTUAL_THREADS.envName() + "=" + config.get(Setting.VIRTUAL_THREADS) + ")"));
        printTokens(tomcat, shown, port);
        tomcat.getServer().await();
    }

    /** Starts Tomcat with the WAR deployed; throws if the port is taken or the application fails to start. */
    static Tomcat start(Path war, AtlasConfig config) throws IOException, LifecycleException {
        Path base = workDirectory(Path.of(config.get(Setting.DATA_DIR)));

        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        tomcat.setConnector(connector(config));
        tomcat.getHost().setAppBase(base.resolve("webapps").toString());
        Files.createDirectories(base.resolve("webapps"));

        // The container's own error report, for what it refuses before the web application (whose error page answers
        // with a problem document) sees the request: a malformed path, a request line or header over the limit, a
        // non-numeric Content-Length. JSON ({"status": 400}), no message, stack trace, server name or version.
        // The host adds its default (HTML) valve unless one of its errorReportValveClass is there already.
        // conf/tomcat/server.xml sets the same for a stock Tomcat.
        JsonErrorReportValve errors = new JsonErrorReportValve();
        errors.setShowReport(false);
        errors.setShowServerInfo(false);
        ((StandardHost) tomcat.getHost()).setErrorReportValveClass(JsonErrorReportValve.class.getName());
        tomcat.getHost().getPipeline().addValve(errors);

        // No default web.xml: it would register a JspServlet, and Jasper is not on the classpath.
        tomcat.setAddDefaultWebXmlToWebapp(false);
        Context ctx = tomcat.addWebapp("", war.toAbsolutePath().toString());
        // Tells the application it runs in the one-command mode: it may generate its own signing secret.
        ctx.addParameter(EMBEDDED_PARAM, "true");
        // The default web.xml also carries the MIME mappings: without them static files have no Content-Type,
        // and with X-Content-Type-Options: nosniff a browser will not render them.
        Tomcat.addDefaultMimeTypeMappings(ctx);
        Tomcat.addServlet(ctx, "default", "org.apache.catalina.servlets.DefaultServlet");
        ctx.addServletMappingDecoded("/", "default");
        ctx.addWelcomeFile("index.html");

        // Graceful stop on SIGTERM: the connector stops accepting, in-flight requests get up to the unload
        // delay to finish, WebSockets are closed with 1001 (going away) so that clients reconnect elsewhere.
        ((org.apache.catalina.core.StandardContext) ctx).setUnloadDelay(UNLOAD_DELAY_MS);
        // Tomcat's base goes once Tomcat has stopped (shutdown hooks run concurrently: one hook does both).
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopQuietly(tomcat);
            deleteTree(base);
        }, "atlas-shutdown"));

        tomcat.start();
        if (ctx.getState() != LifecycleState.STARTED) {
            tomcat.stop();
            tomcat.destroy();
            throw new LifecycleException("The Atlas web application failed to start; see the log above.");
        }
        return tomcat;
    }

    /**
     * Tomcat's base directory (the unpacked WAR, its work files: some 30 MB) for this process: {@code
     * work/tomcat-<pid>} under the data directory. A normal stop deletes it; one left by a process that is gone
     * ({@code kill -9}, a crash) is deleted by the next start, so they never pile up.
     */
    static Path workDirectory(Path dataDir) throws IOException {
        Path work = dataDir.toAbsolutePath().normalize().resolve("work");
        Files.createDirectories(work);
        try (Stream<Path> old = Files.list(work)) {
            old.filter(AtlasServer::leftByAGoneProcess).forEach(AtlasServer::deleteTree);
        }
        return Files.createDirectories(work.resolve(WORK_PREFIX + ProcessHandle.current().pid()));
    }

    private static boolean leftByAGoneProcess(Path dir) {
        String name = dir.getFileName().toString();
        if (!name.startsWith(WORK_PREFIX) || !Files.isDirectory(dir)) {
            return false;
        }
        try {
            long pid = Long.parseLong(name.substring(WORK_PREFIX.length()));
            return ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The HTTP connector, sized for many long-lived WebSockets. */
    static Connector connector(AtlasConfig config) {
        Connector connector = new Connector("HTTP/1.1");
        connector.setPort(config.getInt(Setting.PORT));
        connector.setProperty("address", bindAddress(config));
        // Every open WebSocket and held Socket.IO long-poll is a connection for its whole life: Tomcat's default
        // of 8192 would leave connection 8193 waiting in the accept queue until it times out.
        connector.setProperty("maxConnections", String.valueOf(config.getInt(Setting.MAX_CONNECTIONS)));
        // The connection's own read and write buffers (8 KiB each by default) live as long as the connection, and
        // Tomcat caches them for reuse after it closes. Requests and frames larger than 1 KiB are read into and
        // written from their own buffers directly, so small ones cost nothing but memory saved.
        connector.setProperty("socket.appReadBufSize", String.valueOf(SOCKET_BUFFER_BYTES));
        connector.setProperty("socket.appWriteBufSize", String.valueOf(SOCKET_BUFFER_BYTES));
        // Tomcat closes a keep-alive connection after 100 requests by default, and the client opens a new one: as the
        // runbook's server.xml, 1,000 (a reconnect per thousand requests instead of one per hundred).
        connector.setProperty("maxKeepAliveRequests", String.valueOf(MAX_KEEP_ALIVE_REQUESTS));
        // Without this Tomcat logs a BindException on a busy port and keeps running on port -1.
        connector.setThrowOnFailure(true);
        // Requests, and the container's WebSocket reads and send completions, on virtual threads where the JVM allows
        // it safely (ATLAS_VIRTUAL_THREADS, RequestThreads): no thread hand-off system calls per request or per parked
        // write. conf/tomcat/setenv.sh makes the same choice for a stock Tomcat.
        connector.setProperty("useVirtualThreads", String.valueOf(RequestThreads.virtual(config)));
        return connector;
    }

    /** Development mode (no authentication) never listens beyond this machine. */
    static String bindAddress(AtlasConfig config) {
        return "off".equalsIgnoreCase(config.get(Setting.AUTH)) ? "127.0.0.1" : config.get(Setting.BIND_ADDRESS);
    }

    /**
     * The startup banner's tokens, when the application generated its own secret. They go to the console
     * (standard output) of this interactive command on purpose, and never to a log.
     */
    @SuppressWarnings("unchecked")
    private static void printTokens(Tomcat tomcat, String host, int port) {
        Context ctx = (Context) tomcat.getHost().findChild("");
        Object tokens = ctx == null ? null : ctx.getServletContext().getAttribute(TOKENS_ATTRIBUTE);
        if (!(tokens instanceof java.util.Map<?, ?> map) || map.isEmpty()) {
            return;
        }
        StringBuilder b = new StringBuilder("\nTokens (valid 30 days; secret kept in the data directory):\n");
        ((java.util.Map<String, String>) map).forEach((who, token) -> b.append("  ").append(who).append(": ")
                .append(token).append("\n"));
        b.append("Mint more as admin: curl -X POST http://").append(host).append(':').append(port)
                .append("/api/tokens -H 'Authorization: Bearer <admin token>' -H 'Content-Type: application/json'")
                .append(" -d '{\"role\":\"agent\",\"wallet\":\"0x…\",\"ttl\":\"8h\"}'\n");
        System.out.print(b);
        System.out.flush();
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
