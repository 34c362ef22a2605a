package dev.atlas.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real Node.js program run as a child process for the integration tests — a {@code socket.io-client}
 * driver, {@code wscat}, a headless-browser script — from {@code src/test/node}, whose {@code node_modules}
 * the build installs with {@code npm ci} (pinned by the lockfile).
 *
 * <p>Every stdout line is read on a background thread into a queue (and kept in a history); tests wait for
 * the next line matching a predicate, always with a timeout, and may write lines to the program's stdin.
 * stdout and stderr are also copied to {@code target/it-logs/node-<name>.log}. {@link #close()} kills the
 * process and its descendants. stdin stays open until then (wscat, for one, exits when it closes).
 *
 * <p>Threading: the reader threads fill the queue; the awaiting methods are meant for one test thread.
 */
public final class NodeClient implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    /** Marks the end of stdout in the queue. */
    private static final String EOF = new String("\u0000EOF");

    private final String name;
    private final Process process;
    private final BlockingQueue<String> queue = new LinkedBlockingQueue<>();
    private final List<String> history = new CopyOnWriteArrayList<>();
    private final List<String> stderr = new CopyOnWriteArrayList<>();
    private final Writer stdin;
    private final Path log;
    private volatile boolean outputEnded;

    private NodeClient(String name, List<String> command) {
        this.name = name;
        this.log = AtlasProcess.target().resolve("it-logs").resolve("node-" + name + ".log");
        try {
            Files.createDirectories(log.getParent());
            Files.writeString(log, "$ " + String.join(" ", command) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
            ProcessBuilder pb = new ProcessBuilder(command).directory(nodeDir().toFile());
            pb.environment().put("NO_COLOR", "1");
            process = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start " + command, e);
        }
        stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        reader("out", process.getInputStream(), line -> {
            history.add(line);
            queue.add(line);
        }, () -> {
            outputEnded = true;
            queue.add(EOF);
        });
        reader("err", process.getErrorStream(), stderr::add, () -> { });
    }

    /** {@code node <script> <args…>}, the script being a file of {@code src/test/node}. */
    public static NodeClient script(String name, String script, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(nodeExecutable().toString());
        cmd.add(requireFile(nodeDir().resolve(script)).toString());
        cmd.addAll(List.of(args));
        return new NodeClient(name, cmd);
    }

    /**
     * An installed package's command as npm links it, {@code node_modules/.bin/<bin> <args…>}, run by the
     * {@code node} found on the PATH (the way its {@code #!/usr/bin/env node} line would).
     */
    public static NodeClient bin(String name, String bin, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(nodeExecutable().toString());
        cmd.add(requireFile(nodeDir().resolve("node_modules").resolve(".bin").resolve(bin)).toString());
        cmd.addAll(List.of(args));
        return new NodeClient(name, cmd);
    }

    /** {@code src/test/node}, checked: it must hold the installed {@code node_modules}. */
    public static Path nodeDir() {
        Path dir = AtlasProcess.target().getParent().resolve("src").resolve("test").resolve("node");
        if (!Files.isDirectory(dir.resolve("node_modules"))) {
            throw new AssertionError("Missing " + dir.resolve("node_modules") + ": the Node clients of the integration"
                    + " tests are not installed. Run `npm ci` in src/test/node (`mvn verify` does it before the"
                    + " integration tests).");
        }
        return dir;
    }

    /** The {@code node} on the PATH; a clear failure when there is none. */
    public static Path nodeExecutable() {
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, "node");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError("No `node` on the PATH (" + path + "): these integration tests drive the real"
                + " Node.js clients (socket.io-client, wscat, playwright-core). Install Node.js 20 or later.");
    }

    private static Path requireFile(Path p) {
        if (!Files.exists(p)) {
            throw new AssertionError("Missing " + p + ": run `npm ci` in src/test/node, or check the script name.");
        }
        return p;
    }

    private void reader(String stream, InputStream in, java.util.function.Consumer<String> sink, Runnable atEnd) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    appendLog(stream + "| " + line);
                    sink.accept(line);
                }
            } catch (IOException e) {
                appendLog(stream + "! " + e);
            } finally {
                atEnd.run();
            }
        }, "node-" + name + "-" + stream);
        t.setDaemon(true);
        t.start();
    }

    private synchronized void appendLog(String line) {
        try {
            Files.writeString(log, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // the log is a debugging aid only
        }
    }

    /** Writes one line to the program's stdin. */
    public void send(String line) {
        try {
            stdin.write(line + "\n");
            stdin.flush();
        } catch (IOException e) {
            throw new AssertionError(name + ": cannot write to stdin (process " + state() + ")" + tail(), e);
        }
    }

    /** Writes one JSON command (e.g. {@code {"cmd":"exit"}}) to stdin. */
    public void sendJson(Object command) {
        try {
            send(JSON.writeValueAsString(command));
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /**
     * The next stdout line that matches, skipping (consuming) the others; fails after the timeout, or at once
     * when the program's stdout ends first.
     */
    public String next(Predicate<String> matching, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String line;
            try {
                line = left <= 0 ? null : queue.poll(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            if (line == null) {
                throw new AssertionError(name + ": no " + what + " within " + timeout + tail());
            }
            if (line == EOF) {
                queue.add(EOF); // later waits end at once too
                throw new AssertionError(name + ": output ended (process " + state() + ") before " + what + tail());
            }
            if (matching.test(line)) {
                return line;
            }
        }
    }

    /** The next stdout line that is JSON and matches, skipping the others (see {@link #next}). */
    public JsonNode nextJson(Predicate<JsonNode> matching, Duration timeout, String what) {
        return parse(next(l -> {
            JsonNode n = tryParse(l);
            return n != null && matching.test(n);
        }, timeout, what));
    }

    /** The next JSON line whose {@code type} is the given one (sio-client.mjs and browser-check.mjs lines). */
    public JsonNode nextOfType(String type, Duration timeout) {
        return nextJson(n -> type.equals(n.path("type").asText()), timeout, "\"" + type + "\" line");
    }

    /**
     * Waits until at least {@code count} JSON lines seen so far (consumed by {@link #next} or not) match;
     * returns them all, in order. Fails after the timeout, or as soon as the program has exited short of them.
     */
    public List<JsonNode> awaitLines(Predicate<JsonNode> matching, int count, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean ended = outputEnded; // read first: once true, every line is in the history
            List<JsonNode> found = jsonLines(matching);
            if (found.size() >= count) {
                return found;
            }
            if (ended) {
                throw new AssertionError(name + ": output ended (process " + state() + ") after " + found.size()
                        + " of " + count + " " + what + tail());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + ": " + found.size() + " of " + count + " " + what + " within " + timeout + tail());
            }
            AtlasProcess.pause(20);
        }
    }

    /** The first JSON line seen so far that matches (see {@link #awaitLines}). */
    public JsonNode awaitLine(Predicate<JsonNode> matching, Duration timeout, String what) {
        return awaitLines(matching, 1, timeout, what).get(0);
    }

    /** Matches the JSON lines of sio-client.mjs / browser-check.mjs with this {@code type}. */
    public static Predicate<JsonNode> type(String type) {
        return n -> type.equals(n.path("type").asText());
    }

    /** Every stdout line so far, consumed or not. */
    public List<String> lines() {
        return List.copyOf(history);
    }

    /** Every stdout line so far that is JSON and matches. */
    public List<JsonNode> jsonLines(Predicate<JsonNode> matching) {
        List<JsonNode> out = new ArrayList<>();
        for (String l : history) {
            JsonNode n = tryParse(l);
            if (n != null && matching.test(n)) {
                out.add(n);
            }
        }
        return out;
    }

    /** Every JSON line so far with this {@code type}. */
    public List<JsonNode> linesOfType(String type) {
        return jsonLines(n -> type.equals(n.path("type").asText()));
    }

    /** Waits for the process to end by itself; returns its exit code. */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError(name + ": still running after " + timeout + tail());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    private String state() {
        return process.isAlive() ? "running" : "exited with " + process.exitValue();
    }

    /** The last lines of stdout and stderr, for failure messages. */
    public String tail() {
        List<String> out = lines();
        List<String> err = List.copyOf(stderr);
        return "\n--- " + name + " stdout (last lines) ---\n" + String.join("\n", out.subList(Math.max(0, out.size() - 40), out.size()))
                + "\n--- " + name + " stderr (last lines) ---\n" + String.join("\n", err.subList(Math.max(0, err.size() - 20), err.size()))
                + "\n--- full log: " + log + " ---";
    }

    static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + line, e);
        }
    }

    private static JsonNode tryParse(String line) {
        if (line.isEmpty() || (line.charAt(0) != '{' && line.charAt(0) != '[')) {
            return null;
        }
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            return null;
        }
    }

    /** Kills the program and anything it started, and waits (bounded) for it to be gone. */
    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                appendLog("! still alive 10 s after SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            stdin.close();
        } catch (IOException ignored) {
            // the pipe is gone with the process
        }
    }

    @Override
    public String toString() {
        return "NodeClient[" + name + ", " + state() + "]";
    }
}
