package dev.atlas.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atlas.config.Setting;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/**
 * Atlas deployed as an operator would (docs/deploy.md): the built WAR as {@code ROOT.war} in a stock Tomcat 10.1
 * with {@code conf/tomcat/server.xml} and {@code setenv.sh}, behind a real Nginx running
 * {@code conf/nginx/atlas.conf}, and real clients talking to Nginx over HTTPS only.
 *
 * <p>What the test-only wrapper changes in {@code atlas.conf}, and nothing else (each substitution must match, so
 * a changed file fails here instead of being tested half-way):
 * <ul>
 *   <li><b>ports</b>: {@code listen 80} and {@code listen 443 ssl} become free ports on 127.0.0.1 (loopback only);
 *   <li><b>upstream address</b>: the {@code server 127.0.0.1:8080} line points at the test's Tomcat port;
 *   <li><b>certificate paths</b>: the two PLACEHOLDER paths point at a self-signed certificate made with keytool;
 *   <li><b>proxy_read_timeout</b>: every value becomes {@value #READ_TIMEOUT_S} s instead of 75 s, so that
 *       "an idle socket outlives Nginx's read timeout" takes seconds instead of minutes. Atlas's Socket.IO
 *       heartbeat is shortened to match ({@code ATLAS_SIO_PING_INTERVAL_MS}={@value #PING_INTERVAL_MS},
 *       {@code ATLAS_SIO_PING_TIMEOUT_MS}={@value #PING_TIMEOUT_MS}), keeping the production relation the config's
 *       comments state: read timeout above pingInterval + pingTimeout. {@link #productionTimeoutsKeepThatRelation}
 *       checks the unmodified file against the real defaults.
 * </ul>
 * The main configuration around it ({@link Nginx}) only sets pid, log and temp paths, like Debian's nginx.conf
 * including {@code sites-enabled/*}.
 */
class NginxEndToEndIT {
    static final int READ_TIMEOUT_S = 4;
    static final int PING_INTERVAL_MS = 1000;
    static final int PING_TIMEOUT_MS = 2000;
    /** An idle period of 2.5 read timeouts: without traffic from Tomcat, Nginx would have cut a socket twice. */
    static final Duration IDLE = Duration.ofMillis(READ_TIMEOUT_S * 2500L);
    static final String CLIENT_IP = "203.0.113.7";
    static final Duration WAIT = Duration.ofSeconds(15);
    static final ObjectMapper JSON = new ObjectMapper();

    private final Path repo = AtlasProcess.target().getParent();
    private final Path work = AtlasProcess.target().resolve("nginx-e2e");

    @Test
    void atlasWorksBehindNginxWithTheFilesFromConf() throws Exception {
        Nginx.binary(); // fails at once, with how to install it, when nginx is missing
        AtlasProcess.deleteTree(work);
        Files.createDirectories(work);
        Tls tls = Tls.selfSigned(work);
        int httpPort = AtlasProcess.freePort();
        int httpsPort = AtlasProcess.freePort();
        String https = "https://127.0.0.1:" + httpsPort;

        // The plumbing under test (proxying, upgrades, heartbeats, client IP) is the same with tokens;
        // StockTomcatIT and the Security*IT cover authentication. Explicit development mode keeps this test
        // about the deployment.
        Map<String, String> env = Map.of(
                "ATLAS_AUTH", "off",
                "ATLAS_WS_PING_INTERVAL_SECONDS", "1",
                "ATLAS_DATA_DIR", AtlasProcess.target().resolve("stock-base/nginx-e2e/data").toString(),
                Setting.SIO_PING_INTERVAL_MS.envName(), Integer.toString(PING_INTERVAL_MS),
                Setting.SIO_PING_TIMEOUT_MS.envName(), Integer.toString(PING_TIMEOUT_MS),
                "TOMCAT_HEAP", "512m");
        try (StockTomcat tomcat = new StockTomcat("nginx-e2e", env).withAtlasConf().start();
             Nginx nginx = Nginx.configure(work, writeSite(tomcat.port(), httpPort, httpsPort, tls))) {

            Nginx.TestResult check = nginx.test();
            assertEquals(0, check.exitCode(), () -> "nginx -t failed:\n" + check.output());
            assertTrue(check.output().contains("test is successful"), check.output());
            nginx.start(httpsPort);
            HttpClient http = tls.httpClient();

            // Plain HTTP only redirects to HTTPS.
            HttpResponse<String> redirect = send(http, HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + httpPort + "/api/tasks?x=1")).GET());
            assertEquals(301, redirect.statusCode(), nginx::logs);
            assertEquals("https://127.0.0.1/api/tasks?x=1", redirect.headers().firstValue("Location").orElse(null));

