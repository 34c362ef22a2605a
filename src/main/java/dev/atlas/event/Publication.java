package dev.atlas.event;

import java.util.ArrayList;
import java.util.List;

/**
 * Events fired together. While a thread runs {@link #together}, an observer of those events may put work off to the
 * end of it with {@link #atEnd}; that work then runs once, however many events asked for it. Atlas fires a write
 * transaction's events this way, so that the push dispatcher's thread is woken once per transaction instead of
 * once per event (a wake-up is a system call on the committing thread, inside the serialized write section, and
 * one more scheduling of the dispatcher on a busy machine: docs/benchmarks.md, twenty-first session).
 *
 * <p>Plain Java, no container feature: the CDI events are still fired one by one, in id order, and an observer
 * outside a publication (a test, another publisher) sees no difference: {@link #atEnd} then runs its work at once.
 *
 * <p>Threading: per thread (a thread-local scope); the work put off runs on the thread that fired.
 */
public final class Publication {
    private static final ThreadLocal<List<Runnable>> OPEN = new ThreadLocal<>();

    private Publication() {
    }

    /**
     * Runs {@code firing}, then the work that observers put off while it ran, each once, in the order first asked
     * for. The work put off runs even when {@code firing} throws (the events fired before the failure were taken);
     * if some of it throws too, the rest still runs and the first failure is thrown. Inside another publication on
     * the same thread, {@code firing} simply runs: the outer one runs the work put off.
     */
    public static void together(Runnable firing) {
        if (OPEN.get() != null) {
            firing.run();
            return;
        }
        List<Runnable> putOff = new ArrayList<>(2);
        OPEN.set(putOff);
        RuntimeException failure = null;
        try {
            firing.run();
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            OPEN.remove();
        }
        for (Runnable work : putOff) {
            try {
                work.run();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Runs {@code work} at the end of this thread's current publication, once however often it is asked for
     * (the same object: keep it in a field), or at once when no publication is running.
     */
    public static void atEnd(Runnable work) {
        List<Runnable> putOff = OPEN.get();
        if (putOff == null) {
            work.run();
            return;
        }
        for (Runnable r : putOff) {
            if (r == work) {
                return;
            }
        }
        putOff.add(work);
    }
}
