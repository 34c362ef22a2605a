package dev.atlas.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Function;

/** A small real-HTTP client for the task API, returning status, headers and the parsed body. */
public final class Api {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Function<String, URI> base;
    private final String token;

    public Api(Function<String, URI> base) {
        this(base, null);
    }

    /** A client that sends {@code Authorization: Bearer <token>} with every request. */
    public Api(Function<String, URI> base, String token) {
        this.base = base;
        this.token = token;
    }

    public Api as(String otherToken) {
        return new Api(base, otherToken);
    }

    /** A response: status, content type, raw body and the body as JSON (null when empty or not JSON). */
    public record Reply(int status, String contentType, String body, JsonNode json, HttpResponse<String> raw) {
        public String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    public Reply get(String path) {
        return send(HttpRequest.newBuilder(base.apply(path)).GET());
    }

    /** The server's open push sessions, from {@code /api/diagnostics} (needs an admin token, or auth off). */
    public int sessions() {
        Reply r = get("/api/diagnostics");
        if (r.status() != 200) {
            throw new AssertionError("/api/diagnostics answered " + r.status() + ": " + r.body());
        }
        return r.json().path("sessions").asInt();
    }

    /** Waits (10 s at most) until the server has {@code expected} open push sessions. */
    public void awaitSessions(int expected) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        int now = -1;
        while (System.nanoTime() < deadline) {
            now = sessions();
            if (now == expected) {
                return;
            }
            AtlasProcess.pause(50);
        }
        throw new AssertionError("open sessions after 10 s: expected " + expected + " but was " + now);
    }

    public Reply post(String path, String json) {
        return send(HttpRequest.newBuilder(base.apply(path)).header("Content-Type", "application/json")
                .POST(json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json)));
    }

    public Reply put(String path, String json) {
        return send(HttpRequest.newBuilder(base.apply(path)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    public Reply delete(String path) {
        return send(HttpRequest.newBuilder(base.apply(path)).DELETE());
    }

    public Reply send(HttpRequest.Builder b) {
        try {
            if (token != null) {
                b.header("Authorization", "Bearer " + token);
            }
            HttpResponse<String> r = http.send(b.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = null;
            String ct = r.headers().firstValue("Content-Type").orElse("");
            if (ct.contains("json") && !r.body().isEmpty()) {
                json = JSON.readTree(r.body());
            }
            return new Reply(r.statusCode(), ct, r.body(), json, r);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Creates a task and returns its JSON; fails unless the answer is 201. */
    public JsonNode create(String json) {
        Reply r = post("/api/tasks", json);
        if (r.status() != 201) {
            throw new AssertionError("create failed: " + r.status() + " " + r.body());
        }
        return r.json();
    }
}
