package dev.atlas.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Nginx (the Debian package's binary) as a non-daemon child process, for the end-to-end test: a
 * test-only {@code nginx.conf} in its own prefix under {@code target/} that {@code include}s a site file, with
 * its pid, logs and temp directories there too, so nothing of the system's Nginx is used or touched.
 *
 * <p>{@link #test()} is {@code nginx -t}; {@link #start(int)} starts the master (and its one worker) and waits
 * until the given port accepts connections; {@link #close()} stops both. Not thread-safe: one test thread.
 */
final class Nginx implements AutoCloseable {
    private final Path binary;
    private final Path prefix;
    private final Path conf;
    private Process process;
    private List<ProcessHandle> workers = List.of();

    private Nginx(Path binary, Path prefix, Path conf) {
        this.binary = binary;
        this.prefix = prefix;
        this.conf = conf;
    }

    /**
     * The installed {@code nginx} binary; fails with a clear message when there is none, because the
     * end-to-end test is only meaningful with the real proxy.
     */
    static Path binary() {
        for (String dir : (System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/usr/local/sbin:/sbin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "nginx"))) {
                return Path.of(dir, "nginx");
            }
        }
        throw new AssertionError("nginx is not installed (looked on the PATH and in /usr/sbin): the end-to-end test"
                + " runs Atlas behind a real Nginx. Install it with `bash .ci/ensure-nginx` (Debian package `nginx`),"
                + " which `.ci/run` does when it is absent.");
    }

    /**
     * Writes {@code <prefix>/nginx.conf}: a minimal main configuration (one worker, pid, logs and temp paths
     * under the prefix, {@code daemon off}) whose {@code http} block includes {@code site}, exactly as Debian's
     * {@code nginx.conf} includes {@code sites-enabled/*}.
     */
    static Nginx configure(Path prefix, Path site) throws IOException {
        Files.createDirectories(prefix.resolve("logs"));
        Files.createDirectories(prefix.resolve("temp"));
        // As root, the master would run its worker as "nobody", which cannot write the temp directories here.
        String user = "root".equals(System.getProperty("user.name")) ? "user root;\n" : "";
        String conf = "# Test-only main configuration written by Nginx.java: includes the site under test.\n"
                + user
                + "daemon off;\n"
                + "worker_processes 1;\n"
                + "pid " + prefix.resolve("nginx.pid") + ";\n"
                + "error_log " + prefix.resolve("logs/error.log") + " info;\n"
                + "events { worker_connections 512; }\n"
                + "http {\n"
                + "    access_log " + prefix.resolve("logs/access.log") + ";\n"
                + "    client_body_temp_path " + prefix.resolve("temp/client_body") + ";\n"
                + "    proxy_temp_path " + prefix.resolve("temp/proxy") + ";\n"
                + "    fastcgi_temp_path " + prefix.resolve("temp/fastcgi") + ";\n"
                + "    uwsgi_temp_path " + prefix.resolve("temp/uwsgi") + ";\n"
                + "    scgi_temp_path " + prefix.resolve("temp/scgi") + ";\n"
                + "    include " + site + ";\n"
                + "}\n";
        Path file = prefix.resolve("nginx.conf");
        Files.writeString(file, conf, StandardCharsets.UTF_8);
        return new Nginx(binary(), prefix, file);
    }

    /** The result of {@code nginx -t}: exit code and combined output. */
    record TestResult(int exitCode, String output) {
    }

    /** Runs {@code nginx -t -c <nginx.conf>}: checks syntax, and loads certificates and keys. */
    TestResult test() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command("-t")).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("nginx -t did not finish");
        }
        return new TestResult(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** Starts Nginx in the foreground and waits until {@code port} on 127.0.0.1 accepts connections. */
    Nginx start(int port) throws IOException {
        process = new ProcessBuilder(command()).redirectErrorStream(true)
                .redirectOutput(prefix.resolve("logs/console.log").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("nginx exited with " + process.exitValue() + ":\n" + logs());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                workers = process.descendants().toList();
                return this;
            } catch (IOException notYet) {
                AtlasProcess.pause(100);
            }
        }
        throw new AssertionError("nginx does not accept connections on port " + port + ":\n" + logs());
    }

    private List<String> command(String... extra) {
        List<String> cmd = new java.util.ArrayList<>(List.of(binary.toString(), "-p", prefix + "/", "-c", conf.toString(),
                "-e", prefix.resolve("logs/error.log").toString()));
        cmd.addAll(List.of(extra));
        return cmd;
    }

    /** Nginx's console output and error log, for failure messages. */
    String logs() {
        StringBuilder b = new StringBuilder();
        for (String name : List.of("console.log", "error.log")) {
            Path f = prefix.resolve("logs").resolve(name);
            try {
                b.append("--- nginx ").append(name).append(" ---\n").append(Files.exists(f) ? Files.readString(f) : "(none)\n");
            } catch (IOException e) {
                b.append(e).append('\n');
            }
        }
        return b.toString();
    }

    /** Stops the master (SIGTERM: fast shutdown, which stops its worker) and then makes sure the worker is gone. */
    @Override
    public void close() throws InterruptedException {
        if (process == null) {
            return;
        }
        List<ProcessHandle> children = new java.util.ArrayList<>(workers);
        process.descendants().forEach(children::add);
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        for (ProcessHandle child : children) {
            if (child.isAlive()) {
                child.destroyForcibly();
            }
        }
    }
}
