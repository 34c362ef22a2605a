package dev.atlas.push;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@link Transport} over a {@code jakarta.websocket} session, using the asynchronous remote so that no
 * thread waits for a slow client. Closing can block on Tomcat (it writes the close frame), so it runs on
 * the given executor, never on the dispatcher thread.
 */
final class WebSocketTransport implements Transport {
    private static final Logger LOG = Logger.getLogger(WebSocketTransport.class.getName());

    private final Session session;
    private final Executor closer;

    WebSocketTransport(Session session, long sendTimeoutMs, Executor closer) {
        this.session = session;
        this.closer = closer;
        session.getAsyncRemote().setSendTimeout(sendTimeoutMs);
    }

    @Override
    public void send(String text, Consumer<Throwable> done) {
        session.getAsyncRemote().sendText(text, result -> done.accept(result.isOK() ? null : result.getException()));
    }

    @Override
    public void close(int code, String reason) {
        closer.execute(() -> {
            try {
                if (session.isOpen()) {
                    session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason));
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.FINE, "Closing session " + session.getId() + " failed", e);
            }
        });
    }
}
