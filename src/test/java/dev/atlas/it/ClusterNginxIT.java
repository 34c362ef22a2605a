package dev.atlas.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Three nodes on one PostgreSQL schema behind a real Nginx running {@code conf/nginx/atlas.conf} (its two upstreams
 * listing the three nodes, see {@link AtlasSite}), with real clients through Nginx over HTTPS: atlas-client.js on
 * {@code /ws} (round robin) and socket.io-client with its default polling-then-WebSocket transports (hashed by
 * client address; each client has a source address of its own). A writer creates tasks through Nginx at a steady
 * rate (so every node handles writes) while one node is {@code kill -9}ed and restarted, and then all three are
 * restarted one at a time (SIGTERM: the node closes its sockets with 1001 and finishes in-flight requests; Nginx
 * sends new connections to the others). Afterwards every client holds every event of the outbox exactly once, in
 * id order: none lost, none twice, whichever node it was on and whichever node committed the write.
 */
class ClusterNginxIT {
    static final int WS_CLIENTS = 6;
    static final int SIO_CLIENTS = 9;
    static final Duration WAIT = Duration.ofSeconds(60);

    private final Path repo = AtlasProcess.target().getParent();
    private final Path work = AtlasProcess.target().resolve("cluster-nginx");

    @Test
    void everyClientGetsEveryEventOnceInOrderThroughAKillAndARollingRestart() throws Exception {
        Nginx.binary();
        AtlasProcess.deleteTree(work);
        Files.createDirectories(work);
        NginxEndToEndIT.Tls tls = NginxEndToEndIT.Tls.selfSigned(work);
        int httpPort = AtlasProcess.freePort();
        int httpsPort = AtlasProcess.freePort();
        String https = "https://127.0.0.1:" + httpsPort;
        try (Postgres pg = new Postgres()) {
            Map<String, String> settings = new HashMap<>(pg.settings());
            settings.putAll(Tokens.settings());
            settings.put("ATLAS_TRUSTED_PROXIES", "127.0.0.1");
            AtlasProcess[] nodes = new AtlasProcess[3];
            for (int i = 0; i < nodes.length; i++) {
                AtlasProcess.wipeData("cluster-nginx-" + i);
                Map<String, String> s = new HashMap<>(settings);
                s.put("ATLAS_NODE_ID", "node-" + i);
                nodes[i] = new AtlasProcess("cluster-nginx-" + i, s);
            }
            List<Integer> ports = List.of(nodes[0].port(), nodes[1].port(), nodes[2].port());
            Path site = work.resolve("atlas.conf");
            Files.writeString(site, "# conf/nginx/atlas.conf as ClusterNginxIT runs it (see AtlasSite)\n"
                    + AtlasSite.render(repo, work, httpPort, httpsPort, ports, tls));
            ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor();
            try (Nginx nginx = Nginx.configure(work, site)) {
                for (AtlasProcess n : nodes) {
                    n.start();
                }
                Nginx.TestResult check = nginx.test();
                assertEquals(0, check.exitCode(), () -> "nginx -t failed:\n" + check.output());
                nginx.start(httpsPort);
                String admin = Tokens.admin();
                try (NodeClient clients = NodeClient.script("cluster-clients", "cluster-clients.mjs", https,
                        tls.certPem().toString(), admin, Integer.toString(WS_CLIENTS), Integer.toString(SIO_CLIENTS), "300")) {
                    clients.awaitLines(l -> "state".equals(l.path("type").asText()) && "open".equals(l.path("state").asText()),
                            WS_CLIENTS, WAIT, "every /ws client open");
                    clients.awaitLines(NodeClient.type("connect"), SIO_CLIENTS, WAIT, "every Socket.IO client connected");
                    List<JsonNode> before = new ArrayList<>();
                    for (AtlasProcess n : nodes) {
                        before.add(new Api(n::uri, admin).get("/api/diagnostics").json());
                    }
                    for (JsonNode d : before) {
                        assertTrue(d.path("sessions").asInt() - d.path("engineIoSessions").asInt() > 0,
                                () -> "round robin put /ws clients on every node: " + before);
                    }

                    // a steady write load through Nginx, so every node commits some of the events
                    HttpClient http = tls.httpClient();
                    AtomicInteger created = new AtomicInteger();
                    Map<Integer, AtomicInteger> failures = new ConcurrentHashMap<>();
                    writer.scheduleWithFixedDelay(() -> {
                        int status = post(http, https, admin, created.get());
                        if (status == 201) {
                            created.incrementAndGet();
                        } else {
                            failures.computeIfAbsent(status, k -> new AtomicInteger()).incrementAndGet();
                        }
                    }, 0, 40, TimeUnit.MILLISECONDS);
                    awaitCreated(created, 30);

                    // kill -9 the node holding the most Socket.IO sessions, and bring it back
                    int victim = 0;
                    for (int i = 1; i < nodes.length; i++) {
                        if (before.get(i).path("engineIoSessions").asInt() > before.get(victim).path("engineIoSessions").asInt()) {
                            victim = i;
                        }
                    }
                    nodes[victim].kill();
                    awaitCreated(created, created.get() + 30);
                    nodes[victim] = nodes[victim].successor().start();
                    awaitCreated(created, created.get() + 30);

                    // rolling restart: one node at a time, each back and ready before the next goes
                    for (int i = 0; i < nodes.length; i++) {
                        nodes[i].stop();
                        awaitCreated(created, created.get() + 20);
                        nodes[i] = nodes[i].successor().start();
                        awaitCreated(created, created.get() + 20);
                    }
                    writer.shutdown();
                    assertTrue(writer.awaitTermination(30, TimeUnit.SECONDS));

                    List<String> outbox = eventIds(pg);
                    assertTrue(outbox.size() >= created.get(), "every 201 is an event in the outbox");
                    String last = outbox.get(outbox.size() - 1);
                    Map<String, List<String>> seen = awaitEveryClientAt(clients, last);
                    for (Map.Entry<String, List<String>> e : seen.entrySet()) {
                        assertEquals(outbox, e.getValue(), () -> e.getKey() + " got every event of the outbox once, in order"
                                + " (writes " + created + ", failed " + failures + ")\n" + clients.tail());
                    }
                    assertTrue(clients.jsonLines(NodeClient.type("resync")).isEmpty(), "nothing needed a resync");
                    List<JsonNode> recovered = clients.jsonLines(l -> "connect".equals(l.path("type").asText())
                            && l.path("recovered").asBoolean());
                    assertTrue(!recovered.isEmpty(), "Socket.IO clients of the stopped nodes recovered their sessions");
                    clients.sendJson(Map.of("cmd", "exit"));
                }
            } finally {
                writer.shutdownNow();
                for (AtlasProcess n : nodes) {
                    if (n != null) {
                        n.stop();
                    }
                }
            }
        }
    }

