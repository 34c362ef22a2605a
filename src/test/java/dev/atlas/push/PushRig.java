package dev.atlas.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atlas.config.AtlasConfig;
import dev.atlas.db.Database;
import dev.atlas.event.EventLog;
import dev.atlas.event.EventType;
import dev.atlas.event.TaskEvent;
import dev.atlas.metrics.Metrics;
import dev.atlas.push.ws.JsonWire;
import dev.atlas.metrics.MetricsOutsideCdi;
import dev.atlas.security.Principal;
import dev.atlas.security.Role;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The push core wired by hand, as CDI would: a real in-memory H2 database (migrated, through {@link Database})
 * with its outbox ({@link EventLog}), a {@link SessionRegistry} with a chosen number of senders, a
 * {@link Replayer}, {@link Metrics} and the {@link PushDispatcher}, started and stopped through their own
 * lifecycle methods. No server, no WebSocket: sessions are {@link PushSession}s over a {@link QueueTransport},
 * with the plain JSON wire.
 *
 * <p>Events are appended through {@link EventLog} in committed transactions and fired afterwards, as the task
 * service does; {@link #firedOnly} builds an event that is fired but not in the outbox, for tests where the
 * catch-up read must not be able to deliver it.
 */
final class PushRig implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final Principal ADMIN = new Principal("admin", Role.ADMIN, null, Instant.now().plus(Duration.ofDays(1)));

    private static final ObjectMapper JSON = new ObjectMapper();

    final Database db;
    final EventLog eventLog = new EventLog();
    final SessionRegistry registry = new SessionRegistry();
    final Replayer replayer = new Replayer();
    final Metrics metrics = MetricsOutsideCdi.started();
    final PushDispatcher dispatcher = new PushDispatcher();
    final PushThreads threads = new PushThreads();
    private final AtomicInteger sessions = new AtomicInteger();
    private final AtomicInteger tasks = new AtomicInteger();

    /** A rig with {@code senders} sender lanes. */
    PushRig(int senders) {
        this(senders, 1000);
    }

    /** A rig whose periodic outbox read runs every {@code pollMs} ms ({@code ATLAS_OUTBOX_POLL_MS}). */
    PushRig(int senders, long pollMs) {
        AtlasConfig config = AtlasConfig.load(Map.of(
                "ATLAS_DB_URL", "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
                "ATLAS_PUSH_SENDERS", Integer.toString(senders),
                "ATLAS_OUTBOX_POLL_MS", Long.toString(pollMs)), null);
        db = Database.open(config);
        registry.config = config;
        registry.init();
        replayer.db = db;
        replayer.eventLog = eventLog;
        threads.start();
        replayer.threads = threads;
        replayer.start();
        dispatcher.db = db;
        dispatcher.eventLog = eventLog;
        dispatcher.registry = registry;
        dispatcher.replayer = replayer;
        dispatcher.metrics = metrics;
        dispatcher.threads = threads;
        dispatcher.config = config;
    }

    static Principal agent(String wallet) {
        return new Principal("agent", Role.AGENT, wallet, Instant.now().plus(Duration.ofDays(1)));
    }

    /** Starts the dispatcher: it reads the last event id of the outbox as its last dispatched id. */
    void start() {
        dispatcher.start();
    }

    @Override
    public void close() {
        threads.stop(); // the dispatcher's, the senders' and the replay's threads
        MetricsOutsideCdi.close(metrics);
        db.close();
    }

    /** How many events the dispatcher has dispatched (each must count once, however often it was fired). */
    long dispatchedCount() {
        return MetricsOutsideCdi.eventsCommitted(metrics);
    }

    // ---- events ----

    /** Appends {@code n} unassigned {@code taskCreated} events in one committed transaction. */
    List<TaskEvent> append(int n) {
        return db.inTransaction(em -> {
            EventLog.Appender a = eventLog.begin(em);
            List<TaskEvent> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int task = tasks.incrementAndGet();
                out.add(a.append(EventType.TASK_CREATED, task, null, null, data(task)));
            }
            a.beforeCommit();
            return out;
        });
    }

    /** Appends one unassigned {@code taskCreated} event in its own committed transaction. */
    TaskEvent append() {
        return append(EventType.TASK_CREATED, null, null);
    }

    /** Appends one event in its own committed transaction. */
    TaskEvent append(EventType type, String agentWallet, String previousWallet) {
        int task = tasks.incrementAndGet();
        return db.inTransaction(em -> {
            EventLog.Appender a = eventLog.begin(em);
            TaskEvent e = a.append(type, task, agentWallet, previousWallet, data(task));
            a.beforeCommit();
            return e;
        });
    }

    /** An event that only exists as a firing: it is not in the outbox, so no catch-up read can deliver it. */
    static TaskEvent firedOnly(long id) {
        return firedOnly(id, EventType.TASK_CREATED, null, null);
    }

    static TaskEvent firedOnly(long id, EventType type, String agentWallet, String previousWallet) {
        return new TaskEvent(id, type, Instant.ofEpochMilli(1_700_000_000_000L + id), 1000 + id, agentWallet,
                previousWallet, "{\"id\":" + (1000 + id) + ",\"firedOnly\":true}");
    }

    private static String data(int task) {
        return "{\"id\":" + task + ",\"title\":\"t" + task + "\"}";
    }

    /** Fires committed events at the dispatcher, in the given order, as the task service's observer call does. */
    void fire(TaskEvent... events) {
        for (TaskEvent e : events) {
            dispatcher.onCommitted(e);
        }
    }

    void fire(List<TaskEvent> events) {
        events.forEach(dispatcher::onCommitted);
    }

    // ---- sessions ----

    Client client(Principal viewer) {
        return client(viewer, new QueueTransport(), 10_000);
    }

    /** A session not yet registered: its writer holds {@code capacity} messages. */
    Client client(Principal viewer, QueueTransport transport, int capacity) {
        SessionWriter writer = new SessionWriter(transport, capacity, Long.MAX_VALUE);
        PushSession s = new PushSession("s" + sessions.incrementAndGet(), "ws", JsonWire.INSTANCE, writer);
        s.viewer(viewer);
        return new Client(s, transport);
    }

    /** A new admin session, registered without resume. */
    Client open() {
        Client c = client(ADMIN);
        dispatcher.open(c.session);
        return c;
    }

    Client open(Principal viewer, Long resumeAfter) {
        Client c = client(viewer);
        dispatcher.open(c.session, resumeAfter);
        return c;
    }

    /**
     * Waits until the dispatcher thread has done everything queued before this call: opens a probe session
     * (registration runs on the same single thread, after the work queued earlier), waits for its hello,
     * and closes it again; then waits until every sender lane has offered what it was handed before. Returns the
     * hello's id, the last dispatched id at that point: every session has then been offered every event up to it.
     */
    long barrier() throws InterruptedException {
        Client probe = open();
        Received hello = probe.next();
        assertEquals("hello", hello.event());
        dispatcher.close(probe.session);
        assertTrue(dispatcher.lanesPassed(WAIT), "the sender lanes finished what they were handed within " + WAIT);
        return hello.id();
    }

    /** Waits for a condition (polling every millisecond), failing after {@link #WAIT}. */
    static void await(BooleanSupplier condition, Supplier<String> what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what.get());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /** One frame a session received, parsed: its event name, id, whether it was a live frame, and a resync's reason. */
    record Received(String event, long id, boolean live, String reason, String text) {
        static Received of(QueueTransport.Sent sent) {
            try {
                JsonNode n = JSON.readTree(sent.text());
                JsonNode reason = n.get("reason");
                return new Received(n.get("event").asText(), Long.parseLong(n.get("id").asText()),
                        sent.committedAtMillis() != 0, reason == null ? null : reason.asText(), sent.text());
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public String toString() {
            return event + "#" + id + (live ? " (live)" : "") + (reason == null ? "" : " " + reason);
        }
    }

    /** A session and the transport it writes to. */
    static final class Client {
        final PushSession session;
        final QueueTransport transport;

        Client(PushSession session, QueueTransport transport) {
            this.session = session;
            this.transport = transport;
        }

        /** The next frame the session was sent, waiting at most {@link #WAIT}. */
        Received next() throws InterruptedException {
            QueueTransport.Sent s = transport.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(s, () -> "session " + session.id() + " received nothing within " + WAIT);
            return Received.of(s);
        }

        /** The next {@code n} frames. */
        List<Received> next(int n) throws InterruptedException {
            List<Received> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(next());
            }
            return out;
        }

        /** Expects a hello next and returns its id. */
        long hello() throws InterruptedException {
            Received r = next();
            assertEquals("hello", r.event(), () -> "first frame of " + session.id() + ": " + r.text());
            return r.id();
        }

        /** Receives the next {@code n} frames and returns their ids. */
        List<Long> ids(int n) throws InterruptedException {
            return next(n).stream().map(Received::id).toList();
        }
    }
}
