package dev.atlas.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The embedded run on a Java where {@code ATLAS_VIRTUAL_THREADS=auto} serves requests on virtual threads (24 and later;
 * this kind of machine has Temurin 25 under /usr/lib/jvm, which {@link AtlasProcess} picks): it says so at startup, no
 * request runs on a pooled platform thread, concurrent writes sharing group commits all land with every event pushed
 * once and in order, and a value it cannot honour stops it with the setting's name.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VirtualThreadsIT {
    private static final int WRITERS = 16;
    private static final int TASKS_PER_WRITER = 10;
    private static final Pattern THREAD_NAME = Pattern.compile("^\"([^\"]+)\"", Pattern.MULTILINE);

    AtlasProcess server;
    Api api;

    @BeforeAll
    void start() {
        int feature = AtlasProcess.javaFeature(AtlasProcess.JAVA);
        assertTrue(feature >= 24, () -> "VirtualThreadsIT needs a JDK 24 or later for the server, found only "
                + AtlasProcess.JAVA + " (Java " + feature + "): install one under /usr/lib/jvm or pass"
                + " -Datlas.it.java=<JDK home>");
        AtlasProcess.wipeData("virtual-threads");
        server = new AtlasProcess("virtual-threads", Map.of("ATLAS_REST_RATE_LIMIT", "0")).start();
        api = new Api(server::uri);
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void requestsRunOnVirtualThreadsAndOnThePoolWhenSwitchedOff() {
        assertTrue(server.logText().contains("Threads    virtual (Java "), server::logTail);
        for (int i = 0; i < 50; i++) {
            assertEquals(200, api.get("/api/tasks?limit=1").status());
        }
        List<String> pooled = pooledRequestThreads(server);
        assertTrue(pooled.isEmpty(), () -> "requests ran on Tomcat's pool: " + pooled);

        // The control: the same JVM with the setting off has the pool's threads, so the check above can fail.
        AtlasProcess.wipeData("virtual-threads-off");
        try (AtlasProcess off = new AtlasProcess("virtual-threads-off", Map.of("ATLAS_VIRTUAL_THREADS", "off")).start()) {
            assertTrue(off.logText().contains("Threads    Tomcat's pool (Java "), off::logTail);
            Api offApi = new Api(off::uri);
            for (int i = 0; i < 50; i++) {
                assertEquals(200, offApi.get("/api/tasks?limit=1").status());
            }
            assertFalse(pooledRequestThreads(off).isEmpty(), "no pooled request thread with ATLAS_VIRTUAL_THREADS=off");
        }
    }

    @Test
    void concurrentWritesAllLandAndEveryEventIsPushedOnceInOrder() throws Exception {
        try (WsClient ws = WsClient.connectReady(server.wsUri("/ws"))) {
            ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
            List<Future<List<Long>>> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                writers.add(pool.submit(() -> {
                    List<Long> ids = new ArrayList<>();
                    for (int i = 0; i < TASKS_PER_WRITER; i++) {
                        long id = api.create("{\"title\":\"vt " + writer + "-" + i + "\"}").path("id").asLong();
                        assertEquals(200, api.post("/api/tasks/" + id + "/start", null).status());
                        assertEquals(200, api.post("/api/tasks/" + id + "/complete", null).status());
                        ids.add(id);
                    }
                    return ids;
                }));
            }
            List<Long> tasks = new ArrayList<>();
            for (Future<List<Long>> f : writers) {
                tasks.addAll(f.get(60, TimeUnit.SECONDS));
            }
            pool.shutdown();
            assertEquals(WRITERS * TASKS_PER_WRITER, tasks.stream().distinct().count());

            Map<Long, List<String>> eventsByTask = new HashMap<>();
            long previous = ws.helloId();
            for (int i = 0; i < tasks.size() * 3; i++) {
                JsonNode e = ws.nextJson();
                long id = WsClient.idOf(e);
                assertEquals(previous + 1, id, () -> "event ids must follow each other: " + e);
                previous = id;
                eventsByTask.computeIfAbsent(e.path("data").path("id").asLong(), k -> new ArrayList<>())
                        .add(e.path("event").asText());
            }
            for (long task : tasks) {
                assertEquals(List.of("taskCreated", "taskUpdated", "taskCompleted"), eventsByTask.get(task),
                        "events of task " + task);
                JsonNode stored = api.get("/api/tasks/" + task).json();
                assertEquals("completed", stored.path("status").asText());
                assertEquals(3, stored.path("version").asInt());
            }
        }
    }

    @Test
    void aValueItCannotHonourStopsTheServerNamingTheSetting() throws Exception {
        AtlasProcess.wipeData("virtual-threads-bad");
        AtlasProcess bad = new AtlasProcess("virtual-threads-bad", Map.of("ATLAS_VIRTUAL_THREADS", "sometimes"));
        IllegalStateException e = assertThrows(IllegalStateException.class, bad::start);
        assertTrue(e.getMessage().contains("Atlas exited with 2"), e::getMessage);
        assertTrue(e.getMessage().contains("ATLAS_VIRTUAL_THREADS must be auto, on or off, got 'sometimes'"), e::getMessage);
    }

    /** The platform threads of Tomcat's request pool ({@code …-exec-N}) in the server's JVM, read with its own jcmd. */
    private static List<String> pooledRequestThreads(AtlasProcess p) {
        String dump = jcmd(p.pid(), "Thread.print");
        List<String> pooled = new ArrayList<>();
        Matcher m = THREAD_NAME.matcher(dump);
        while (m.find()) {
            if (m.group(1).contains("-exec-")) {
                pooled.add(m.group(1));
            }
        }
        assertTrue(dump.contains("-Poller\""), () -> "not a thread dump of the server: " + dump);
        return pooled;
    }

    private static String jcmd(long pid, String command) {
        try {
            Process jcmd = new ProcessBuilder(AtlasProcess.JAVA.resolve("bin").resolve("jcmd").toString(),
                    Long.toString(pid), command).redirectErrorStream(true).start();
            byte[] out = jcmd.getInputStream().readAllBytes();
            if (!jcmd.waitFor(30, TimeUnit.SECONDS) || jcmd.exitValue() != 0) {
                throw new AssertionError("jcmd failed: " + new String(out, StandardCharsets.UTF_8));
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