    private static int post(HttpClient http, String https, String token, int n) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(https + "/api/tasks"))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"cluster " + n + "\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    /** Waits (bounded) until the writer has created at least {@code count} tasks. */
    private static void awaitCreated(AtomicInteger created, int count) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (created.get() < count) {
            assertTrue(System.nanoTime() < deadline, "the writer reached " + created + " of " + count + " tasks");
            AtlasProcess.pause(20);
        }
    }

    private static List<String> eventIds(Postgres pg) throws Exception {
        List<String> ids = new ArrayList<>();
        try (Connection c = pg.connect(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT id FROM task_event ORDER BY id")) {
            while (r.next()) {
                ids.add(Long.toString(r.getLong(1)));
            }
        }
        return ids;
    }

    /** Every client's event ids once each has received {@code last} (bounded), by client name. */
    private static Map<String, List<String>> awaitEveryClientAt(NodeClient clients, String last) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < WS_CLIENTS; i++) {
            names.add("ws" + i);
        }
        for (int i = 0; i < SIO_CLIENTS; i++) {
            names.add("sio" + i);
        }
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            Map<String, List<String>> seen = new LinkedHashMap<>();
            for (String n : names) {
                seen.put(n, new ArrayList<>());
            }
            for (JsonNode l : clients.jsonLines(NodeClient.type("event"))) {
                seen.get(l.path("c").asText()).add(l.path("id").asText());
            }
            List<String> behind = names.stream().filter(n -> !seen.get(n).contains(last)).collect(Collectors.toList());
            if (behind.isEmpty()) {
                return seen;
            }
            assertTrue(System.nanoTime() < deadline, () -> "clients without event " + last + ": " + behind + "\n" + clients.tail());
            AtlasProcess.pause(500);
        }
    }
}
