package dev.atlas.push;

import dev.atlas.config.AtlasConfig;
import dev.atlas.config.Setting;
import dev.atlas.db.Database;
import dev.atlas.event.EventLog;
import dev.atlas.event.Publication;
import dev.atlas.event.TaskEvent;
import dev.atlas.metrics.Metrics;
import io.micrometer.core.instrument.Timer;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns committed {@link TaskEvent}s into pushes, in id order, exactly once each.
 *
 * <p>Committing threads fire events concurrently, so event 11 may be observed before event 10. The
 * dispatcher holds an early event back until the ones before it arrive; if a hole stays open (the
 * firing thread died after its commit), or events were missed altogether, a catch-up read of the outbox
 * fills it. Each event is serialized once ({@link Envelope#of}) and the same text is offered to every
 * session's writer.
 *
 * <p>Threading: all state is confined to one dispatcher thread. Observers, opens and closes only
 * enqueue work on it, so a request thread never waits for clients, and a session registered by
 * {@link #open} receives its {@code hello} and then every event after the hello's id, none before.
 */
@ApplicationScoped
public class PushDispatcher {
    private static final Logger LOG = Logger.getLogger(PushDispatcher.class.getName());
    /** How long an early event may wait for its predecessor before the outbox is read. */
    static final long HOLE_WAIT_MS = 250;
    /** Catch-up batch size. */
    private static final int CATCH_UP_BATCH = 500;

    @Inject
    Database db;
    @Inject
    EventLog eventLog;
    @Inject
    SessionRegistry registry;
    @Inject
    Replayer replayer;
    @Inject
    Metrics metrics;
    @Inject
    PushThreads threads;
    @Inject
    AtlasConfig config;

    private ScheduledExecutorService thread;
    /** One per share of the sessions: each writes the events to its share, in order. */
    private SendLane[] lanes = new SendLane[0];
    private volatile long lastDispatched;
    private final TreeMap<Long, TaskEvent> early = new TreeMap<>();
    private long holeSince;
    private Timer outboxLag;
    private boolean outage;

    @PostConstruct
    void start() {
        lastDispatched = db.read(eventLog::lastEventId);
        thread = threads.single("atlas-push-dispatcher");
        long pollMs = Math.max(10, config.getLong(Setting.OUTBOX_POLL_MS));
        thread.scheduleWithFixedDelay(this::catchUpIfBehind, pollMs, pollMs, TimeUnit.MILLISECONDS);
        outboxLag = Timer.builder("atlas.cluster.outbox.lag")
                .description("From an event's commit to its dispatch on this node, for events this node learned from the "
                        + "outbox (committed by another node, or whose local firing was lost) rather than from its own commit")
                .publishPercentiles(0.5, 0.99).register(metrics.registry());
        lanes = new SendLane[registry.shards()];
        for (int i = 0; i < lanes.length; i++) {
            lanes[i] = threads.lane("atlas-push-sender-" + i);
        }
        threads.every(this::checkLanes, java.time.Duration.ofMillis(SendLane.CHECK_EVERY_MS));
        LOG.info(() -> "Push dispatcher started after event " + lastDispatched + ", " + lanes.length + " sender lane(s)");
    }

    /** Events observed and not yet taken by the dispatcher thread, in the order they were fired. */
    private final java.util.concurrent.ConcurrentLinkedQueue<TaskEvent> committed = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** Whether a {@link #drainCommitted} is queued on the dispatcher thread and has not begun to drain. */
    private final AtomicBoolean drainPending = new AtomicBoolean();

    /**
     * Observes every committed event (fired by the task service after its commit, on the committing thread). The
     * event joins a queue that one task on the dispatcher thread drains, and a drain is scheduled only when none is
     * pending: events fired while the dispatcher is busy ride along with the pending drain instead of each queuing a
     * task. The task service fires a transaction's events as one {@link Publication}, and the drain is scheduled at
     * its end: once per transaction. (Scheduled per event, the dispatcher usually drained before a leader fired its
     * next event, so nearly every event woke it: benchmarks.md, sixteenth and twenty-first sessions.)
     */
    void onCommitted(@Observes TaskEvent event) {
        committed.add(event);
        Publication.atEnd(drainSoon);
    }

    /** Drains scheduled so far (see {@link #drainsScheduled()}). */
    private final java.util.concurrent.atomic.LongAdder drainsScheduled = new java.util.concurrent.atomic.LongAdder();

    /** Schedules a drain unless one is pending; one object, so that a publication runs it once. */
    private final Runnable drainSoon = () -> {
        if (drainPending.compareAndSet(false, true)) {
            drainsScheduled.increment();
            run(this::drainCommitted);
        }
    };

    /** How many drains of the committed events were scheduled on the dispatcher thread (each a wake-up); for tests. */
    long drainsScheduled() {
        return drainsScheduled.sum();
    }

    /**
     * Accepts every queued event. The flag is cleared before the queue is read: an event queued after the last
     * read finds it clear and queues another drain, so none is left behind.
     */
    private void drainCommitted() {
        drainPending.set(false);
        for (TaskEvent e; (e = committed.poll()) != null; ) {
            accept(e);
        }
    }

    /** The highest event id announced by notifications since the last wake-up ran; 0: none. */
    private final AtomicLong announced = new AtomicLong();
    private final AtomicBoolean wakePending = new AtomicBoolean();

    /**
     * The outbox has new events (another node committed: the listener was notified, or it reconnected and may have
     * missed notifications): read them now, on the dispatcher thread, instead of at the next poll. {@code upTo}: the
     * last id the notification announced ({@link Long#MAX_VALUE} when unknown).
     */
    public void wake(long upTo) {
        announced.accumulateAndGet(upTo, Math::max);
        if (wakePending.compareAndSet(false, true)) {
            run(this::woken);
        }
    }

    /**
     * One read for any number of notifications that came while the dispatcher was busy, and none when they only
     * announced events already pushed (this node's own commits, whose firing usually beats their notification).
     */
    private void woken() {
        wakePending.set(false);
        long upTo = announced.getAndSet(0);
        if (upTo > lastDispatched) {
            catchUp(true);
        }
    }

    /** Registers a session: it gets its hello, then every event after the hello's id. */
    public void open(PushSession session) {
        open(session, null);
    }

    /**
     * Registers a session that may resume: after its hello it first gets every event after
     * {@code resumeAfter} up to the hello's id (or a {@code resync} when they cannot be replayed), then
     * live events. {@code resumeAfter} null: no replay; negative: an id the client sent that is no id.
     */
    public void open(PushSession session, Long resumeAfter) {
        open(session, resumeAfter, null);
    }

    /**
     * As {@link #open(PushSession, Long)}; {@code afterHello} (may be null) runs on the dispatcher thread right
     * after the hello is offered and before the first event can be: what it offers follows the hello.
     */
    public void open(PushSession session, Long resumeAfter, Runnable afterHello) {
        run(() -> {
            long hello = lastDispatched;
            session.helloSent(hello);
            if (!session.alreadyGreeted()) {
                session.writer().offer(session.wire().hello(session, hello, Instant.now()));
            }
            if (afterHello != null) {
                afterHello.run();
            }
            registry.add(session);
            if (resumeAfter != null) {
                resumeNow(session, resumeAfter);
            }
        });
    }

    /**
     * A resume request on an open session: replays the events after {@code after} up to the session's
     * hello id. Sent as the client's first message it gives the same result as resuming at connect;
     * later, live events already delivered are not sent again (but earlier ones come after them).
     */
    public void resume(PushSession session, long after) {
        run(() -> resumeNow(session, after));
    }

    private void resumeNow(PushSession s, long after) {
        long hello = s.helloId();
        if (after < 0 || after > lastDispatched) {
            s.writer().offer(s.wire().frame("resync", Envelope.resync(hello, "unknown event id", Instant.now())));
            return;
        }
        if (after >= hello || s.isReplaying()) {
            return; // nothing was missed before the hello (or a replay already runs)
        }
        s.beginReplay();
        replayer.replay(s, after, hello);
    }

    /** Closes a session's writer and unregisters it; ordered after its {@link #open}, and idempotent. */
    public void close(PushSession session) {
        session.writer().detach();
        unregister(session);
    }

    /**
     * Stops pushing events to a session but leaves its writer open (a Socket.IO client that left the
     * namespace keeps its Engine.IO connection and heartbeats). Ordered after its {@link #open}.
     */
    public void unregister(PushSession session) {
        run(() -> registry.remove(session.id()));
    }

    /** Runs work on the dispatcher thread; once the application stops, there is nothing left to do. */
    private void run(Runnable work) {
        try {
            thread.execute(work);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.fine("Dispatcher stopped; dropped a late task");
        }
    }

    private void accept(TaskEvent e) {
        if (e.id() <= lastDispatched) {
            return; // already pushed (a catch-up read got there first)
        }
        if (e.id() != lastDispatched + 1) {
            if (early.isEmpty()) {
                holeSince = System.currentTimeMillis();
            }
            early.put(e.id(), e);
            return;
        }
        dispatch(e);
        while (!early.isEmpty() && early.firstKey() == lastDispatched + 1) {
            dispatch(early.pollFirstEntry().getValue());
        }
        early.headMap(lastDispatched, true).clear();
        if (!early.isEmpty()) {
            holeSince = System.currentTimeMillis();
        }
    }

    /**
     * Pushes one event: serialized once (on first use, by the first lane that needs it), then written by every lane to
     * its share of the sessions, each lane in event order. A session whose hello already covers the event (it
     * registered after this dispatch, while a lane was still busy with it) is skipped: it gets every event after its
     * hello, and none before. A share without sessions is skipped here, without waking its lane.
     */
    private void dispatch(TaskEvent e) {
        Outgoing out = new Outgoing(e);
        lastDispatched = e.id();
        metrics.eventCommitted();
        for (int i = 0; i < lanes.length; i++) {
            java.util.Collection<PushSession> share = registry.shard(i);
            if (!share.isEmpty()) {
                lanes[i].submit(new Delivery(out, share.iterator()));
            }
        }
    }

    /**
     * One event to one share: a piece per session, handed out in the share's order; a piece whose send stalls may
     * still be running when the others are done, and counts itself then.
     */
    private final class Delivery implements SendLane.Job {
        private final Outgoing out;
        private final java.util.Iterator<PushSession> sessions;
        private Wire lastWire;
        private Frame lastFrame;
        private int accepted;
        private int refused;
        private boolean reported;

        Delivery(Outgoing out, java.util.Iterator<PushSession> sessions) {
            this.out = out;
            this.sessions = sessions;
        }

        @Override
        public Runnable next() {
            TaskEvent e = out.event;
            while (sessions.hasNext()) {
                PushSession s = sessions.next();
                if (s.helloId() >= e.id() || !s.canSee(e)) {
                    continue;
                }
                Wire w = s.wire();
                if (w != lastWire) {
                    lastFrame = out.frame(w);
                    lastWire = w;
                }
                Frame f = lastFrame;
                return () -> counted(s.deliverLive(f));
            }
            return null;
        }

        private void counted(boolean ok) {
            synchronized (this) {
                if (!reported) {
                    if (ok) {
                        accepted++;
                    } else {
                        refused++;
                    }
                    return;
                }
            }
            metrics.eventsDelivered(ok ? 1 : 0, ok ? 0 : 1);
        }

        @Override
        public void done() {
            int a;
            int r;
            synchronized (this) {
                reported = true;
                a = accepted;
                r = refused;
            }
            metrics.eventsDelivered(a, r);
        }
    }

    /**
     * One event on its way out: its envelope, serialized once, and its frame for each wire, built once; both on
     * first use, by whichever sender needs them first, so an event that no session may see is never serialized.
     * Thread-safe.
     */
    private static final class Outgoing {
        private final TaskEvent event;
        private String envelope;
        private final java.util.Map<Wire, Frame> frames = new java.util.IdentityHashMap<>(4);

        Outgoing(TaskEvent event) {
            this.event = event;
        }

        synchronized Frame frame(Wire w) {
            Frame f = frames.get(w);
            if (f == null) {
                if (envelope == null) {
                    envelope = Envelope.of(event);
                }
                f = Frame.event(w.eventFrame(event.type().wireName(), event.id(), envelope), event.timestamp().toEpochMilli());
                frames.put(w, f);
            }
            return f;
        }
    }

    /**
     * Reads the outbox when a hole has stayed open too long, and also every second in any case, so that
     * an event whose firing was lost is still pushed.
     */
    private void catchUpIfBehind() {
        catchUp(false);
    }

    /** Reads the outbox after the last dispatched id; {@code now}: even while a young hole may still fill by itself. */
    private void catchUp(boolean now) {
        if (!now && !early.isEmpty() && System.currentTimeMillis() - holeSince < HOLE_WAIT_MS) {
            return;
        }
        try {
            List<TaskEvent> missed;
            do {
                long after = lastDispatched;
                missed = db.read(em -> eventLog.readAfter(em, after, CATCH_UP_BATCH));
                long readAt = System.currentTimeMillis();
                for (TaskEvent e : missed) {
                    if (e.id() > lastDispatched && !early.containsKey(e.id())) {
                        outboxLag.record(Math.max(0, readAt - e.timestamp().toEpochMilli()), TimeUnit.MILLISECONDS);
                    }
                    accept(e);
                }
            } while (missed.size() == CATCH_UP_BATCH);
            if (outage) {
                outage = false;
                LOG.info("Outbox reachable again; catch-up resumed");
            }
        } catch (RuntimeException ex) {
            if (!outage) { // once per outage, not every second
                outage = true;
                LOG.log(Level.WARNING, "Outbox catch-up failed; retrying every second until the database answers", ex);
            }
        }
    }

    /** Hands a lane's remaining work to a new worker when its worker is stuck in one client's send. */
    private void checkLanes() {
        long now = System.nanoTime();
        for (SendLane lane : lanes) {
            lane.checkStalled(now);
        }
    }

    /**
     * Waits until every lane has handed out and run every delivery submitted to it before this call (a piece stuck in
     * a stalled send aside); for tests, after the dispatcher thread has dispatched what they wait for.
     */
    boolean lanesPassed(java.time.Duration timeout) throws InterruptedException {
        java.util.concurrent.CountDownLatch passed = new java.util.concurrent.CountDownLatch(lanes.length);
        for (SendLane lane : lanes) {
            lane.submit(new SendLane.Job() {
                @Override
                public Runnable next() {
                    return null;
                }

                @Override
                public void done() {
                    passed.countDown();
                }
            });
        }
        return passed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Sends that stalled a sender lane so far: each handed the lane's remaining work to a new worker. */
    public long stalledSends() {
        long n = 0;
        for (SendLane lane : lanes) {
            n += lane.retired();
        }
        return n;
    }

    /** Id of the last event pushed to sessions (for diagnostics and tests). */
    public long lastDispatched() {
        return lastDispatched;
    }
}
