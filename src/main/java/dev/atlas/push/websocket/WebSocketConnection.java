package dev.atlas.push.websocket;

import dev.atlas.push.CloseCodes;
import jakarta.servlet.http.WebConnection;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.coyote.http11.upgrade.InternalHttpUpgradeHandler;
import org.apache.tomcat.util.net.AbstractEndpoint.Handler.SocketState;
import org.apache.tomcat.util.net.SSLSupport;
import org.apache.tomcat.util.net.SocketEvent;
import org.apache.tomcat.util.net.SocketWrapperBase;

/**
 * One server-side WebSocket connection (RFC 6455, no extensions) on a socket that Tomcat handed over after
 * the servlet's HTTP upgrade ({@link WebSocketHandshake#upgrade}).
 *
 * <p>Why not the container's {@code jakarta.websocket} implementation: server frames are never masked, so the
 * whole frame of an event is the same bytes for every client. This connection writes a frame built once
 * ({@link Frames#text}) to each socket with one non-blocking write and one flush, and reports the send done at
 * once when the socket took it — no per-session encoding, no message-part machinery, no hand-off of every
 * completion to the container's executor, which is what Tomcat's implementation costs per message (measured in
 * docs/benchmarks.md). It is an {@link InternalHttpUpgradeHandler} (Tomcat's own WebSocket upgrade handler is
 * one too) because only that gives the socket itself: a connection must be closable from any thread (a slow
 * consumer, a ping timeout, a server shutdown), and the portable {@code WebConnection} streams close the socket
 * only at the next network event, which a dead client never sends.
 *
 * <p>Threading: {@link #send}, {@link #ping} and {@link #close} may be called from any thread; writes are
 * serialized by this object's monitor. Reading happens on the container's threads, one event at a time, and
 * calls the {@link Listener} there. A send the socket cannot take now waits in a queue, in order, until Tomcat
 * reports the socket writable; its {@code done} runs then. The listener's {@code onClose} runs exactly once.
 */
public final class WebSocketConnection implements InternalHttpUpgradeHandler {
    private static final Logger LOG = Logger.getLogger(WebSocketConnection.class.getName());
    private static final AtomicLong IDS = new AtomicLong();
    /** Client frames are read through one buffer per container thread: an idle connection owns none. */
    private static final ThreadLocal<byte[]> READ_BUFFER = ThreadLocal.withInitial(() -> new byte[4096]);
    private static final byte[] PING = Frames.ping(new byte[0]);
    private static final IOException CLOSED = new IOException("WebSocket connection closed");

    static {
        CLOSED.setStackTrace(new StackTraceElement[0]);
    }

    /** What the application does with a connection; called as described on each method. */
    public interface Listener {
        /** The connection is open (on the container thread, before any message). */
        void onOpen(WebSocketConnection connection);

        /** One whole client text message, valid UTF-8 and within the size limit (container thread). */
        void onText(WebSocketConnection connection, String message);

        /** A pong came back (container thread). */
        default void onPong(WebSocketConnection connection) {
        }

        /**
         * The connection ended: the client's close code, the server's when it closed first, 1006 when the
         * connection dropped without a close frame. Exactly once, from whichever thread ended it.
         */
        void onClose(WebSocketConnection connection, int code);
    }

    private final long id = IDS.incrementAndGet();
    private WebSocketGroup group;
    private Listener listener;
    private FrameDecoder decoder;
    private SocketWrapperBase<?> socket;

    // guarded by this
    private ArrayDeque<Out> waiting;
    private boolean writeRegistered;
    private boolean closeQueued;
    private boolean closeWritten;
    private boolean closeReceived;
    /** The client broke the protocol: end as soon as the close frame is out, without waiting for its answer. */
    private boolean failed;
    private int closeCode;
    private ScheduledFuture<?> closeDeadline;
    private volatile boolean ended;

    private record Out(byte[] frame, Consumer<Throwable> done, boolean close) {
    }

    /** Tomcat creates the instance (public no-argument constructor); {@link #configure} follows at once. */
    public WebSocketConnection() {
    }

    void configure(WebSocketGroup group, Listener listener) {
        this.group = group;
        this.listener = listener;
        this.decoder = new FrameDecoder(group.maxMessageBytes());
    }

    /** A number unique among this JVM's connections, for logs. */
    public String id() {
        return Long.toString(id);
    }

    // ---- Tomcat's side ----

    @Override
    public void setSocketWrapper(SocketWrapperBase<?> wrapper) {
        this.socket = wrapper;
    }

