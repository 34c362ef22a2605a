package dev.atlas.push;

import java.util.ArrayDeque;

/**
 * The one writer of a client session: a bounded queue in front of a {@link Transport} with at most one
 * send in flight: a send completes when the socket took the frame, so a client that stops reading keeps its
 * send in flight and its messages wait here, where they are counted and bounded. When the queue passes its
 * bound in messages or UTF-8 bytes, or a send fails, the session is closed, and only that session: offering
 * never blocks, so a slow client never slows the others.
 *
 * <p>Threading: {@link #offer} and {@link #close} may be called from any thread. Sends are issued by
 * whichever thread finds the writer idle, or by the completion of the previous send; a completion that
 * happens inside {@code send} is handled by a loop rather than by recursion.
 *
 * <p>When the send of a live event's frame ({@link Frame#committedAtMillis()} set) completes successfully,
 * the writer reports the commit time to its {@code eventSent} callback (the delivery latency meter), from the
 * completing thread; the callback must be cheap and must not block.
 */
public final class SessionWriter {
    private static final java.util.concurrent.atomic.LongAdder SLOW_CONSUMER_CLOSES = new java.util.concurrent.atomic.LongAdder();

    private final Transport transport;
    private final int maxMessages;
    private final long maxBytes;
    private final java.util.function.LongConsumer eventSent;

    private final ArrayDeque<Frame> queue = new ArrayDeque<>();
    private long queuedBytes;
    private boolean inFlight;
    private boolean closed;
    /** Set by {@link #closeWhenDrained}: the close that follows the last queued message. */
    private int drainCode;
    private String drainReason;
    /** When the send in flight started ({@link System#nanoTime}); meaningful while {@code inFlight}. */
    private long sendStartedNanos;

    public SessionWriter(Transport transport, int maxMessages, long maxBytes) {
        this(transport, maxMessages, maxBytes, committedAt -> { });
    }

    /** A writer that reports the commit time of every live event it sent to {@code eventSent}. */
    public SessionWriter(Transport transport, int maxMessages, long maxBytes, java.util.function.LongConsumer eventSent) {
        this.transport = transport;
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
        this.eventSent = eventSent;
    }

    /**
     * Queues a message (its size is measured here; the hot path offers ready {@link Frame}s). Returns false when the writer is closed or the message pushed the queue past its
     * bound, in which case the session is being closed with {@link CloseCodes#TRY_AGAIN_LATER}.
     */
    public boolean offer(String text) {
        return offer(Frame.of(text));
    }

    /** Queues a frame; see {@link #offer(String)}. */
    public boolean offer(Frame frame) {
        boolean overflow = false;
        boolean startPump = false;
        synchronized (this) {
            if (closed || drainReason != null) {
                return false;
            }
            if (queue.size() >= maxMessages || queuedBytes + frame.bytes() > maxBytes) {
                overflow = true;
                markClosed();
            } else {
                queue.add(frame);
                queuedBytes += frame.bytes();
                if (!inFlight) {
                    inFlight = true;
                    startPump = true;
                }
            }
        }
        if (overflow) {
            SLOW_CONSUMER_CLOSES.increment();
            transport.close(CloseCodes.TRY_AGAIN_LATER, "slow consumer: more than " + maxMessages
                    + " messages or " + maxBytes + " bytes waiting");
            return false;
        }
        if (startPump) {
            pump();
        }
        return true;
    }

    /** Closes the session with the given code; later offers are refused. Idempotent. */
    public void close(int code, String reason) {
        synchronized (this) {
            if (closed) {
                return;
            }
            markClosed();
        }
        transport.close(code, reason);
    }

    /**
     * Closes the session with the given code once every message queued so far has been sent (an acknowledgement
     * that must reach the client before its connection ends); later offers are refused. Ordered by the queue
     * itself, not by a timer. Idempotent, and a plain {@link #close} still closes at once.
     */
    public void closeWhenDrained(int code, String reason) {
        synchronized (this) {
            if (closed || drainReason != null) {
                return;
            }
            if (inFlight || !queue.isEmpty()) {
                drainCode = code;
                drainReason = reason;
                return;
            }
            markClosed();
        }
        transport.close(code, reason);
    }

