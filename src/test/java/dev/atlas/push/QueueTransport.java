package dev.atlas.push;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A {@link Transport} for dispatcher tests: every frame the writer sends lands in a blocking queue that the
 * test polls with a bound, together with whether it was a live event's frame ({@link Frame#committedAtMillis()}
 * set) or not (hello, resync, replayed events). Sends complete inside {@code send}, unless the transport was
 * made {@linkplain #gated() gated} (or {@linkplain #gate() gated later}): then the first send stays in flight until
 * {@link #release}, so the session's writer fills up as a client that stopped reading would make it; a send made on a
 * sender lane ({@link SendLane#mayBlock()}) blocks inside {@code send} meanwhile, as the container's blocking send
 * does. Thread-safe.
 */
final class QueueTransport implements Transport {
    /** One frame as the transport was asked to send it. */
    record Sent(String text, long committedAtMillis) {
    }

    private final LinkedBlockingQueue<Sent> sent = new LinkedBlockingQueue<>();
    private final List<RecordingTransport.Close> closes = new CopyOnWriteArrayList<>();
    private boolean gated;
    private Consumer<Throwable> pending;
    private boolean blocked;
    private int overlappingSends;

    /** A transport whose sends complete at once. */
    QueueTransport() {
    }

    /** A transport that holds its first send in flight until {@link #release}. */
    static QueueTransport gated() {
        QueueTransport t = new QueueTransport();
        t.gated = true;
        return t;
    }

    @Override
    public void send(Frame frame, Consumer<Throwable> done) {
        sent.add(new Sent(frame.text(), frame.committedAtMillis()));
        synchronized (this) {
            if (gated) {
                if (pending != null || blocked) {
                    overlappingSends++;
                }
                if (!SendLane.mayBlock()) {
                    pending = done;
                    return;
                }
                // on a sender lane, as the container's blocking send would with a client's buffers full
                blocked = true;
                try {
                    while (gated) {
                        wait();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    blocked = false;
                }
            }
        }
        done.accept(null);
    }

    /** Closes the gate: the next send stays in flight until {@link #release}, blocking if it is made on a lane. */
    synchronized void gate() {
        gated = true;
    }

    /** Whether a send is blocked inside {@code send} (made on a lane while gated). */
    synchronized boolean blocked() {
        return blocked;
    }

    /**
     * Opens the gate: the send in flight completes (here, on the caller's thread, or on the thread blocked in it) and
     * later ones complete at once.
     */
    void release() {
        Consumer<Throwable> done;
        synchronized (this) {
            gated = false;
            notifyAll();
            done = pending;
            pending = null;
        }
        if (done != null) {
            done.accept(null);
        }
    }

    @Override
    public void close(int code, String reason) {
        closes.add(new RecordingTransport.Close(code, reason));
    }

    /** The next frame sent, waiting at most {@code timeout}; null if none came. */
    Sent poll(long timeout, TimeUnit unit) throws InterruptedException {
        return sent.poll(timeout, unit);
    }

    /** How many frames were sent and not polled yet. */
    int unread() {
        return sent.size();
    }

    List<RecordingTransport.Close> closes() {
        return List.copyOf(closes);
    }

    synchronized int overlappingSends() {
        return overlappingSends;
    }
}
