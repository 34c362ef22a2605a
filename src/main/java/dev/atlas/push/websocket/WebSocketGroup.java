package dev.atlas.push.websocket;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The WebSocket connections of one application: their shared limits (message size, how long a closing
 * handshake may take) and the set of open ones, so that a shutdown can close them all with 1001. Thread-safe.
 */
public final class WebSocketGroup {
    private final int maxMessageBytes;
    private final long closeTimeoutMillis;
    private final ScheduledExecutorService timer;
    private final Set<WebSocketConnection> open = ConcurrentHashMap.newKeySet();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition emptied = lock.newCondition();

    /**
     * @param maxMessageBytes    the largest client message accepted, in UTF-8 bytes (larger: close 1009)
     * @param closeTimeout       how long a closing connection waits for the client's close frame (or for a
     *                           stalled client to take the server's) before its socket is cut
     * @param timer              runs the close deadlines
     */
    public WebSocketGroup(int maxMessageBytes, Duration closeTimeout, ScheduledExecutorService timer) {
        this.maxMessageBytes = maxMessageBytes;
        this.closeTimeoutMillis = closeTimeout.toMillis();
        this.timer = timer;
    }

    int maxMessageBytes() {
        return maxMessageBytes;
    }

    ScheduledFuture<?> schedule(Runnable deadline) {
        try {
            return timer.schedule(deadline, closeTimeoutMillis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return null; // shutting down: the connector closes what remains
        }
    }

    void opened(WebSocketConnection c) {
        open.add(c);
    }

    void closed(WebSocketConnection c) {
        open.remove(c);
        if (open.isEmpty()) {
            lock.lock();
            try {
                emptied.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Starts the closing handshake on every open connection, then waits up to {@code wait} for them to end
     * (clients answer the close frame; the close timeout cuts the others). Returns how many were still open.
     */
    public int closeAll(int code, String reason, Duration wait) throws InterruptedException {
        for (WebSocketConnection c : open) {
            c.close(code, reason);
        }
        long left = wait.toNanos();
        lock.lock();
        try {
            while (!open.isEmpty() && left > 0) {
                left = emptied.awaitNanos(left); // closed() signals under the lock after removing: no lost wake-up
            }
        } finally {
            lock.unlock();
        }
        return open.size();
    }
}
