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

    /**
     * Tomcat waits only 50 ms to write a close frame with a code other than 1000 behind a message still in
     * flight, then drops the connection: a slow client would never learn why it was closed. Closes run on
     * their own executor here, so they can afford to wait longer.
     */
    static final String CLOSE_FRAME_TIMEOUT_PROPERTY = "org.apache.tomcat.websocket.ABNORMAL_SESSION_CLOSE_SEND_TIMEOUT";
    static final long CLOSE_FRAME_TIMEOUT_MS = 5_000;

    /**
     * No container send timeout: Tomcat would register and unregister every single message with its timeout
     * thread. {@link PushHub} instead closes sessions whose writer has had a send in flight for longer than
     * {@code ATLAS_WS_SEND_TIMEOUT_MS} ({@link SessionWriter#sendStalled}).
     */
    WebSocketTransport(Session session, Executor closer) {
        this.session = session;
        this.closer = closer;
        session.getUserProperties().put(CLOSE_FRAME_TIMEOUT_PROPERTY, CLOSE_FRAME_TIMEOUT_MS);
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
