package dev.atlas.push;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every thread the push side runs, made here, named {@code atlas-push-…} and bounded: the dispatcher, the
 * sender lanes' workers ({@link SendLane}), the replay pool, the one timer (authentication deadlines, token expiry,
 * heartbeats, the send-timeout sweep, the lanes' stall check), and the closer pool that performs the container calls
 * that may block — {@code Session.close} and pings, which Tomcat writes synchronously and which wait behind a send
 * still in flight. All are daemon threads and all stop with the application.
 *
 * <p>Thread-safe.
 */
@ApplicationScoped
public class PushThreads {
    /** At most this many closes or pings wait on stalled clients at once; more queue behind them. */
    static final int MAX_CLOSERS = 16;

    private final List<ExecutorService> made = new ArrayList<>();
    private final List<SendLane> lanes = new ArrayList<>();
    private ScheduledThreadPoolExecutor timer;
    private ThreadPoolExecutor closer;

    /** Made when the bean is, not in a constructor: the container's client proxy is constructed too. */
    @PostConstruct
    void start() {
        timer = single("atlas-push-timer"); // authentication deadlines are mostly cancelled: not kept (see single)
        closer = pool("atlas-push-closer", MAX_CLOSERS);
    }

    /** One named thread running tasks in order (the dispatcher, a sender). */
    public synchronized ScheduledThreadPoolExecutor single(String name) {
        ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, named(name));
        e.setRemoveOnCancelPolicy(true);
        made.add(e);
        return e;
    }

    /** Up to {@code max} threads named {@code name-N}, idle ones ending after 30 s; tasks beyond them queue. */
    public synchronized ThreadPoolExecutor pool(String name, int max) {
        ThreadPoolExecutor e = new ThreadPoolExecutor(max, max, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                numbered(name));
        e.allowCoreThreadTimeOut(true);
        made.add(e);
        return e;
    }

    /** A sender lane whose workers are threads named {@code name-N}; it stops with the others. */
    synchronized SendLane lane(String name) {
        SendLane lane = new SendLane(numbered(name));
        lanes.add(lane);
        return lane;
    }

    /** Runs a task later on the timer thread. Tasks must be short and must not block. */
    public ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        return timer.schedule(task, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
    }

    /** Runs a task every {@code period} on the timer thread. */
    public ScheduledFuture<?> every(Runnable task, Duration period) {
        long ms = Math.max(1, period.toMillis());
        return timer.scheduleWithFixedDelay(task, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** Where container calls that may block (closing a session, a ping) are made, so no shared thread waits. */
    public ThreadPoolExecutor closer() {
        return closer;
    }

    @PreDestroy
    synchronized void stop() {
        made.forEach(ExecutorService::shutdownNow);
        lanes.forEach(SendLane::stop);
    }

    private static ThreadFactory named(String name) {
        return r -> daemon(r, name);
    }

    private static ThreadFactory numbered(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> daemon(r, name + "-" + n.incrementAndGet());
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