    @Override
    public void init(WebConnection connection) {
        group.opened(this);
        try {
            listener.onOpen(this);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "WebSocket open handler failed on connection " + id, e);
            close(CloseCodes.INTERNAL_ERROR, "internal error");
        }
    }

    @Override
    public SocketState upgradeDispatch(SocketEvent event) {
        switch (event) {
            case OPEN_READ -> {
                return onReadable();
            }
            case OPEN_WRITE -> onWritable();
            case STOP -> {
                close(CloseCodes.GOING_AWAY, "server shutting down");
                end(CloseCodes.GOING_AWAY);
            }
            default -> end(CloseCodes.ABNORMAL); // ERROR, DISCONNECT, TIMEOUT, CONNECT_FAIL
        }
        return ended ? SocketState.CLOSED : SocketState.UPGRADED;
    }

    @Override
    public void timeoutAsync(long now) {
        // timeouts are the application's: send timeout, heartbeat, close deadline
    }

    @Override
    public void setSslSupport(SSLSupport sslSupport) {
        // nothing depends on TLS details
    }

    @Override
    public void pause() {
        // the connector pauses before it stops; STOP closes the connection
    }

    @Override
    public void destroy() {
        end(CloseCodes.ABNORMAL); // no-op when the connection ended already
    }

    // ---- reading ----

    private SocketState onReadable() {
        byte[] buf = READ_BUFFER.get();
        Inbound inbound = new Inbound();
        try {
            while (!ended) {
                int n = socket.read(false, buf, 0, buf.length);
                if (n < 0) {
                    end(endCodeAtEof());
                    break;
                }
                if (n == 0) {
                    break; // Tomcat registers read interest again when this returns UPGRADED
                }
                try {
                    decoder.feed(buf, 0, n, inbound);
                } catch (WebSocketException e) {
                    LOG.fine(() -> "WebSocket protocol error on connection " + id + ": " + e.getMessage());
                    fail(e.code(), e.getMessage());
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "Reading WebSocket connection " + id + " failed", e);
            end(CloseCodes.ABNORMAL);
        }
        return ended ? SocketState.CLOSED : SocketState.UPGRADED;
    }

    /**
     * Fails the connection (RFC 6455 7.1.7): the close frame with the code goes out, then the socket is closed at
     * once; nothing more from the client is processed (the decoder ignores it), not even its close frame.
     */
    private void fail(int code, String reason) {
        boolean finish;
        synchronized (this) {
            failed = true;
            finish = closingHandshakeOver();
        }
        close(code, reason);
        if (finish) {
            end(code);
        }
    }

    /**
     * Under this monitor: the close frame is out of Tomcat's buffers and nothing more is awaited from the client
     * (its close frame came, or it broke the protocol), so the socket may be closed.
     */
    private boolean closingHandshakeOver() {
        return closeWritten && (closeReceived || failed) && !writeRegistered;
    }

    private synchronized int endCodeAtEof() {
        return closeReceived || closeQueued ? closeCode : CloseCodes.ABNORMAL;
    }

    /** The decoder's events for one read. */
    private final class Inbound implements FrameDecoder.Handler {
        @Override
        public void onText(String message) {
            if (!isClosing()) {
                try {
                    listener.onText(WebSocketConnection.this, message);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "WebSocket message handler failed on connection " + id, e);
                    close(CloseCodes.INTERNAL_ERROR, "internal error");
                }
            }
        }

        @Override
        public void onPing(byte[] payload) {
            enqueue(Frames.pong(payload), null, false);
        }

        @Override
        public void onPong(byte[] payload) {
            listener.onPong(WebSocketConnection.this);
        }

        @Override
        public void onClose(int code, String reason) {
            closeReceivedFromClient(code);
        }
    }

    private synchronized boolean isClosing() {
        return closeQueued || closeReceived;
    }

    /** The client's close frame: answered with the same code (RFC 6455 5.5.1), then the socket is closed. */
    private void closeReceivedFromClient(int code) {
        boolean answer;
        boolean finish;
        synchronized (this) {
            closeReceived = true;
            answer = !closeQueued;
            if (answer) {
                closeCode = code;
            }
            finish = closingHandshakeOver();
        }
        if (answer) {
            enqueueClose(code == CloseCodes.NO_STATUS ? Frames.emptyClose() : Frames.close(code, ""));
        } else if (finish) {
            end(closeCode);
        }
    }

    // ---- writing ----

    /**
     * Sends one ready frame (for text, {@link Frames#text}). {@code done} (may be null) gets null once the socket
     * took the bytes, or the failure; it may run before this method returns. After a close, sends fail.
     */
    public void send(byte[] frame, Consumer<Throwable> done) {
        enqueue(frame, done, false);
    }

    /** Sends a ping with no payload; the answer comes to {@link Listener#onPong}. */
    public void ping() {
        enqueue(PING, null, false);
    }

    /**
     * Starts the closing handshake with {@code code} and {@code reason} (cut to fit a control frame): the close
     * frame follows what is already queued, then the connection waits for the client's close frame, and is cut
     * after the group's close timeout if none comes (a client that stopped reading never answers). Idempotent;
     * never blocks.
     */
    public void close(int code, String reason) {
        synchronized (this) {
            if (ended || closeQueued) {
                return;
            }
            closeCode = code;
        }
        enqueueClose(Frames.close(code, reason));
    }

    private void enqueueClose(byte[] frame) {
        synchronized (this) {
            if (ended || closeQueued) {
                return;
            }
            closeQueued = true;
            closeDeadline = group.schedule(this::closeDeadlinePassed);
        }
        enqueue(frame, null, true);
    }

    private void closeDeadlinePassed() {
        int code;
        synchronized (this) {
            code = closeCode;
        }
        end(code);
    }

    private void enqueue(byte[] frame, Consumer<Throwable> done, boolean close) {
        boolean written;
        boolean finish;
        synchronized (this) {
            if (ended || closeWritten || closeQueued && !close) {
                written = false;
                finish = false;
            } else if (writeRegistered || waiting != null && !waiting.isEmpty()) {
                queue(new Out(frame, done, close));
                return;
            } else {
                try {
                    if (!socket.isReadyForWrite()) { // registers write interest: OPEN_WRITE follows
                        writeRegistered = true;
                        queue(new Out(frame, done, close));
                        return;
                    }
                    socket.write(false, frame, 0, frame.length);
                    closeWritten |= close;
                    if (socket.flush(false)) {
                        socket.registerWriteInterest();
                        writeRegistered = true;
                    }
                    written = true;
                } catch (IOException | RuntimeException e) {
                    written = false;
                }
                finish = closingHandshakeOver();
            }
        }
        if (done != null) {
            done.accept(written ? null : CLOSED);
        }
        if (finish) {
            end(closeCode);
        } else if (!written && !ended && !isClosing()) {
            end(CloseCodes.ABNORMAL); // the write failed: the connection is broken
        }
    }

    private void queue(Out out) {
        if (waiting == null) {
            waiting = new ArrayDeque<>(4);
        }
        waiting.add(out);
    }

    /** Tomcat says the socket can take more: flush what it holds, then what waits here, in order. */
    private void onWritable() {
        ArrayDeque<Out> sent = null;
        boolean failed = false;
        boolean finish;
        synchronized (this) {
            writeRegistered = false;
            try {
                if (socket.flush(false)) {
                    socket.registerWriteInterest();
                    writeRegistered = true;
                    return;
                }
                while (waiting != null && !waiting.isEmpty()) {
                    if (!socket.isReadyForWrite()) {
                        writeRegistered = true;
                        break;
                    }
                    Out next = waiting.poll();
                    socket.write(false, next.frame(), 0, next.frame().length);
                    closeWritten |= next.close();
                    if (sent == null) {
                        sent = new ArrayDeque<>();
                    }
                    sent.add(next);
                }
                if (!writeRegistered && socket.flush(false)) {
                    socket.registerWriteInterest();
                    writeRegistered = true;
                }
            } catch (IOException | RuntimeException e) {
                failed = true;
            }
            finish = closingHandshakeOver();
        }
        if (sent != null) {
            for (Out o : sent) {
                if (o.done() != null) {
                    o.done().accept(null);
                }
            }
        }
        if (failed) {
            end(CloseCodes.ABNORMAL);
        } else if (finish) {
            end(closeCode);
        }
    }

    // ---- the end ----

    /** Ends the connection once: closes the socket, fails what still waits, tells the listener. */
    private void end(int code) {
        ArrayDeque<Out> unsent;
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
            unsent = waiting;
            waiting = null;
            if (closeDeadline != null) {
                closeDeadline.cancel(false);
                closeDeadline = null;
            }
        }
        try {
            socket.close();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "Closing the socket of WebSocket connection " + id + " failed", e);
        }
        if (unsent != null) {
            for (Out o : unsent) {
                if (o.done() != null) {
                    o.done().accept(CLOSED);
                }
            }
        }
        group.closed(this);
        try {
            listener.onClose(this, code);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "WebSocket close handler failed on connection " + id, e);
        }
    }
}
