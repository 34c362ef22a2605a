package dev.atlas.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Raw HTTP requests to a server's {@code /socket.io/} for the Engine.IO protocol tests: a query string in, the
 * JDK client's response out, every request bounded by a timeout. A POST carries {@code text/plain;charset=UTF-8},
 * as socket.io-client's (and the reference suite's {@code fetch}) do. Thread-safe.
 */
final class EngineIoHttp {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Function<String, URI> uri;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** {@code uri}: a path of the server to its address, e.g. {@code server::uri}. */
    EngineIoHttp(Function<String, URI> uri) {
        this.uri = uri;
    }

    URI eio(String query) {
        return uri.apply("/socket.io/?" + query);
    }

    HttpResponse<String> send(HttpRequest.Builder b) {
        try {
            return http.send(b.timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> get(String query) {
        return send(HttpRequest.newBuilder(eio(query)).GET());
    }

    HttpResponse<String> post(String query, String body) {
        return send(HttpRequest.newBuilder(eio(query)).header("Content-Type", "text/plain;charset=UTF-8")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    CompletableFuture<HttpResponse<String>> getAsync(String query) {
        return http.sendAsync(HttpRequest.newBuilder(eio(query)).timeout(TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + s, e);
        }
    }
}
