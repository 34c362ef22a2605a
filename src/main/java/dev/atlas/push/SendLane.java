package dev.atlas.push;

import java.util.ArrayDeque;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs jobs in order, piece by piece, on one worker thread at a time, where a piece may block: the sender of one
 * share of the client sessions, whose pieces are the sends of an event to each session. On a lane's worker a
 * WebSocket send is the container's blocking {@code sendText} ({@link #mayBlock()}): it completes on the writing
 * thread, where an asynchronous send's completion is handed to another thread for every message (Tomcat dispatches
 * each one to its executor). It blocks only while a client's socket buffers are full; so that such a client never
 * holds up the others, a worker that has been inside one piece for longer than {@link #STALL_NANOS} is retired by
 * {@link #checkStalled} and a new worker goes on with the next piece. The retired worker finishes its piece (the send,
 * and the messages that queue behind it for the same client) and ends. Pieces of one job are taken in order but may
 * run at once on an old and a new worker: a job must hand out each piece once, and its pieces must not depend on
 * one another.
 *
 * <p>Workers that were retired and are still inside their piece are counted: while there are {@link #MAX_STUCK} of
 * them, the lane's sends do not block ({@link #mayBlock()} is false, the asynchronous send is used), so that many
 * stalled clients cannot take many threads. A worker with nothing to do waits {@link #IDLE_SECONDS} for the next
 * job, then ends.
 *
 * <p>Thread-safe.
 */
final class SendLane {
    private static final Logger LOG = Logger.getLogger(SendLane.class.getName());
    /** A worker inside one piece for longer than this is retired: a send that long is a client not reading. */
    static final long STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /** How often {@link #checkStalled} should be called. */
    static final long CHECK_EVERY_MS = 5;
    /** Retired workers still inside a piece, past which sends do not block. */
    static final int MAX_STUCK = 16;
    static final long IDLE_SECONDS = 30;

    private static final ThreadLocal<Worker> CURRENT = new ThreadLocal<>();

    /** A job: its pieces in order. */
    interface Job {
        /**
         * The next piece, or null when there is none left; called under the lane's lock: must not block. If it throws,
         * the job ends there as if it had none left: its other pieces are dropped, its {@link #done} is called (so the
         * outcome of the pieces it did hand out is still reported), and the lane goes on with the next job.
         */
        Runnable next();

        /** Called once, after the last piece was handed out and every piece handed out to that worker has run. */
        default void done() {
        }
    }

    private final ThreadFactory threads;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition hasWork = lock.newCondition();
    private final ArrayDeque<Job> jobs = new ArrayDeque<>();
    private Worker active;
    /** Written under the lock; read without it ({@link #mayBlock()}, {@link #stuck()}, {@link #retired()}). */
    private volatile int stuck;
    private volatile long retired;
    private boolean stopped;

    SendLane(ThreadFactory threads) {
        this.threads = threads;
    }

    /**
     * Whether a send on this thread may block: on a lane's worker, while its lane has fewer than {@link #MAX_STUCK} stuck
     * workers; on a retired worker always (it only finishes its one client's messages).
     */
    static boolean mayBlock() {
        Worker w = CURRENT.get();
        return w != null && (w.retired || w.lane.stuck < MAX_STUCK);
    }

    /** Queues a job behind the others; a worker is started if none is running. Ignored once stopped. */
    void submit(Job job) {
        lock.lock();
        try {
            if (stopped) {
                return;
            }
            jobs.add(job);
            if (active == null) {
                start();
            } else {
                hasWork.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Retires the worker if it has been inside one piece since before {@code nowNanos - STALL_NANOS}, and starts another
     * for what is left. Returns whether it did.
     */
    boolean checkStalled(long nowNanos) {
        lock.lock();
        try {
            Worker w = active;
            if (w == null || w.pieceSince == 0 || nowNanos - w.pieceSince <= STALL_NANOS) {
                return false;
            }
            w.retired = true;
            stuck++;
            retired++;
            active = null;
            if (!jobs.isEmpty() && !stopped) {
                start();
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Workers retired so far (each a send that stalled). */
    long retired() {
        return retired;
    }

    /** Retired workers still inside their piece. */
    int stuck() {
        return stuck;
    }

    /** Drops the jobs not begun; the workers end after their current piece. */
    void stop() {
        lock.lock();
        try {
            stopped = true;
            jobs.clear();
            hasWork.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock. */
    private void start() {
        Worker w = new Worker(this);
        active = w;
        threads.newThread(() -> run(w)).start();
    }

    private void run(Worker me) {
        CURRENT.set(me);
        try {
            while (true) {
                Runnable piece = null;
                Job finished = null;
                lock.lock();
                try {
                    while (piece == null && finished == null) {
                        if (me.retired || stopped) {
                            return;
                        }
                        Job head = jobs.peek();
                        if (head == null) {
                            if (!hasWork.await(IDLE_SECONDS, TimeUnit.SECONDS) && jobs.isEmpty()) {
                                active = null;
                                return;
                            }
                            continue;
                        }
                        try {
                            piece = head.next();
                        } catch (RuntimeException e) {
                            LOG.log(Level.WARNING, "A send lane's job failed; its remaining pieces are dropped", e);
                            jobs.poll();
                            finished = head;
                            continue;
                        }
                        if (piece == null) {
                            jobs.poll();
                            finished = head;
                        }
                    }
                    if (piece != null) {
                        me.pieceSince = System.nanoTime() | 1; // never 0, which means "not inside a piece"
                    }
                } finally {
                    lock.unlock();
                }
                if (finished != null) {
                    runSafely(finished::done);
                    continue;
                }
                runSafely(piece);
                me.pieceSince = 0;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            CURRENT.remove();
            lock.lock();
            try {
                if (me.retired) {
                    stuck--;
                } else if (active == me) {
                    active = null;
                }
            } finally {
                lock.unlock();
            }
        }
    }

    private static void runSafely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "A send lane's work failed", e);
        }
    }

    /** One worker thread's state; {@code pieceSince} is read by {@link #checkStalled} under the lock. */
    private static final class Worker {
        final SendLane lane;
        volatile long pieceSince;
        /** Written under the lock. */
        volatile boolean retired;

        Worker(SendLane lane) {
            this.lane = lane;
        }
    }
}
