package dev.atlas.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two nodes on one PostgreSQL: an event committed on one node reaches the clients of the other through the
 * outbox listener (LISTEN/NOTIFY wakes it, the outbox gives the data). The outbox poll is set to
 * {@value #POLL_MS} ms, so an event that arrives well within {@link #FAST} came by notification: no poll could have
 * run. Writes on both nodes at once reach clients on both nodes once each, in id order; a terminated listener
 * connection ({@code pg_terminate_backend}) comes back by itself and nothing is lost meanwhile.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterIT {
    static final long POLL_MS = 30_000;
    /** Far below the poll interval: the only way for an event to cross nodes this fast is the notification. */
    static final Duration FAST = Duration.ofSeconds(10);
    Postgres pg;
    AtlasProcess a;
    AtlasProcess b;
    Api apiA;
    Api apiB;

    @BeforeAll
    void start() {
        pg = new Postgres();
        Map<String, String> settings = new HashMap<>(pg.settings());
        settings.put("ATLAS_OUTBOX_POLL_MS", Long.toString(POLL_MS));
        AtlasProcess.wipeData("cluster-a");
        AtlasProcess.wipeData("cluster-b");
        Map<String, String> sa = new HashMap<>(settings);
        sa.put("ATLAS_NODE_ID", "node-a");
        a = new AtlasProcess("cluster-a", sa).start();
        Map<String, String> sb = new HashMap<>(settings);
        sb.put("ATLAS_NODE_ID", "node-b");
        b = new AtlasProcess("cluster-b", sb).start();
        apiA = new Api(a::uri);
        apiB = new Api(b::uri);
        awaitListening(a);
        awaitListening(b);
    }

    @AfterAll
    void stop() {
        for (AtlasProcess p : new AtlasProcess[] {a, b}) {
            if (p != null) {
                p.stop();
            }
        }
        if (pg != null) {
            pg.close();
        }
    }

    static JsonNode ready(AtlasProcess node) {
        return new Api(node::uri).get("/health/ready").json();
    }

    static void awaitListening(AtlasProcess node) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode r = null;
        while (System.nanoTime() < deadline) {
            r = ready(node);
            // the lease is WAITING for its first 1.5 s (the status DEGRADED meanwhile): wait for both
            if ("UP".equals(r.path("checks").path("listener").asText()) && "UP".equals(r.path("checks").path("lease").asText())) {
                assertEquals("UP", r.path("status").asText(), r::toString);
                return;
            }
            AtlasProcess.pause(50);
        }
        throw new AssertionError("the outbox listener or the cache lease did not come up: " + r);
    }

    /** The next taskCreated of {@code taskId}, within {@code within} (else the assertion says what came). */
    static JsonNode awaitCreated(WsClient ws, String taskId, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode e = ws.nextJson();
            if ("taskCreated".equals(e.path("event").asText()) && taskId.equals(e.path("data").path("id").asText())) {
                return e;
            }
        }
        throw new AssertionError("task " + taskId + " not pushed within " + within);
    }

    @Test
    void anEventCommittedOnOneNodeReachesTheOtherNodesClientsLongBeforeAPoll() {
        try (WsClient onA = WsClient.connectReady(a.wsUri("/ws")); WsClient onB = WsClient.connectReady(b.wsUri("/ws"))) {
            for (int i = 0; i < 3; i++) {
                long t0 = System.nanoTime();
                String fromA = apiA.create("{\"title\":\"from A " + i + "\"}").path("id").asText();
                awaitCreated(onB, fromA, FAST);
                awaitCreated(onA, fromA, FAST);
                String fromB = apiB.create("{\"title\":\"from B " + i + "\"}").path("id").asText();
                awaitCreated(onA, fromB, FAST);
                awaitCreated(onB, fromB, FAST);
                assertTrue(System.nanoTime() - t0 < Duration.ofMillis(POLL_MS).toNanos(), "no poll could have run");
            }
        }
        Scrape metrics = new Scrape(apiB.get("/metrics").body());
        assertTrue(metrics.value("atlas_cluster_notifications_total") >= 3, metrics::text);
        assertEquals(1.0, metrics.value("atlas_cluster_listener_up"), metrics::text);
        // two nodes: neither caches reads (the first handed its exclusive hold over when the second started)
        assertEquals(1.0, metrics.value("atlas_cache_lease"), metrics::text);
        Scrape onA = new Scrape(apiA.get("/metrics").body());
        assertEquals(1.0, onA.value("atlas_cache_lease"), onA::text);
        assertEquals(1.0, onA.value("atlas_cache_lease_handovers_total"), onA::text);
    }

    @Test
    void writesOnBothNodesReachClientsOnBothNodesOnceEachInIdOrder() throws Exception {
        try (WsClient onA = WsClient.connectReady(a.wsUri("/ws")); WsClient onB = WsClient.connectReady(b.wsUri("/ws"))) {
            ExecutorService writers = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (Api api : List.of(apiA, apiB, apiA, apiB)) {
                    done.add(writers.submit(() -> {
                        for (int i = 0; i < 25; i++) {
                            api.create("{\"title\":\"both " + i + "\"}");
                        }
                    }));
                }
                for (Future<?> f : done) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                writers.shutdownNow();
            }
            String marker = apiA.create("{\"title\":\"marker\"}").path("id").asText();
            for (WsClient c : List.of(onA, onB)) {
                List<Long> ids = new ArrayList<>();
                JsonNode e;
                do {
                    e = c.nextJson();
                    ids.add(WsClient.idOf(e));
                } while (!marker.equals(e.path("data").path("id").asText()));
                long first = ids.get(0);
                assertEquals(LongStream.rangeClosed(first, first + 100).boxed().toList(), ids,
                        "101 events from both nodes, each once, in id order");
            }
        }
    }

    @Test
    void aTerminatedListenerConnectionComesBackAndNothingIsLost() throws Exception {
        try (WsClient onB = WsClient.connectReady(b.wsUri("/ws"))) {
            int terminated;
            try (Connection c = pg.connect(); Statement s = c.createStatement();
                    ResultSet r = s.executeQuery("SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity"
                            + " WHERE application_name = 'atlas-listener'")) {
                r.next();
                terminated = r.getInt(1);
            }
            assertEquals(2, terminated, "one listener per node");
            // written while B's listener may be down: B reads it after reconnecting, or at the latest by its poll
            String during = apiA.create("{\"title\":\"during the outage\"}").path("id").asText();
            awaitCreated(onB, during, Duration.ofMillis(POLL_MS).plus(FAST));
            awaitListening(b);
            awaitListening(a);
            String after = apiA.create("{\"title\":\"after the outage\"}").path("id").asText();
            awaitCreated(onB, after, FAST);
        }
        Scrape metrics = new Scrape(apiB.get("/metrics").body());
        assertTrue(metrics.value("atlas_cluster_listener_reconnects_total") >= 1, metrics::text);
    }
}
