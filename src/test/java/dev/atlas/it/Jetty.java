package dev.atlas.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A stock Jetty 12 ({@code jetty-home}, unpacked from Maven Central by the build) running {@code atlas.war} as
 * {@code webapps/ROOT.war} on the ee10 environment (Jakarta EE 10: Servlet 6, WebSocket 2.1), in a fresh
 * {@code jetty.base} under {@code target/}. The base is made the way Jetty's documentation tells an operator to:
 * {@code start.jar --add-modules=…} for HTTP, ee10 deployment, annotation scanning (the WAR's
 * {@code ServletContainerInitializer}s and {@code @ServerEndpoint}s), Jakarta WebSocket and the CDI decorator
 * (Weld, bundled in the WAR, integrates through it). Jetty then runs on 127.0.0.1 only, on a free port.
 */
final class Jetty extends StockContainer<Jetty> {
    /** What an operator enables for Atlas: nothing Atlas-specific. */
    static final String MODULES = "http,ee10-deploy,ee10-annotations,ee10-websocket-jakarta,ee10-cdi-decorate";

    private final Path home = jettyHome();

    Jetty(String name, Map<String, String> env) {
        super(AtlasProcess.target().resolve("jetty-base").resolve(name), env);
    }

    private static Path jettyHome() {
        String dir = System.getProperty("atlas.jettyHome");
        if (dir == null) {
            throw new IllegalStateException("System property atlas.jettyHome (the unpacked jetty-home) is not set:"
                    + " run the integration tests through Maven (failsafe sets it)");
        }
        return Path.of(dir);
    }

    /** {@code jetty-home-12.0.16} → {@code Jetty 12.0.16}. */
    @Override
    String displayName() {
        return home.getFileName().toString().replace("jetty-home-", "Jetty ");
    }

    @Override
    List<String> prepareBase() throws IOException {
        Path base = base();
        // work/ in the base: Jetty unpacks the WAR there instead of into java.io.tmpdir
        Files.createDirectories(base.resolve("work"));
        Files.createDirectories(base.resolve("temp"));
        runToCompletion(List.of(java(), "-jar", home.resolve("start.jar").toString(),
                "jetty.home=" + home, "jetty.base=" + base, "--add-modules=" + MODULES), Duration.ofSeconds(60));
        if (!Files.isRegularFile(base.resolve("start.d/ee10-deploy.ini"))) {
            throw new IllegalStateException("start.jar --add-modules made no start.d/ee10-deploy.ini:\n" + log());
        }
        return List.of(java(), "-Xmx512m", "-Djava.io.tmpdir=" + base.resolve("temp"),
                "-jar", home.resolve("start.jar").toString(),
                "jetty.home=" + home, "jetty.base=" + base,
                "jetty.http.host=127.0.0.1", "jetty.http.port=" + port());
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    @Override
    Map<String, String> containerEnvironment() {
        return Map.of("JETTY_HOME", home.toString(), "JETTY_BASE", base().toString(),
                "JAVA_HOME", System.getProperty("java.home"));
    }

    @Override
    List<String> scrubbedEnvironmentPrefixes() {
        return List.of("JETTY_", "JAVA_OPTIONS");
    }

    /** {@code WebAppContext}'s warning when a web application does not start; Jetty runs on and answers 503. */
    @Override
    String deployFailedMarker() {
        return "Failed startup of context";
    }
}
