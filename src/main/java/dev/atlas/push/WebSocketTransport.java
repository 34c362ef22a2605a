package dev.atlas.push;

import dev.atlas.push.websocket.WebSocketConnection;
import java.util.function.Consumer;

/**
 * {@link Transport} over a {@link WebSocketConnection}: the frame's ready bytes go to the socket as they are
 * (built once per event for every client), and neither sending nor closing ever blocks.
 */
final class WebSocketTransport implements Transport {
    private final WebSocketConnection connection;

    WebSocketTransport(WebSocketConnection connection) {
        this.connection = connection;
    }

    @Override
    public void send(Frame frame, Consumer<Throwable> done) {
        connection.send(frame.websocket(), done);
    }

    @Override
    public void close(int code, String reason) {
        connection.close(code, reason);
    }
}
