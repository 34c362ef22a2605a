package dev.atlas.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Restarts: {@code kill -9} while tasks are being written loses nothing that was acknowledged, and a client
 * that reconnects with its last event id ends up with every committed event exactly once, in order; a
 * graceful stop closes sockets with 1001 so clients know to reconnect. Tomcat's base under the data directory goes
 * with a graceful stop; one a killed process left is deleted by the next start.
 */
class CrashAndShutdownIT {

    @Test
    void afterKill9AReconnectingClientHasEveryCommittedEventExactlyOnceInOrder() throws Exception {
        AtlasProcess.wipeData("crash");
        AtlasProcess first = new AtlasProcess("crash", Map.of()).start();
        Api api = new Api(first::uri);
        Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();
        long lastSeen = 0;
        List<Long> received = new java.util.ArrayList<>();
        Thread writer = new Thread(() -> {
            for (int i = 0; i < 2000 && !stop.get(); i++) {
                try {
                    JsonNode t = api.create("{\"title\":\"crash " + i + "\"}");
                    acknowledged.add(t.path("id").asLong());
                } catch (RuntimeException | AssertionError e) {
                    return; // the server is gone: unacknowledged, may or may not be committed
                }
            }
        }, "test-writer");
        try (WsClient ws = WsClient.connectReady(first.wsUri("/ws"))) {
            writer.start();
            for (int i = 0; i < 30; i++) { // kill in the middle of the writes
                long id = WsClient.idOf(ws.nextJson());
                received.add(id);
                lastSeen = id;
            }
            first.kill();
        }
        stop.set(true);
        writer.join(20_000);
        Path work = AtlasProcess.target().resolve("it-data/crash/work");
        assertEquals(1, listed(work).size(), "the killed process left its Tomcat base behind: " + listed(work));

        try (AtlasProcess second = first.successor().start();
             WsClient back = WsClient.connectReady(second.wsUri("/ws?lastEventId=" + lastSeen))) {
            long committed = back.helloId();
            for (long id = lastSeen + 1; id <= committed; id++) {
                received.add(WsClient.idOf(back.nextJson()));
            }
            for (int i = 0; i < received.size(); i++) {
                assertEquals(i + 1, received.get(i), "every committed event exactly once, in order");
            }
            Api api2 = new Api(second::uri);
            for (long taskId : acknowledged) {
                assertEquals(200, api2.get("/api/tasks/" + taskId).status(), "acknowledged task " + taskId + " survived");
            }
            // one writer, sequential: event 30 was committed only after create 29 was acknowledged
            assertTrue(acknowledged.size() >= 29, "acknowledged " + acknowledged.size());
            assertTrue(committed >= acknowledged.size(), "every acknowledged create has its event");
            List<String> bases = listed(work);
            assertEquals(1, bases.size(), "the restart deleted the dead process's Tomcat base: " + bases);
            assertTrue(bases.get(0).startsWith("tomcat-"), bases::toString);
        }
        assertEquals(List.of(), listed(work), "a graceful stop deletes its own Tomcat base");
    }

    private static List<String> listed(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aGracefulStopClosesSocketsWithGoingAway() {
        AtlasProcess.wipeData("graceful");
        AtlasProcess server = new AtlasProcess("graceful", Map.of()).start();
        try (WsClient ws = WsClient.connectReady(server.wsUri("/ws"));
             WsClient sio = WsClient.connect(server.wsUri("/socket.io/?EIO=4&transport=websocket"))) {
            assertTrue(sio.next().startsWith("0{"));
            sio.send("40");
            assertTrue(sio.next().startsWith("40{"));
            long before = System.nanoTime();
            server.stop();
            assertEquals(1001, ws.awaitClose(), "going away");
            assertEquals(1001, sio.awaitClose(), "going away: socket.io-client reconnects on this");
            assertTrue(System.nanoTime() - before < 30_000_000_000L, "within a bounded time");
        } finally {
            server.stop();
        }
    }
}
