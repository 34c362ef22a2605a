package dev.atlas.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.util.Map;
import java.util.concurrent.Flow;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every kind of bad request gets its 4xx with a problem+json body, never a 500, and changes nothing. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestErrorsIT {
    AtlasProcess server;
    Api api;

    @BeforeAll
    void start() {
        AtlasProcess.wipeData("rest-errors");
        server = new AtlasProcess("rest-errors", Map.of()).start();
        api = new Api(server::uri);
    }

    @AfterAll
    void stop() {
        server.stop();
    }

    static JsonNode problem(Api.Reply r, int status) {
        assertEquals(status, r.status(), () -> "status of " + r.body());
        assertEquals("application/problem+json", r.contentType());
        JsonNode p = r.json();
        assertEquals(status, p.path("status").asInt());
        assertTrue(p.path("type").asText().startsWith("https://atlas.dev/problems/"), p::toString);
        assertFalse(p.path("title").asText().isEmpty());
        assertFalse(p.path("detail").asText().isEmpty());
        assertFalse(r.body().contains("Exception"), "no class names: " + r.body());
        return p;
    }

    static void hasFieldError(JsonNode problem, String field) {
        for (JsonNode e : problem.path("errors")) {
            if (field.equals(e.path("field").asText())) {
                return;
            }
        }
        throw new AssertionError("no error for field " + field + " in " + problem);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "missing title            | {}                                              | title",
            "blank title              | {\"title\":\"   \"}                            | title",
            "title not a string       | {\"title\":5}                                  | title",
            "title too long           | {\"title\":\"TOOLONG\"}                        | title",
            "description too long     | {\"title\":\"t\",\"description\":\"DESC\"}     | description",
            "bad wallet               | {\"title\":\"t\",\"agentWallet\":\"0x12\"}     | agentWallet",
            "bad priority             | {\"title\":\"t\",\"priority\":\"urgent\"}      | priority",
            "bad dueAt                | {\"title\":\"t\",\"dueAt\":\"tomorrow\"}       | dueAt",
            "dueAt without offset     | {\"title\":\"t\",\"dueAt\":\"2026-12-01T10:00:00\"} | dueAt",
            "unknown field            | {\"title\":\"t\",\"colour\":\"red\"}           | colour",
            "array body               | [1]                                             | body",
            "null body                | null                                            | body",
    })
    void invalidCreateIs400WithTheField(String name, String body, String field) {
        String json = body.replace("TOOLONG", "x".repeat(201)).replace("DESC", "d".repeat(10_001));
        JsonNode p = problem(api.post("/api/tasks", json), 400);
        hasFieldError(p, field);
    }

    @Test
    void boundaryLengthsAreAccepted() {
        JsonNode t = api.create("{\"title\":\"" + "x".repeat(200) + "\",\"description\":\"" + "d".repeat(10_000) + "\"}");
        assertEquals(200, t.path("title").asText().length());
    }

    @Test
    void malformedJsonIs400() {
        problem(api.post("/api/tasks", "{\"title\":"), 400);
        problem(api.post("/api/tasks", "{\"title\":\"a\"} trailing"), 400);
        problem(api.post("/api/tasks", "{\"title\":\"a\",\"title\":\"b\"}"), 400);
    }

    @Test
    void emptyBodyIs400() {
        problem(api.post("/api/tasks", ""), 400);
    }

    @Test
    void wrongContentTypeIs415() {
        problem(api.send(HttpRequest.newBuilder(server.uri("/api/tasks")).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"t\"}"))), 415);
    }

    @Test
    void bodyOver1MiBIs413WithContentLength() {
        String big = "{\"title\":\"t\",\"description\":\"" + "d".repeat(1024 * 1024) + "\"}";
        problem(api.post("/api/tasks", big), 413);
    }

    @Test
    void chunkedBodyOver1MiBIs413() {
        // A publisher of unknown length makes the client send the body chunked, without Content-Length.
        byte[] chunk = "d".repeat(64 * 1024).getBytes();
        HttpRequest.BodyPublisher chunked = HttpRequest.BodyPublishers.fromPublisher(subscriber -> {
            subscriber.onSubscribe(new Flow.Subscription() {
                int sent;
                boolean done;

                @Override
                public void request(long n) {
                    // the client may call request() again from inside onNext: count before emitting
                    for (long i = 0; i < n && !done; i++) {
                        int part = sent++;
                        if (part == 0) {
                            subscriber.onNext(ByteBuffer.wrap("{\"title\":\"t\",\"description\":\"".getBytes()));
                        } else if (part <= 20) {
                            subscriber.onNext(ByteBuffer.wrap(chunk));
                        } else {
                            done = true;
                            subscriber.onNext(ByteBuffer.wrap("\"}".getBytes()));
                            subscriber.onComplete();
                        }
                    }
                }

                @Override
                public void cancel() {
                    done = true;
                }
            });
        });
        problem(api.send(HttpRequest.newBuilder(server.uri("/api/tasks")).header("Content-Type", "application/json")
                .POST(chunked)), 413);
    }

    @Test
    void unknownIdsAre404() {
        problem(api.get("/api/tasks/987654321"), 404);
        problem(api.put("/api/tasks/987654321", "{\"title\":\"x\"}"), 404);
        problem(api.post("/api/tasks/987654321/start", null), 404);
        problem(api.post("/api/tasks/987654321/complete", null), 404);
        problem(api.delete("/api/tasks/987654321"), 404);
        problem(api.get("/api/tasks/not-a-number"), 404);
        problem(api.get("/api/nothing-here"), 404);
    }

    @Test
    void wrongMethodIs405() {
        JsonNode p = problem(api.send(HttpRequest.newBuilder(server.uri("/api/tasks"))
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{}"))), 405);
        assertNotNull(p);
    }

    @Test
    void illegalTransitionsAre409AndChangeNothing() {
        long id = api.create("{\"title\":\"t\"}").path("id").asLong();
        problem(api.post("/api/tasks/" + id + "/complete", null), 409);
        assertEquals(200, api.post("/api/tasks/" + id + "/start", null).status());
        problem(api.post("/api/tasks/" + id + "/start", null), 409);
        JsonNode now = api.get("/api/tasks/" + id).json();
        assertEquals("in_progress", now.path("status").asText());
        assertEquals(2, now.path("version").asLong());
    }

    @Test
    void invalidEditIs400AndChangesNothing() {
        JsonNode t = api.create("{\"title\":\"keep\"}");
        long id = t.path("id").asLong();
        hasFieldError(problem(api.put("/api/tasks/" + id, "{\"title\":null}"), 400), "title");
        hasFieldError(problem(api.put("/api/tasks/" + id, "{\"priority\":null}"), 400), "priority");
        hasFieldError(problem(api.put("/api/tasks/" + id, "{\"agentWallet\":\"nope\",\"title\":\"new\"}"), 400), "agentWallet");
        assertEquals(t, api.get("/api/tasks/" + id).json());
    }

    @Test
    void badListParametersAre400() {
        hasFieldError(problem(api.get("/api/tasks?limit=0"), 400), "limit");
        hasFieldError(problem(api.get("/api/tasks?limit=201"), 400), "limit");
        hasFieldError(problem(api.get("/api/tasks?limit=ten"), 400), "limit");
        hasFieldError(problem(api.get("/api/tasks?status=done"), 400), "status");
        hasFieldError(problem(api.get("/api/tasks?agentWallet=bob"), 400), "agentWallet");
        hasFieldError(problem(api.get("/api/tasks?cursor=%21%21"), 400), "cursor");
        // queries with characters Jersey escapes take Jersey's own URI code instead of ApiServlet's: the same answers
        hasFieldError(problem(api.get("/api/tasks?status=done,pending"), 400), "status");
        hasFieldError(problem(api.get("/api/tasks?limit=1;2"), 400), "limit");
        hasFieldError(problem(api.get("/api/tasks?limit=a:b@c/d"), 400), "limit");
        assertEquals(api.get("/api/tasks?limit=3").json(), api.get("/api/tasks?limit=3&note=a,b;c:d@e/f!").json());
    }

    @Test
    void listIsNewestFirstWithCursorPaginationAndFilters() {
        String wallet = "0x" + java.util.HexFormat.of().formatHex(new java.security.SecureRandom().generateSeed(20));
        long[] ids = new long[5];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = api.create("{\"title\":\"p" + i + "\",\"agentWallet\":\"" + wallet.toUpperCase().replace("0X", "0x") + "\"}")
                    .path("id").asLong();
        }
        api.post("/api/tasks/" + ids[4] + "/start", null);
        JsonNode page1 = api.get("/api/tasks?agentWallet=" + wallet + "&limit=2").json();
        assertEquals(ids[4], page1.path("items").get(0).path("id").asLong());
        assertEquals(ids[3], page1.path("items").get(1).path("id").asLong());
        String cursor = page1.path("nextCursor").asText();
        JsonNode page2 = api.get("/api/tasks?agentWallet=" + wallet + "&limit=2&cursor=" + cursor).json();
        assertEquals(ids[2], page2.path("items").get(0).path("id").asLong());
        JsonNode page3 = api.get("/api/tasks?agentWallet=" + wallet + "&limit=2&cursor=" + page2.path("nextCursor").asText()).json();
        assertEquals(1, page3.path("items").size());
        assertTrue(page3.path("nextCursor").isNull());
        JsonNode started = api.get("/api/tasks?agentWallet=" + wallet + "&status=in_progress").json();
        assertEquals(1, started.path("items").size());
        assertEquals(ids[4], started.path("items").get(0).path("id").asLong());
    }

    @Test
    void createAnswers201WithLocation() {
        Api.Reply r = api.post("/api/tasks", "{\"title\":\"loc\"}");
        assertEquals(201, r.status());
        String location = r.header("Location");
        assertTrue(location.endsWith("/api/tasks/" + r.json().path("id").asLong()), location);
        assertEquals(r.json(), api.get("/api/tasks/" + r.json().path("id").asLong()).json());
    }

    /** What the container or Jersey refuses before Atlas's code: see {@link Refusals}; nothing is stored. */
    @Test
    void refusalsBeforeAtlasSeesTheRequestAreCleanAndNameNoServer() {
        long before = api.get("/api/tasks?limit=100").json().path("items").size();
        Refusals.assertEachIsClean(Refusals.to(server.port()));
        Refusals.assertHeadIsClean(Refusals.to(server.port()));
        assertEquals(before, api.get("/api/tasks?limit=100").json().path("items").size(), "nothing was created");
    }
}
