package dev.atlas.push;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A hand-written {@link Transport} for {@link SessionWriter} tests: records every send and close, and
 * completes sends only when the test says so ({@link #completeNext}), or inside {@code send} when
 * {@link #completeInline} is on. Counts a violation whenever a send starts while another is pending.
 * Thread-safe.
 */
final class RecordingTransport implements Transport {
    record Close(int code, String reason) {
    }

    private final List<String> sent = new ArrayList<>();
    private final ArrayDeque<Consumer<Throwable>> pending = new ArrayDeque<>();
    private final List<Close> closes = new ArrayList<>();
    private int overlappingSends;
    private boolean inline;
    private RuntimeException throwOnSend;

    @Override
    public void send(Frame frame, Consumer<Throwable> done) {
        String text = frame.text();
        boolean completeNow;
        RuntimeException toThrow;
        synchronized (this) {
            sent.add(text);
            if (!pending.isEmpty()) {
                overlappingSends++;
            }
            completeNow = inline;
            toThrow = throwOnSend;
            if (toThrow == null && !completeNow) {
                pending.add(done);
            }
        }
        if (toThrow != null) {
            throw toThrow;
        }
        if (completeNow) {
            done.accept(null);
        }
    }

    @Override
    public synchronized void close(int code, String reason) {
        closes.add(new Close(code, reason));
    }

    /** From now on, sends complete successfully before {@code send} returns. */
    synchronized void completeInline() {
        inline = true;
    }

    /** From now on, {@code send} throws this instead of starting. */
    synchronized void throwOnSend(RuntimeException e) {
        throwOnSend = e;
    }

    /**
     * Completes the oldest pending send (null: success), outside this transport's lock, and returns its completion
     * handler, so that a test can call it once more as a faulty container would.
     */
    Consumer<Throwable> completeNext(Throwable failure) {
        Consumer<Throwable> done;
        synchronized (this) {
            done = pending.poll();
        }
        if (done == null) {
            throw new AssertionError("no send is pending");
        }
        done.accept(failure);
        return done;
    }

    synchronized List<String> sent() {
        return List.copyOf(sent);
    }

    synchronized int pending() {
        return pending.size();
    }

    synchronized List<Close> closes() {
        return List.copyOf(closes);
    }

    synchronized int overlappingSends() {
        return overlappingSends;
    }
}