            // The client address Atlas sees: Nginx appends its peer to X-Forwarded-For, RemoteIpValve trusts Nginx
            // (127.0.0.1, internalProxies) and takes the next address. Done early: Tomcat flushes its access log
            // in the background, checked at the end.
            String probe = UUID.randomUUID().toString();
            // (the marker travels in the User-Agent: the access logs deliberately leave query strings out)
            HttpResponse<String> console = send(http, HttpRequest.newBuilder(URI.create(https + "/index.html?access_token=secret-" + probe))
                    .header("X-Forwarded-For", CLIENT_IP).header("User-Agent", "atlas-e2e-" + probe).GET());
            assertEquals(200, console.statusCode(), "the admin console through location /");

            // The operations endpoints through Nginx: readiness (location /health), the API documentation (location
            // /api-docs) and /metrics (location /; open to a remote client here only because of development mode).
            assertEquals(200, send(http, HttpRequest.newBuilder(URI.create(https + "/health/ready")).GET()).statusCode());
            HttpResponse<String> apiDocs = send(http, HttpRequest.newBuilder(URI.create(https + "/api-docs")).GET());
            assertEquals(200, apiDocs.statusCode());
            assertTrue(apiDocs.body().contains("swagger-ui"), apiDocs::body);
            HttpResponse<String> openApi = send(http, HttpRequest.newBuilder(URI.create(https + "/api-docs/openapi.json")).GET());
            assertEquals(200, openApi.statusCode());
            assertTrue(JSON.readTree(openApi.body()).path("paths").has("/api/tasks/{id}/start"), openApi::body);
            HttpResponse<String> metrics = send(http, HttpRequest.newBuilder(URI.create(https + "/metrics")).GET());
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.body().contains("atlas_events_committed_total"), metrics::body);

            ScheduledExecutorService pinger = Executors.newSingleThreadScheduledExecutor();
            try (Wss ws = Wss.connect(tls, URI.create("wss://127.0.0.1:" + httpsPort + "/ws"));
                 Wss silentWs = Wss.connect(tls, URI.create("wss://127.0.0.1:" + httpsPort + "/ws"));
                 SioClient sio = SioClient.start(repo, https, tls.certPem(), work.resolve("sio-client.log"))) {
                JsonNode hello = ws.next(WAIT);
                assertEquals("hello", hello.path("event").asText(), hello::toString);
                assertEquals("hello", silentWs.next(WAIT).path("event").asText());
                // This client also sends its own {"type":"ping"} every second (answered with a pong); silentWs
                // sends nothing and relies on the server's ping frames.
                pinger.scheduleAtFixedRate(() -> ws.send("{\"type\":\"ping\"}"), 0, 1, TimeUnit.SECONDS);

                // socket.io-client with default transports: long-polling first, then the upgrade to WebSocket,
                // both through Nginx. (Whether "connect" comes before or after the upgrade is the client's race.)
                JsonNode connected = sio.await(n -> "connect".equals(n.path("type").asText()), WAIT, "connect");
                String sid = connected.path("id").asText();
                JsonNode upgraded = sio.seen("upgrade", WAIT);
                assertEquals("websocket", upgraded.path("transport").asText(), upgraded::toString);

                // REST through Nginx; X-Forwarded-Proto/-Port make the Location https on Nginx's port.
                HttpResponse<String> created = send(http, HttpRequest.newBuilder(URI.create(https + "/api/tasks"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"title\":\"behind nginx\",\"agentWallet\":\"0x" + "a".repeat(40) + "\"}")));
                assertEquals(201, created.statusCode(), created::body);
                JsonNode task = JSON.readTree(created.body());
                String location = https + "/api/tasks/" + task.path("id").asText();
                assertEquals(location, created.headers().firstValue("Location").orElse(null),
                        "RemoteIpValve: scheme and port as the client used them");
                HttpResponse<String> got = send(http, HttpRequest.newBuilder(URI.create(location)).GET());
                assertEquals(200, got.statusCode(), got::body);
                assertEquals(task, JSON.readTree(got.body()));

                JsonNode createdEvent = ws.nextEvent(WAIT);
                assertEquals("taskCreated", createdEvent.path("event").asText(), createdEvent::toString);
                assertEquals(task, createdEvent.path("data"));
                assertEquals("taskAssigned", ws.nextEvent(WAIT).path("event").asText());
                JsonNode sioEvent = sio.await(n -> "event".equals(n.path("type").asText()), WAIT, "taskCreated event");
                assertEquals("taskCreated", sioEvent.path("name").asText(), sioEvent::toString);
                assertEquals(task, sioEvent.path("args").path(0).path("data"));
                assertEquals(createdEvent, sioEvent.path("args").path(0), "the same envelope on both transports");
                assertEquals("taskAssigned", sio.await(n -> "event".equals(n.path("type").asText()), WAIT, "taskAssigned")
                        .path("name").asText());

                // Idle: nothing to push for 2.5 read timeouts. The Socket.IO heartbeat keeps its connection
                // alive through Nginx; on /ws the server's ping frames do the same.
                int pingsBefore = sio.count("ping");
                long end = System.nanoTime() + IDLE.toNanos();
                while (System.nanoTime() < end) {
                    assertEquals(0, sio.count("disconnect"), () -> "socket.io dropped while idle:" + sio.tail() + nginx.logs());
                    AtlasProcess.pause(250);
                }
                assertEquals(0, sio.count("disconnect"), () -> "socket.io dropped while idle:" + sio.tail());
                assertEquals(1, sio.count("connect"), () -> "socket.io reconnected while idle:" + sio.tail());
                assertTrue(sio.count("ping") - pingsBefore >= IDLE.toMillis() / PING_INTERVAL_MS / 2,
                        () -> "heartbeats crossed Nginx while idle:" + sio.tail());
                // A /ws client that sends nothing survives too: the server's ping frames (every second here)
                // cross Nginx within its read timeout, and the client answers them automatically.
                assertFalse(silentWs.isClosed(), "server pings keep an idle /ws alive through Nginx's read timeout");
                assertFalse(ws.isClosed(), "the /ws client that pings stayed connected");

                // Still live on the same connections: a new event reaches both.
                HttpResponse<String> second = send(http, HttpRequest.newBuilder(URI.create(https + "/api/tasks"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"after the idle period\"}")));
                assertEquals(201, second.statusCode(), second::body);
                JsonNode secondTask = JSON.readTree(second.body());
                JsonNode wsEvent = ws.nextEvent(WAIT);
                assertEquals(secondTask, wsEvent.path("data"));
                JsonNode sioSecond = sio.await(n -> "event".equals(n.path("type").asText()), WAIT, "event after idle");
                assertEquals(secondTask, sioSecond.path("args").path(0).path("data"));
                assertEquals(sid, sio.last("connect").path("id").asText(), "same Socket.IO session throughout");
            } finally {
                pinger.shutdownNow();
            }

            // RemoteIpValve + AccessLogValve(requestAttributesEnabled): the client's address, then Nginx as peer,
            // then the port the client used.
            String line = awaitAccessLogLine(tomcat.base().resolve("logs"), probe, Duration.ofSeconds(25));
            String[] fields = line.split(" ");
            assertEquals(CLIENT_IP, fields[0], () -> "remote address seen by Tomcat/Atlas in: " + line);
            assertEquals("127.0.0.1", fields[1], () -> "the TCP peer is Nginx: " + line);
            assertTrue(line.endsWith(" " + httpsPort + " " + fields[fields.length - 1]), () -> "client's port: " + line);
            assertFalse(line.contains("secret-" + probe), () -> "no query string (tokens) in Tomcat's access log: " + line);
            String nginxLog = Files.readString(work.resolve("atlas.access.log"));
            assertTrue(nginxLog.contains("atlas-e2e-" + probe), "Nginx logged the request");
            assertFalse(nginxLog.contains("secret-" + probe), "no query string (tokens) in Nginx's access log");
        }
    }

    /** The unmodified atlas.conf keeps its read timeouts above what Atlas's defaults need. */
    @Test
    void productionTimeoutsKeepThatRelation() throws IOException {
        String conf = Files.readString(repo.resolve("conf/nginx/atlas.conf"));
        long sioSeconds = readTimeoutSeconds(conf, "location /socket.io/ {");
        long heartbeat = (Long.parseLong(Setting.SIO_PING_INTERVAL_MS.defaultValue())
                + Long.parseLong(Setting.SIO_PING_TIMEOUT_MS.defaultValue())) / 1000;
        assertTrue(sioSeconds > heartbeat, "/socket.io/ read timeout " + sioSeconds + " s must exceed pingInterval + pingTimeout = "
                + heartbeat + " s");
        long wsSeconds = readTimeoutSeconds(conf, "location = /ws {");
        long wsPing = Long.parseLong(Setting.WS_PING_INTERVAL_SECONDS.defaultValue());
        assertTrue(wsSeconds > wsPing, "/ws read timeout " + wsSeconds + " s must exceed the server's ping interval " + wsPing + " s");
    }

    private static long readTimeoutSeconds(String conf, String location) {
        int start = conf.indexOf(location);
        assertTrue(start >= 0, "atlas.conf has no " + location);
        String block = conf.substring(start, conf.indexOf("\n    }\n", start)); // the location's closing brace
        Matcher m = Pattern.compile("(?m)^\\s*proxy_read_timeout\\s+(\\d+)s;").matcher(block);
        assertTrue(m.find(), location + " sets no proxy_read_timeout");
        return Long.parseLong(m.group(1));
    }

    /** conf/nginx/atlas.conf with only ports, upstream address, certificate and log paths and read timeouts changed. */
    private Path writeSite(int tomcatPort, int httpPort, int httpsPort, Tls tls) throws IOException {
        String site = AtlasSite.render(repo, work, httpPort, httpsPort, List.of(tomcatPort), tls);
        Matcher timeouts = Pattern.compile("(?m)^(\\s*proxy_read_timeout\\s+)\\d+s;").matcher(site);
        String shortened = timeouts.replaceAll("$1" + READ_TIMEOUT_S + "s;");
        assertTrue(timeouts.reset().results().count() >= 2, "atlas.conf sets proxy_read_timeout on /ws and /socket.io/");
        Path file = work.resolve("atlas.conf");
        Files.writeString(file, "# conf/nginx/atlas.conf as NginxEndToEndIT runs it: ports, upstream address,\n"
                + "# certificate paths and proxy_read_timeout (" + READ_TIMEOUT_S + "s) substituted.\n" + shortened);
        return file;
    }

    private static HttpResponse<String> send(HttpClient http, HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Waits for Tomcat's access log (flushed in the background, about every 10 s) to hold a line with the marker. */
    private static String awaitAccessLogLine(Path logs, String marker, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try (Stream<Path> files = Files.list(logs)) {
                for (Path f : (Iterable<Path>) files.filter(p -> p.getFileName().toString().startsWith("localhost_access_log"))::iterator) {
                    for (String line : Files.readAllLines(f)) {
                        if (line.contains(marker)) {
                            return line;
                        }
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no access log line for " + marker + " in " + logs + " within " + timeout);
            }
            AtlasProcess.pause(250);
        }
    }

    /** A self-signed certificate for 127.0.0.1 made with the JDK's keytool, as PEM files for Nginx and a trust store for clients. */
    record Tls(Path certPem, Path keyPem, SSLContext context) {
        static Tls selfSigned(Path dir) throws Exception {
            Path p12 = dir.resolve("e2e.p12");
            char[] pass = "e2e-only".toCharArray();
            Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                    "-genkeypair", "-alias", "atlas", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                    "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                    "-storetype", "PKCS12", "-keystore", p12.toString(), "-storepass", new String(pass))
                    .redirectErrorStream(true).start();
            String out = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0, () -> "keytool failed: " + out);
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(p12)) {
                ks.load(in, pass);
            }
            Certificate cert = ks.getCertificate("atlas");
            Path certPem = dir.resolve("cert.pem");
            Path keyPem = dir.resolve("key.pem");
            Files.writeString(certPem, pem("CERTIFICATE", cert.getEncoded()));
            Files.writeString(keyPem, pem("PRIVATE KEY", ks.getKey("atlas", pass).getEncoded())); // PKCS#8
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("atlas-e2e", cert);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return new Tls(certPem, keyPem, ctx);
        }

        private static String pem(String type, byte[] der) {
            return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                    + "\n-----END " + type + "-----\n";
        }

        /** HTTP/1.1 client trusting only this certificate (hostname checked against its IP SAN); no redirects followed. */
        HttpClient httpClient() {
            return HttpClient.newBuilder().sslContext(context).version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();
        }
    }

    /** The JDK's WebSocket client over TLS, collecting JSON text messages; for one test thread (sends from any). */
    static final class Wss implements AutoCloseable {
        private final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
        private final CompletableFuture<String> closed = new CompletableFuture<>();
        private final WebSocket socket;

        private Wss(Tls tls, URI uri) throws Exception {
            socket = tls.httpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                    .buildAsync(uri, new WebSocket.Listener() {
                        private final StringBuilder partial = new StringBuilder();

                        @Override
                        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                            partial.append(data);
                            if (last) {
                                try {
                                    messages.add(JSON.readTree(partial.toString()));
                                } catch (IOException e) {
                                    closed.complete("not JSON: " + partial);
                                }
                                partial.setLength(0);
                            }
                            ws.request(1);
                            return null;
                        }

                        @Override
                        public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
                            closed.complete("close " + code + " " + reason);
                            return null;
                        }

                        @Override
                        public void onError(WebSocket ws, Throwable error) {
                            closed.complete("error " + error);
                        }
                    }).get(15, TimeUnit.SECONDS);
        }

        static Wss connect(Tls tls, URI uri) throws Exception {
            return new Wss(tls, uri);
        }

        JsonNode next(Duration timeout) throws InterruptedException {
            JsonNode n = messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (n == null) {
                throw new AssertionError("no /ws message within " + timeout + (closed.isDone() ? " (" + closed.join() + ")" : ""));
            }
            return n;
        }

        /** The next message that is not a pong (the answers to this client's pings). */
        JsonNode nextEvent(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                JsonNode n = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
                if (!"pong".equals(n.path("event").asText())) {
                    return n;
                }
            }
        }

        /** Sends and waits for the send to complete (the JDK client allows one send in flight). */
        void send(String text) {
            try {
                if (!socket.isOutputClosed()) {
                    socket.sendText(text, true).get(5, TimeUnit.SECONDS);
                }
            } catch (Exception e) {
                closed.complete("send failed: " + e);
            }
        }

        boolean awaitClosed(Duration timeout) {
            try {
                closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                return true;
            } catch (Exception e) {
                return false;
            }
        }

        boolean isClosed() {
            return closed.isDone();
        }

        @Override
        public void close() {
            socket.abort();
        }
    }

    /**
     * {@code src/test/node/sio-client.mjs}: the real socket.io-client 4.8 with default transports, in Node, trusting
     * the test certificate through {@code NODE_EXTRA_CA_CERTS}. Its JSON lines are collected by a reader thread.
     */
    static final class SioClient implements AutoCloseable {
        private final Process process;
        private final List<JsonNode> lines = new CopyOnWriteArrayList<>();
        private final BlockingQueue<JsonNode> unread = new LinkedBlockingQueue<>();
        private final List<String> raw = new CopyOnWriteArrayList<>();

        private SioClient(Process process) {
            this.process = process;
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        raw.add(line);
                        if (line.startsWith("{")) {
                            JsonNode n = JSON.readTree(line);
                            lines.add(n);
                            unread.add(n);
                        }
                    }
                } catch (IOException ignored) {
                    // the process is gone
                }
            }, "sio-client-reader");
            reader.setDaemon(true);
            reader.start();
        }

        static SioClient start(Path repo, String url, Path caCert, Path log) throws IOException {
            Path dir = repo.resolve("src/test/node");
            if (!Files.isDirectory(dir.resolve("node_modules/socket.io-client"))) {
                throw new AssertionError("src/test/node/node_modules is missing: `mvn verify` installs it (npm ci) before the"
                        + " integration tests; run `npm ci` in src/test/node when running this test alone.");
            }
            ProcessBuilder pb = new ProcessBuilder("node", "sio-client.mjs", url, "default", "90").directory(dir.toFile())
                    .redirectError(log.toFile());
            pb.environment().put("NODE_EXTRA_CA_CERTS", caCert.toString());
            try {
                return new SioClient(pb.start());
            } catch (IOException e) {
                throw new AssertionError("cannot run `node` (Node.js 20+ is needed; .ci/ensure-clients installs it)", e);
            }
        }

        /** The next line (not yet awaited) that matches; fails after the timeout. */
        JsonNode await(Predicate<JsonNode> p, Duration timeout, String what) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                long left = deadline - System.nanoTime();
                JsonNode n = left > 0 ? unread.poll(left, TimeUnit.NANOSECONDS) : null;
                if (n == null) {
                    throw new AssertionError("socket.io-client: no " + what + " within " + timeout + tail());
                }
                if (p.test(n)) {
                    return n;
                }
            }
        }

        /** The first line of this type, awaited or not, waiting for it if need be. */
        JsonNode seen(String type, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (count(type) == 0) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("socket.io-client: no " + type + " within " + timeout + tail());
                }
                AtlasProcess.pause(50);
            }
            return lines.stream().filter(n -> type.equals(n.path("type").asText())).findFirst().orElseThrow();
        }

        int count(String type) {
            return (int) lines.stream().filter(n -> type.equals(n.path("type").asText())).count();
        }

        JsonNode last(String type) {
            JsonNode found = null;
            for (JsonNode n : lines) {
                if (type.equals(n.path("type").asText())) {
                    found = n;
                }
            }
            return found;
        }

        String tail() {
            return "\n--- socket.io-client output (last 30 lines) ---\n" + String.join("\n", raw.subList(Math.max(0, raw.size() - 30), raw.size())) + "\n";
        }

        @Override
        public void close() throws InterruptedException {
            List<ProcessHandle> children = process.descendants().toList();
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            children.forEach(ProcessHandle::destroyForcibly);
        }
    }
}
