package dev.atlas.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The REST + event suite, run against a real server process (packaged WAR on embedded Tomcat) with real
 * HTTP and real WebSocket clients. Subclasses choose the database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class TaskEventsContract {
    static final Pattern ISO_MILLIS = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
    static final String WALLET_A = "0xAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    static final String WALLET_B = "0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    AtlasProcess server;
    Api api;

    /** Starts the server for this class's database. */
    abstract AtlasProcess startServer();

    @BeforeAll
    void startAll() {
        server = startServer();
        api = new Api(server::uri);
    }

    @AfterAll
    void stopAll() {
        if (server != null) {
            server.stop();
        }
    }

    WsClient client() {
        return WsClient.connectReady(server.wsUri("/ws"));
    }

    static void assertEnvelope(JsonNode e, String event, long id) {
        assertEquals(event, e.path("event").asText(), () -> "event name of " + e);
        assertTrue(ISO_MILLIS.matcher(e.path("timestamp").asText()).matches(), () -> "timestamp of " + e);
        assertTrue(e.path("id").isTextual(), () -> "id is a string in " + e);
        assertEquals(id, Long.parseLong(e.path("id").asText()), () -> "id of " + e);
        assertEquals("taskAssigned".equals(event), e.has("agentWallet"), () -> "agentWallet only on taskAssigned: " + e);
    }

    @Test
    void helloCarriesTheLastEventIdAndCreateWithAgentEmitsCreatedThenAssigned() {
        try (WsClient ws = client()) {
            long base = ws.helloId();
            JsonNode task = api.create("{\"title\":\"Deliver\",\"agentWallet\":\"" + WALLET_A + "\"}");
            JsonNode created = ws.nextJson();
            JsonNode assigned = ws.nextJson();
            assertEnvelope(created, "taskCreated", base + 1);
            assertEnvelope(assigned, "taskAssigned", base + 2);
            assertEquals(WALLET_A.toLowerCase(), assigned.path("agentWallet").asText());
            JsonNode fetched = api.get("/api/tasks/" + task.path("id").asLong()).json();
            assertEquals(fetched, created.path("data"), "data is exactly what GET returns");
            assertEquals(fetched, assigned.path("data"));
            assertEquals(created.path("timestamp"), assigned.path("timestamp"), "one commit, one timestamp");
        }
    }

    @Test
    void eachActionEmitsExactlyTheEventsOfTheTable() {
        try (WsClient ws = client()) {
            long id0 = ws.helloId();
            long task = api.create("{\"title\":\"Plain\"}").path("id").asLong();
            assertEnvelope(ws.nextJson(), "taskCreated", id0 + 1);

            // edit without agent change: taskUpdated only
            api.put("/api/tasks/" + task, "{\"title\":\"Plain 2\",\"priority\":\"high\"}");
            JsonNode updated = ws.nextJson();
            assertEnvelope(updated, "taskUpdated", id0 + 2);
            assertEquals("Plain 2", updated.path("data").path("title").asText());

            // edit that assigns: taskUpdated + taskAssigned
            api.put("/api/tasks/" + task, "{\"agentWallet\":\"" + WALLET_B + "\"}");
            assertEnvelope(ws.nextJson(), "taskUpdated", id0 + 3);
            JsonNode assigned = ws.nextJson();
            assertEnvelope(assigned, "taskAssigned", id0 + 4);
            assertEquals(WALLET_B, assigned.path("agentWallet").asText());

            // the same wallet in another case is no change at all: no event (the next one is the start's)
            Api.Reply sameWallet = api.put("/api/tasks/" + task,
                    "{\"agentWallet\":\"" + WALLET_B.toUpperCase().replace("0X", "0x") + "\"}");
            assertEquals(200, sameWallet.status(), sameWallet::body);
            assertEquals(3, sameWallet.json().path("version").asInt(), sameWallet::body);

            Api.Reply started = api.post("/api/tasks/" + task + "/start", null);
            assertEquals(200, started.status());
            JsonNode startEvent = ws.nextJson();
            assertEnvelope(startEvent, "taskUpdated", id0 + 5);
            assertEquals("in_progress", startEvent.path("data").path("status").asText());

            assertEquals(200, api.post("/api/tasks/" + task + "/complete", null).status());
            JsonNode done = ws.nextJson();
            assertEnvelope(done, "taskCompleted", id0 + 6);
            assertEquals("completed", done.path("data").path("status").asText());
            assertNotNull(done.path("data").path("completedAt").textValue());

            // illegal transition: 409 and no event
            Api.Reply again = api.post("/api/tasks/" + task + "/complete", null);
            assertEquals(409, again.status());
            assertEquals("application/problem+json", again.contentType());

            assertEquals(204, api.delete("/api/tasks/" + task).status());
            JsonNode deleted = ws.nextJson();
            assertEnvelope(deleted, "taskDeleted", id0 + 7);
            assertEquals("{\"id\":" + task + "}", deleted.path("data").toString());
            assertEquals(404, api.get("/api/tasks/" + task).status());
        }
    }

    /** README's event table: an edit that changes nothing answers the task as it is and is not a new version. */
    @Test
    void anEditThatChangesNothingKeepsTheVersionAndETagAndEmitsNothing() {
        try (WsClient ws = client()) {
            JsonNode task = api.create("{\"title\":\"Same\",\"description\":\"d\",\"priority\":\"high\","
                    + "\"dueAt\":\"2027-01-02T03:04:05.000Z\",\"agentWallet\":\"" + WALLET_B + "\"}");
            long id = task.path("id").asLong();
            assertEquals("taskCreated", ws.nextJson().path("event").asText());
            assertEquals("taskAssigned", ws.nextJson().path("event").asText());
            String etag = api.get("/api/tasks/" + id).header("ETag");

            for (String noChange : new String[] {"{}", "{\"title\":\"Same\"}",
                    "{\"title\":\"Same\",\"description\":\"d\",\"priority\":\"high\",\"dueAt\":\"2027-01-02T03:04:05Z\","
                            + "\"agentWallet\":\"" + WALLET_B + "\"}"}) {
                Api.Reply r = api.put("/api/tasks/" + id, noChange);
                assertEquals(200, r.status(), r::body);
                assertEquals(task, r.json(), () -> noChange + " answers the task as it is");
                assertEquals(etag, r.header("ETag"), noChange);
            }
            Api.Reply cleared = api.put("/api/tasks/" + id, "{\"description\":null}");
            assertEquals(2, cleared.json().path("version").asInt(), cleared::body);
            JsonNode updated = ws.nextJson();
            assertEquals("taskUpdated", updated.path("event").asText(), "the first event after the no-ops is the change");
            assertEquals(cleared.json(), updated.path("data"));
            assertEquals(cleared.json(), api.put("/api/tasks/" + id, "{\"description\":null}").json(),
                    "clearing what is clear changes nothing");
            ws.send("{\"type\":\"ping\"}");
            assertEquals("pong", ws.nextJson().path("event").asText(), "no event for the second clear");
        }
    }

    @Test
    void twoClientsReceiveTheSameEventsAndClosedClientsLeaveTheRegistry() {
        // every other test closes its clients; wait until the server has let go of them all
        api.awaitSessions(0);
        int baseline = 0;
        WsClient a = client();
        WsClient b = client();
        api.awaitSessions(baseline + 2);
        api.create("{\"title\":\"Both\"}");
        assertEquals(a.next(), b.next(), "byte-identical envelope for every client");
        a.close();
        b.close();
        api.awaitSessions(baseline);
    }

    @Test
    void concurrentWritersNeverProduceAnOutOfOrderIdOnTheWire() throws Exception {
        int writers = 8;
        int perWriter = 25;
        try (WsClient ws = client()) {
            long last = ws.helloId();
            ExecutorService pool = Executors.newFixedThreadPool(writers);
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < perWriter; i++) {
                        api.create("{\"title\":\"w" + writer + "-" + i + "\"}");
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            pool.shutdown();
            for (int i = 0; i < writers * perWriter; i++) {
                JsonNode e = ws.nextJson();
                long id = Long.parseLong(e.path("id").asText());
                assertEquals(last + 1, id, "ids arrive contiguous and in order");
                last = id;
            }
        }
    }

    /**
     * A title with a lone surrogate (sent as the JSON escape {@code \\ud800}) is text no database stores as given
     * (PostgreSQL would keep {@code ?}): it is refused with 400 naming the title, nothing is pushed, and the
     * connection stays up. (Events of rows stored before that rule still carry such text: {@code Frame} escapes it,
     * FrameTest.)
     */
    @Test
    void aTitleWithALoneSurrogateIsRefusedAndNothingIsPushed() {
        try (WsClient ws = client()) {
            Api.Reply refused = api.post("/api/tasks", "{\"title\":\"lone \\ud800 surrogate\"}");
            assertEquals(400, refused.status(), refused::body);
            assertEquals("title", refused.json().path("errors").path(0).path("field").asText(), refused::body);
            ws.send("{\"type\":\"ping\"}");
            assertEquals("pong", ws.nextJson().path("event").asText(), "no event came before the pong");
        }
    }

    @Test
    void clientMessagesThatCannotBeUnderstoodGetAnErrorAndTheSessionStaysUp() {
        try (WsClient ws = client()) {
            ws.send("not json");
            assertEquals("error", ws.nextJson().path("event").asText());
            ws.send("[1,2]");
            assertEquals("error", ws.nextJson().path("event").asText());
            ws.send("{\"type\":\"fly\"}");
            JsonNode unknown = ws.nextJson();
            assertEquals("error", unknown.path("event").asText());
            assertTrue(unknown.path("message").asText().contains("fly"));
            ws.send("{\"type\":\"ping\"}");
            assertEquals("pong", ws.nextJson().path("event").asText());
            assertFalse(ws.isClosed());
        }
    }

    @Test
    void aMessageOver64KiBClosesWith1009() {
        WsClient ws = client();
        ws.send("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(64 * 1024) + "\"}");
        assertEquals(1009, ws.awaitClose());
        ws.close();
    }

    @Test
    void aMessageOfExactly64KiBIsAccepted() {
        try (WsClient ws = client()) {
            String head = "{\"type\":\"ping\",\"pad\":\"";
            String msg = head + "x".repeat(64 * 1024 - head.length() - 2) + "\"}";
            assertEquals(64 * 1024, msg.length());
            ws.send(msg);
            assertEquals("pong", ws.nextJson().path("event").asText());
        }
    }
}