    /** Marks the writer closed without closing the transport (the connection is already gone). */
    public synchronized void detach() {
        markClosed();
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    /**
     * Sessions closed as slow consumers since start (all writers of this application): their queue passed its
     * bound, or a send stayed in flight past the send timeout ({@link #closeIfStalled}).
     */
    public static long slowConsumerCloses() {
        return SLOW_CONSUMER_CLOSES.sum();
    }

    /** How many messages may wait before the session counts as a slow consumer. */
    public int capacity() {
        return maxMessages;
    }

    /** Nothing in flight and nothing waiting. */
    public synchronized boolean isIdle() {
        return !inFlight && queue.isEmpty();
    }

    /**
     * Closes the session as a slow consumer (1013) if a send has been in flight for more than
     * {@code limitNanos} at {@code nowNanos}: the client stopped reading and its socket buffers are full.
     * Returns whether it did. The writer's owner calls this periodically: the WebSocket container's own
     * per-send timers would cost a registration and a removal for every message, a periodic look at each
     * writer costs nothing per message.
     */
    public boolean closeIfStalled(long nowNanos, long limitNanos) {
        synchronized (this) {
            if (!inFlight || closed || nowNanos - sendStartedNanos <= limitNanos) {
                return false;
            }
            markClosed();
        }
        SLOW_CONSUMER_CLOSES.increment();
        transport.close(CloseCodes.TRY_AGAIN_LATER, "slow consumer: a send did not complete within "
                + java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(limitNanos) + " ms");
        return true;
    }

    /** Messages waiting behind the one in flight. */
    public synchronized int queued() {
        return queue.size();
    }

    private void markClosed() {
        closed = true;
        queue.clear();
        queuedBytes = 0;
    }

    private void pump() {
        while (true) {
            Frame next;
            synchronized (this) {
                next = closed ? null : queue.poll();
                if (next == null) {
                    inFlight = false;
                    if (closed || drainReason == null) {
                        return;
                    }
                    markClosed(); // drained: the close asked for by closeWhenDrained follows
                } else {
                    queuedBytes -= next.bytes();
                    sendStartedNanos = System.nanoTime();
                }
            }
            if (next == null) {
                transport.close(drainCode, drainReason);
                return;
            }
            Send send = new Send(next.committedAtMillis());
            try {
                transport.send(next, send);
            } catch (RuntimeException e) {
                send.accept(e);
            }
            Throwable failure;
            synchronized (this) {
                send.returned = true;
                if (!send.completed) {
                    return; // the completion comes later, on another thread, and pumps again
                }
                failure = send.failure;
            }
            if (failure != null) {
                close(CloseCodes.INTERNAL_ERROR, "send failed");
                return;
            }
        }
    }

    /** The completion of one send; tells apart a completion that came back inside {@code send}. */
    private final class Send implements java.util.function.Consumer<Throwable> {
        private final long committedAt;
        private boolean returned;
        private boolean completed;
        private Throwable failure;

        Send(long committedAt) {
            this.committedAt = committedAt;
        }

        @Override
        public void accept(Throwable t) {
            boolean inline;
            synchronized (SessionWriter.this) {
                if (completed) {
                    // A second completion of one send: Tomcat can dispatch one when it fails a write in flight as it
                    // closes on a protocol violation (docs/architecture.md). The first decided; this one changes nothing.
                    return;
                }
                completed = true;
                failure = t;
                inline = !returned;
            }
            if (t == null && committedAt != 0) {
                eventSent.accept(committedAt);
            }
            if (inline) {
                return; // the pump loop goes on
            }
            if (t != null) {
                close(CloseCodes.INTERNAL_ERROR, "send failed");
            } else {
                pump();
            }
        }
    }
}
