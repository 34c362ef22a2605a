package dev.atlas.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The real one-command run in its own process: {@code java -jar target/atlas-server.jar target/atlas.war},
 * on a free loopback port, with the given settings as environment variables. Its output goes to
 * {@code target/it-logs/<name>.log}. Used by the integration tests so that they exercise the packaged WAR
 * exactly as an operator runs it.
 */
public final class AtlasProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    /**
     * The Java the servers run on: {@code -Datlas.it.java=<JDK home>}, or else the newest JDK under /usr/lib/jvm that is
     * at least as new as the test JVM (on this kind of machine Temurin 25, where the embedded run serves requests on
     * virtual threads: the deployment docs/deploy.md recommends), or else the test JVM's own. The in-process
     * (Arquillian) and stock-Tomcat tests run on the test JVM, on Tomcat's thread pool: both modes are covered.
     */
    static final Path JAVA = chooseJava();

    private final String name;
    private final Map<String, String> env;
    private final int port;
    private final Path log;
    private Process process;

    public AtlasProcess(String name, Map<String, String> settings) {
        this(name, settings, freePort());
    }

    /**
     * A server on a given port: with the same name (so the same data directory) and the port of a stopped
     * or killed one, it is that server restarted, as its clients see it. See {@link #successor()}.
     */
    public AtlasProcess(String name, Map<String, String> settings, int port) {
        this.name = name;
        this.port = port;
        this.env = new HashMap<>(settings);
        this.env.put("ATLAS_PORT", Integer.toString(port));
        this.env.putIfAbsent("ATLAS_BIND_ADDRESS", "127.0.0.1");
        // Functional tests run in the explicit development mode; security tests configure keys themselves.
        if (!settings.containsKey("ATLAS_JWT_SECRET") && !settings.containsKey("ATLAS_JWKS_FILE")) {
            this.env.putIfAbsent("ATLAS_AUTH", "off");
        }
        this.env.putIfAbsent("ATLAS_DATA_DIR", target().resolve("it-data").resolve(name).toString());
        this.log = target().resolve("it-logs").resolve(name + ".log");
    }

    /**
     * A new, not yet started server with this one's name, settings, data directory and port: start it after
     * {@link #stop()} or {@link #kill()} to restart "the same" server under its clients.
     */
    public AtlasProcess successor() {
        return new AtlasProcess(name, env, port);
    }

    /** Deletes the data directory a process of this name would use, so that a test starts from nothing. */
    public static void wipeData(String name) {
        deleteTree(target().resolve("it-data").resolve(name));
    }

    /** Deletes a directory tree if it exists. */
    public static void deleteTree(Path dir) {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static Path chooseJava() {
        String chosen = System.getProperty("atlas.it.java", "");
        if (!chosen.isBlank()) {
            Path home = Path.of(chosen);
            if (!Files.isExecutable(home.resolve("bin").resolve("java"))) {
                throw new IllegalStateException("-Datlas.it.java=" + chosen + " is not a JDK home (no bin/java)");
            }
            return home;
        }
        Path best = Path.of(System.getProperty("java.home"));
        int bestFeature = Runtime.version().feature();
        Path jvms = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (var homes = Files.list(jvms)) {
                for (Path home : homes.sorted().toList()) {
                    int feature = javaFeature(home);
                    if (feature > bestFeature && Files.isExecutable(home.resolve("bin").resolve("java"))) {
                        best = home;
                        bestFeature = feature;
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return best;
    }

    /** The feature version of the JDK at {@code home} from its {@code release} file ({@code JAVA_VERSION="25.0.3"}); 0 if unknown. */
    static int javaFeature(Path home) {
        try {
            for (String line : Files.readAllLines(home.resolve("release"))) {
                if (line.startsWith("JAVA_VERSION=")) {
                    return Runtime.Version.parse(line.substring("JAVA_VERSION=".length()).replace("\"", "")).feature();
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            return 0; // no release file, or a version Runtime.Version cannot read (1.8.0_…): not a candidate
        }
        return 0;
    }

    /** The server process's id (for diagnostics such as {@code jcmd}). */
    public long pid() {
        return process.pid();
    }

    public static Path target() {
        return Path.of(System.getProperty("atlas.war", "target/atlas.war")).toAbsolutePath().getParent();
    }

    /** Starts the server and waits until the API answers; fails with the log's tail if it does not. */
    public AtlasProcess start() {
        try {
            Files.createDirectories(log.getParent());
            List<String> cmd = new ArrayList<>();
            cmd.add(JAVA.resolve("bin").resolve("java").toString());
            cmd.add("-Xmx512m");
            cmd.add("-jar");
            cmd.add(System.getProperty("atlas.launcher", "target/atlas-server.jar"));
            cmd.add(System.getProperty("atlas.war", "target/atlas.war"));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.environment().keySet().removeIf(k -> k.startsWith("ATLAS_"));
            pb.environment().putAll(env);
            process = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start the Atlas server process", e);
        }
        awaitReady();
        return this;
    }

    private void awaitReady() {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Atlas exited with " + process.exitValue() + " during start:\n" + logTail());
            }
            try {
                HttpResponse<Void> r = client.send(HttpRequest.newBuilder(uri("/health/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            pause(200);
        }
        throw new IllegalStateException("Atlas did not become ready within " + START_TIMEOUT + ":\n" + logTail());
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    public URI wsUri(String path) {
        return URI.create("ws://127.0.0.1:" + port + path);
    }

    public int port() {
        return port;
    }

    /** Stops the process gracefully (SIGTERM) and waits for it. */
    public void stop() {
        if (process != null && process.isAlive()) {
            process.destroy();
            waitFor();
        }
    }

    /** Kills the process without warning (SIGKILL), as a crash would. */
    public void kill() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            waitFor();
        }
    }

    private void waitFor() {
        try {
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The whole log of this process (and of the processes before it under this name), as written so far. */
    public String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return "Atlas[" + name + " on port " + port + "]";
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Polling interval in wait loops; never used as an assertion. */
    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
