package dev.atlas.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * What the stock-container test doubles ({@link StockTomcat}, {@link Jetty}) share: a distribution unpacked by the
 * build runs the built {@code atlas.war}, unchanged, as {@code webapps/ROOT.war} of a fresh base directory under
 * {@code target/}, as a real process on a free loopback port, with the console log in {@code logs/console.log} of
 * the base. {@link #start()} waits (bounded) for {@code /health/ready} to answer 200; {@link #close()} stops the
 * process and everything it started.
 *
 * <p>Subclasses lay out their base and name the command; nothing about the WAR is special-cased.
 *
 * @param <S> the subclass, so that {@link #start()} returns it
 */
abstract class StockContainer<S extends StockContainer<S>> implements AutoCloseable {
    static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final Path base;
    private final int port = AtlasProcess.freePort();
    private final Map<String, String> env;
    private Process process;
    /** Set when an exception already carries the whole console log: {@link LogOnFailure} does not print it again. */
    private volatile boolean logInException;

    StockContainer(Path base, Map<String, String> env) {
        this.base = base;
        this.env = env;
    }

    /** For messages: the container and its version, e.g. {@code Tomcat 11.0.24}. */
    abstract String displayName();

    /**
     * Writes the container's own files into the fresh {@link #base()} (which already holds {@code logs/} and
     * {@code webapps/ROOT.war}) and returns the command that runs the container in the foreground.
     */
    abstract List<String> prepareBase() throws IOException;

    /** Environment variables of the container's own (its home, base, Java); the test's settings come on top. */
    abstract Map<String, String> containerEnvironment();

    /** Prefixes of inherited environment variables to drop besides {@code ATLAS_}, e.g. {@code CATALINA_}. */
    abstract List<String> scrubbedEnvironmentPrefixes();

    /**
     * A console-log text that means the web application failed to deploy while the container itself keeps running
     * (and answers 404 or 503): waiting for readiness then stops at once with the log instead of at the deadline.
     */
    abstract String deployFailedMarker();

    /**
     * Log files of the container's own besides the console log that a failure report should show (Tomcat writes a
     * web application's startup exceptions to {@code logs/localhost.<date>.log} only).
     */
    List<Path> otherLogs() throws IOException {
        return List.of();
    }

    @SuppressWarnings("unchecked")
    private S self() {
        return (S) this;
    }

    /** Starts the container and waits until Atlas is ready; on failure the container is stopped again. */
    S start() throws IOException {
        launch();
        try {
            awaitReady();
        } catch (RuntimeException | IOException e) {
            logInException = e instanceof IllegalStateException;
            // a caller's try-with-resources never sees a container whose start() threw: stop it here
            close();
            throw e;
        }
        return self();
    }

    /**
     * Starts the container expecting the application to refuse to deploy: waits until the console log mentions
     * {@code expected} and returns the log around it; fails if the application becomes ready instead.
     */
    String startExpectingFailure(String expected) throws IOException {
        launch();
        HttpClient client = client();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            String log = log();
            int at = log.indexOf(expected);
            if (at >= 0) {
                return log.substring(at - Math.min(at, 300), Math.min(log.length(), at + 300));
            }
            if (ready(client)) {
                throw new AssertionError("the application started although it should have refused to");
            }
            AtlasProcess.pause(250);
        }
        throw new AssertionError(displayName() + "'s log never mentioned " + expected);
    }

    private void launch() throws IOException {
        AtlasProcess.deleteTree(base);
        Files.createDirectories(base.resolve("logs"));
        Files.createDirectories(base.resolve("webapps"));
        Files.copy(Path.of(System.getProperty("atlas.war")), base.resolve("webapps/ROOT.war"),
                StandardCopyOption.REPLACE_EXISTING);
        List<String> command = prepareBase();
        appendToLog("$ " + String.join(" ", command));
        ProcessBuilder pb = new ProcessBuilder(command).directory(base.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(consoleLog().toFile()));
        scrub(pb.environment());
        pb.environment().putAll(containerEnvironment());
        pb.environment().putAll(env);
        process = pb.start();
    }

    private void scrub(Map<String, String> environment) {
        List<String> prefixes = new ArrayList<>(scrubbedEnvironmentPrefixes());
        prefixes.add("ATLAS_");
        environment.keySet().removeIf(k -> prefixes.stream().anyMatch(k::startsWith));
    }

    /**
     * Runs a short command of the container's own (such as a setup step) in the base, its output appended to the
     * console log, and fails unless it exits with 0 within {@code timeout}.
     */
    void runToCompletion(List<String> command, Duration timeout) throws IOException {
        appendToLog("$ " + String.join(" ", command));
        ProcessBuilder pb = new ProcessBuilder(command).directory(base.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(consoleLog().toFile()));
        scrub(pb.environment());
        pb.environment().putAll(containerEnvironment());
        Process p = pb.start();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                destroyTree(p);
                throw new IllegalStateException(command + " did not finish within " + timeout + ":\n" + log());
            }
        } catch (InterruptedException e) {
            destroyTree(p);
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(command + " exited with " + p.exitValue() + ":\n" + log());
        }
    }

    private void awaitReady() throws IOException {
        HttpClient client = client();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(displayName() + " exited with " + process.exitValue() + ":\n" + diagnostics());
            }
            if (ready(client)) {
                return;
            }
            if (log().contains(deployFailedMarker())) {
                throw new IllegalStateException(displayName() + " runs, but Atlas failed to deploy (" + deployFailedMarker()
                        + "):\n" + diagnostics());
            }
            AtlasProcess.pause(250);
        }
        throw new IllegalStateException(displayName() + " did not deploy Atlas within " + READY_TIMEOUT + ":\n" + diagnostics());
    }

    private static HttpClient client() {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    }

    private boolean ready(HttpClient client) throws IOException {
        try {
            return client.send(HttpRequest.newBuilder(uri("/health/ready")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false; // not listening yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** The connector's port on 127.0.0.1. */
    int port() {
        return port;
    }

    /** The base directory: {@code logs/} holds {@code console.log} (and the container's own logs). */
    Path base() {
        return base;
    }

    Path consoleLog() {
        return base.resolve("logs/console.log");
    }

    /** The console log so far (empty before the first start). */
    String log() {
        try {
            return Files.exists(consoleLog()) ? Files.readString(consoleLog(), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(console log unreadable: " + e + ")";
        }
    }

    /** The console log, then each of {@link #otherLogs()} under its name: what a failure report shows. */
    String diagnostics() {
        StringBuilder out = new StringBuilder(log());
        try {
            for (Path p : otherLogs()) {
                out.append("\n----- ").append(p).append(" -----\n").append(Files.readString(p, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            out.append("\n(other logs unreadable: ").append(e).append(')');
        }
        return out.toString();
    }

    private void appendToLog(String line) throws IOException {
        Files.writeString(consoleLog(), line + "\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    URI wsUri(String path) {
        return URI.create("ws://127.0.0.1:" + port + path);
    }

    /**
     * Stops the container and every process it started: SIGTERM (a graceful shutdown) to the whole tree, then,
     * after {@link #STOP_TIMEOUT}, SIGKILL to whatever is left. Bounded; safe to call twice.
     */
    @Override
    public void close() {
        if (process != null) {
            destroyTree(process);
        }
    }

    private static void destroyTree(Process p) {
        List<ProcessHandle> tree = Stream.concat(p.descendants(), Stream.of(p.toHandle())).toList();
        tree.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
        try {
            for (ProcessHandle h : tree) {
                long left = deadline - System.nanoTime();
                if (left > 0) {
                    try {
                        h.onExit().get(left, TimeUnit.NANOSECONDS);
                    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                        // killed below
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // kill at once, and let the caller see the interrupt
        }
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        try {
            p.onExit().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // SIGKILL sent; nothing more to do
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path dest = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(p, dest, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /**
     * Prints the console log of every container a failed test started (register with {@code @RegisterExtension} on
     * a static field, which parameterized tests need, and pass each container through {@link #track}). The log is
     * read after the test, so it also holds the shutdown.
     */
    static final class LogOnFailure implements TestWatcher {
        private static final int MAX_CHARS = 200_000;
        private static final Logger LOG = Logger.getLogger(LogOnFailure.class.getName());
        private final List<StockContainer<?>> tracked = new ArrayList<>();

        synchronized <C extends StockContainer<?>> C track(C container) {
            tracked.add(container);
            return container;
        }

        @Override
        public synchronized void testFailed(ExtensionContext context, Throwable cause) {
            for (StockContainer<?> c : tracked) {
                if (c.logInException) {
                    continue;
                }
                String log = c.diagnostics();
                if (log.length() > MAX_CHARS) {
                    log = "(… first " + (log.length() - MAX_CHARS) + " characters left out)\n" + log.substring(log.length() - MAX_CHARS);
                }
                String text = String.format("%n----- %s failed: console log of %s (%s) -----%n%s%n----- end of %s -----",
                        context.getDisplayName(), c.displayName(), c.consoleLog(), log, c.consoleLog());
                LOG.severe(text);
            }
            tracked.clear();
        }

        @Override
        public synchronized void testSuccessful(ExtensionContext context) {
            tracked.clear();
        }

        @Override
        public synchronized void testAborted(ExtensionContext context, Throwable cause) {
            tracked.clear();
        }
    }
}
