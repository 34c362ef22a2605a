package dev.atlas.push;

import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@link Transport} over a container WebSocket session ({@code jakarta.websocket}), for both endpoints.
 *
 * <p>A send on a sender lane's worker ({@link SendLane#mayBlock()}) is the standard blocking {@code sendText}: it
 * completes on that thread, without the hand-off to the container's executor that completes every asynchronous send
 * (a third of a delivery's CPU on Tomcat, benchmarks.md), and blocks only while the client's socket buffers are full,
 * when the lane hands its other sessions to a new worker. Anywhere else a send is the asynchronous {@code sendText}
 * with a completion handler, which never blocks the caller. Either way a client that stops reading keeps its send in
 * flight, so its backlog waits, counted, in the {@link SessionWriter}. Closing and pinging are different: Tomcat
 * writes control frames synchronously and makes them wait behind a send in flight, so they run on the closer pool
 * ({@link PushThreads#closer()}), never on the caller's thread, bounded by the timeouts set in {@link #configure}.
 *
 * <p>Threading: {@link #send} is called by the session's writer, one send at a time; {@link #close} and
 * {@link #ping} from any thread.
 */
public final class WebSocketTransport implements Transport {
    private static final Logger LOG = Logger.getLogger(WebSocketTransport.class.getName());
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    /*
     * Tomcat reads these session user properties (plain strings, no Tomcat type; other containers ignore them):
     * how long a blocking send (a message sent on a lane, a ping, a close frame with code 1000) may wait — for the send
     * in flight to finish and for the socket to take the frame —, how long the close frame of any other code may, and
     * how long a closed session waits for the client's close frame. Tomcat's defaults are 20 s, 50 ms (too short for
     * a slow consumer that is about to read again to see its 1013), and 30 s.
     */
    private static final String BLOCKING_SEND_TIMEOUT = "org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT";
    private static final String CLOSE_SEND_TIMEOUT = "org.apache.tomcat.websocket.ABNORMAL_SESSION_CLOSE_SEND_TIMEOUT";
    private static final String SESSION_CLOSE_TIMEOUT = "org.apache.tomcat.websocket.SESSION_CLOSE_TIMEOUT";

    private final Session session;
    private final RemoteEndpoint.Async remote;
    private final RemoteEndpoint.Basic blocking;
    private final Executor closer;
    private final AtomicBoolean closing = new AtomicBoolean();

    public WebSocketTransport(Session session, Executor closer) {
        this.session = session;
        this.remote = session.getAsyncRemote();
        this.blocking = session.getBasicRemote();
        this.closer = closer;
    }

    /**
     * Bounds what the container may block on for this session (Tomcat's user properties above): the close frame of a
     * slow consumer (1013) or of an error waits at most {@code closeTimeout} for a stalled client, then the connection
     * is cut. A blocking send may wait {@code sendTimeout} and {@code closeTimeout} more: the writers' own send timeout
     * ({@link SessionWriter#closeIfStalled}) closes a stalled client with 1013 first, and the send ends with the
     * connection at the latest.
     */
    public static void configure(Session session, Duration closeTimeout, Duration sendTimeout) {
        Long ms = closeTimeout.toMillis();
        session.getUserProperties().put(BLOCKING_SEND_TIMEOUT, sendTimeout.plus(closeTimeout).toMillis());
        session.getUserProperties().put(CLOSE_SEND_TIMEOUT, ms);
        session.getUserProperties().put(SESSION_CLOSE_TIMEOUT, ms);
    }

    @Override
    public void send(Frame frame, Consumer<Throwable> done) {
        if (SendLane.mayBlock()) {
            try {
                blocking.sendText(frame.text());
            } catch (IOException | RuntimeException e) {
                done.accept(e);
                return;
            }
            done.accept(null);
            return;
        }
        remote.sendText(frame.text(), result -> done.accept(result.isOK() ? null : result.getException()));
    }

    /** A WebSocket ping frame, written on the closer pool. */
    public void ping() {
        if (closing.get()) {
            return;
        }
        try {
            closer.execute(() -> {
                try {
                    remote.sendPing(EMPTY.duplicate());
                } catch (IOException | RuntimeException e) {
                    LOG.log(Level.FINE, "Ping failed on session " + session.getId(), e);
                    close(CloseCodes.GOING_AWAY, "ping failed");
                }
            });
        } catch (RejectedExecutionException stopped) {
            // the application is stopping: no more pings
        }
    }

    /**
     * Sends the close frame behind what is in flight and ends the session; the endpoint's {@code onClose} follows.
     * Idempotent; never blocks the caller.
     */
    @Override
    public void close(int code, String reason) {
        if (closing.getAndSet(true)) {
            return;
        }
        CloseReason why = new CloseReason(CloseReason.CloseCodes.getCloseCode(code), closeReason(reason));
        Runnable closing = () -> {
            if (!session.isOpen()) {
                return; // the container is closing it already (a protocol error, the client's close): its code stands
            }
            try {
                session.close(why);
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.FINE, "Close failed on session " + session.getId(), e);
            }
        };
        try {
            closer.execute(closing);
        } catch (RejectedExecutionException stopped) {
            closing.run(); // the application is stopping and its threads are gone: close on this thread
        }
    }

    /** Whether {@link #close} was called. */
    public boolean isClosing() {
        return closing.get();
    }

    /** A close reason cut to the 123 UTF-8 bytes a close frame allows, on a character boundary. */
    static String closeReason(String reason) {
        if (reason == null) {
            return "";
        }
        if (reason.getBytes(StandardCharsets.UTF_8).length <= 123) {
            return reason;
        }
        int end = reason.length();
        while (end > 0 && Frame.utf8Length(reason.subSequence(0, end)) > 123) {
            end--;
            if (end > 0 && Character.isLowSurrogate(reason.charAt(end))) {
                end--; // never split a surrogate pair
            }
        }
        return reason.substring(0, end);
    }
}
