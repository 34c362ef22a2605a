package dev.atlas.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real WebSocket client (the JDK's) that collects every text message the server sends, for tests.
 * Messages are read as they arrive; {@link #next} waits with a timeout.
 */
public final class WsClient implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    private final CompletableFuture<int[]> closed = new CompletableFuture<>();
    private final CompletableFuture<String> closeReason = new CompletableFuture<>();
    private final WebSocket ws;

    private volatile boolean stalled;
    private volatile WebSocket socket;

    /**
     * Stops reading: the client takes no more frames from the connection, so the server's sends back up
     * (TCP flow control) as with a phone that went to sleep. {@link #resumeReading} undoes it.
     */
    public void stopReading() {
        stalled = true;
    }

    public void resumeReading() {
        stalled = false;
        socket.request(Long.MAX_VALUE / 2);
    }

    private WsClient(URI uri, java.util.Map<String, String> headers) throws Exception {
        WebSocket.Builder b = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(WAIT);
        headers.forEach(b::header);
        this.ws = b.buildAsync(uri, new Listener()).get(10, TimeUnit.SECONDS);
    }

    public static WsClient connect(URI uri) {
        return connect(uri, java.util.Map.of());
    }

    /** Connects with extra handshake headers (an {@code Origin}, an {@code Authorization}). */
    public static WsClient connect(URI uri, java.util.Map<String, String> headers) {
        try {
            return new WsClient(uri, headers);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot connect to " + uri, e);
        }
    }

    /**
     * Attempts a WebSocket handshake and returns the HTTP status: 101 when it succeeds (the socket is
     * dropped at once), otherwise the refusal's status (400, 401, 403, 429 …).
     */
    public static int handshakeStatus(URI uri, java.util.Map<String, String> headers) {
        java.net.http.HttpResponse<?> refusal = handshakeRefusal(uri, headers);
        return refusal == null ? 101 : refusal.statusCode();
    }

    /**
     * Attempts a WebSocket handshake: null when it succeeds (the socket is dropped at once), otherwise the refusal
     * with its status, headers and body (a String, or null when the client did not keep it).
     */
    public static java.net.http.HttpResponse<?> handshakeRefusal(URI uri, java.util.Map<String, String> headers) {
        try {
            WebSocket.Builder b = HttpClient.newHttpClient().newWebSocketBuilder();
            headers.forEach(b::header);
            b.buildAsync(uri, new WebSocket.Listener() {
            }).get(10, TimeUnit.SECONDS).abort();
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof java.net.http.WebSocketHandshakeException h) {
                return h.getResponse();
            }
            throw new AssertionError(e);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Connects and consumes the {@code hello}; returns the client (see {@link #helloId}). */
    public static WsClient connectReady(URI uri) {
        WsClient c = connect(uri);
        JsonNode hello = c.nextJson();
        if (!"hello".equals(hello.path("event").asText())) {
            throw new AssertionError("expected hello first, got " + hello);
        }
        c.helloId = Long.parseLong(hello.path("id").asText());
        return c;
    }

    private long helloId = -1;

    /** The event id of an envelope (its {@code id} field, a string). */
    public static long idOf(JsonNode envelope) {
        return Long.parseLong(envelope.path("id").asText());
    }

    public long helloId() {
        return helloId;
    }

    public String next() {
        try {
            String m = messages.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (m == null) {
                throw new AssertionError("no message within " + WAIT);
            }
            return m;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public JsonNode nextJson() {
        try {
            return JSON.readTree(next());
        } catch (IOException e) {
            throw new AssertionError("not JSON", e);
        }
    }

    /** The next message that matches, skipping others; fails after the timeout. */
    public JsonNode nextMatching(Predicate<JsonNode> p) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode n = nextJson();
            if (p.test(n)) {
                return n;
            }
        }
        throw new AssertionError("no matching message within " + WAIT);
    }

    public void send(String text) {
        ws.sendText(text, true).join();
    }

    /** Waits for the server to close the connection; returns the close code. */
    public int awaitClose() {
        return awaitClose(WAIT);
    }

    /** {@link #awaitClose()} with a bound of the caller's, for closes whose duration the container sets. */
    public int awaitClose(Duration bound) {
        try {
            return closed.get(bound.toMillis(), TimeUnit.MILLISECONDS)[0];
        } catch (Exception e) {
            throw new AssertionError("connection not closed within " + bound, e);
        }
    }

    public String closeReason() {
        return closeReason.getNow(null);
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    /** True when no message is queued (already received and not yet taken). */
    public boolean noPendingMessages() {
        return messages.isEmpty();
    }

    @Override
    public void close() {
        if (!ws.isOutputClosed()) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(5, TimeUnit.SECONDS).exceptionally(t -> null).join();
        }
        ws.abort();
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            socket = webSocket;
            partial.append(data);
            if (last) {
                messages.add(partial.toString());
                partial.setLength(0);
            }
            if (!stalled) {
                webSocket.request(1);
            }
            return null;
        }

        /** The JDK answers the ping itself; a stalled client must not ask for the next frame (the default does). */
        @Override
        public CompletionStage<?> onPing(WebSocket webSocket, java.nio.ByteBuffer message) {
            if (!stalled) {
                webSocket.request(1);
            }
            return null;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            socket = webSocket;
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closeReason.complete(reason);
            closed.complete(new int[] {statusCode});
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closeReason.complete(String.valueOf(error));
            closed.complete(new int[] {-1});
        }
    }
}
