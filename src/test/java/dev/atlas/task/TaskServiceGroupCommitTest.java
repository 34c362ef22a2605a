package dev.atlas.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.config.AtlasConfig;
import dev.atlas.db.Database;
import dev.atlas.db.GroupCommit;
import dev.atlas.event.EventLog;
import dev.atlas.event.EventType;
import dev.atlas.event.Publication;
import dev.atlas.event.TaskEvent;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Group commit against a real (in-memory) H2 database: changes that share a transaction keep their own
 * results, failures and events; event ids stay contiguous and are published in id order; a database failure in
 * a shared transaction fails only the change that caused it.
 *
 * <p>To get a batch of known content, a change titled "hold" is created first: the publisher blocks in its
 * after-commit step, so its thread keeps the leadership while the test queues the changes one by one
 * ({@link GroupCommit#queued()} tells when each is queued); on release the next leader takes them all at once.
 */
class TaskServiceGroupCommitTest {
    private static final String WALLET = "0x" + "a".repeat(40);

    private Database db;
    private TaskService service;
    private final List<TaskEvent> published = new CopyOnWriteArrayList<>();
    /** How many events had been published when each publication (one per committed transaction) ended. */
    private final List<Integer> publicationEnds = new CopyOnWriteArrayList<>();
    private final Runnable publicationEnd = () -> publicationEnds.add(published.size());
    private volatile CountDownLatch holding = new CountDownLatch(1);
    private volatile CountDownLatch release = new CountDownLatch(1);
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @BeforeEach
    void open() {
        String url = "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        db = Database.open(AtlasConfig.load(Map.of("ATLAS_DB_URL", url), null));
        service = new TaskService(db, new EventLog(), new TaskRules("^0x[0-9a-fA-F]{40}$"), e -> {
            published.add(e);
            Publication.atEnd(publicationEnd);
            if (e.dataJson().contains("\"title\":\"hold\"")) {
                holding.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            }
        });
    }

    @AfterEach
    void close() {
        release.countDown();
        pool.shutdownNow();
        service.stop();
        db.close();
    }

    @Test
    void aBatchLimitBelowOneIsRefusedNamingTheSetting() {
        dev.atlas.config.ConfigException e = assertThrows(dev.atlas.config.ConfigException.class,
                () -> new TaskService(db, new EventLog(), new TaskRules("^0x[0-9a-fA-F]{40}$"), ev -> { }, 0));
        assertEquals("ATLAS_DB_WRITE_BATCH_MAX must be at least 1, got 0", e.getMessage());
    }

    @Test
    void aGatherWaitOutsideZeroToOneSecondIsRefusedNamingTheSetting() {
        for (String bad : List.of("-1", "1000001")) {
            dev.atlas.config.ConfigException e = assertThrows(dev.atlas.config.ConfigException.class,
                    () -> TaskService.gatherWait(AtlasConfig.load(Map.of("ATLAS_DB_WRITE_BATCH_WAIT_MICROS", bad), null)));
            assertEquals("ATLAS_DB_WRITE_BATCH_WAIT_MICROS must be between 0 and 1000000 (microseconds), got " + bad,
                    e.getMessage());
        }
        dev.atlas.config.ConfigException e = assertThrows(dev.atlas.config.ConfigException.class,
                () -> TaskService.gatherWait(AtlasConfig.load(Map.of("ATLAS_DB_WRITE_BATCH_WAIT_MICROS", "0.5ms"), null)));
        assertEquals("ATLAS_DB_WRITE_BATCH_WAIT_MICROS must be a whole number, got '0.5ms'", e.getMessage());
        assertEquals(java.time.Duration.ofMillis(1), TaskService.gatherWait(
                AtlasConfig.load(Map.of("ATLAS_DB_WRITE_BATCH_WAIT_MICROS", "1000"), null)));
        assertEquals(java.time.Duration.ofNanos(500_000), TaskService.gatherWait(AtlasConfig.load(Map.of(), null)),
                "the default");
    }

    @Test
    void changesThatFailBeforeChangingAnythingFailAloneInTheSharedTransaction() throws Exception {
        TaskView a = service.create(new NewTask("a", null, null, null, null));
        TaskView b = service.create(new NewTask("b", null, WALLET, null, null));
        TaskView c = service.create(new NewTask("c", null, null, null, null));
        IdempotencyKey key = new IdempotencyKey("k-1", "hash-1");
        int before = published.size();

        List<Outcome> out = oneBatch(List.of(
                () -> service.start(a.id()),                                                   // 0 ok, a v2
                () -> service.start(Long.MAX_VALUE),                                           // 1 404
                () -> service.update(b.id(), new TaskChanges().title("x"), Guard.NONE.withIfMatch(Set.of(99L))), // 2 412
                () -> service.complete(c.id()),                                                // 3 409 (pending)
                () -> service.create(new NewTask("k", null, null, null, null), key),           // 4 created
                () -> service.create(new NewTask("k", null, null, null, null), key),           // 5 replay of 4
                () -> service.create(new NewTask("other", null, null, null, null),
                        new IdempotencyKey("k-1", "hash-2")),                                  // 6 422
                () -> { service.delete(b.id()); return null; },                                // 7 ok
                () -> service.start(b.id()),                                                   // 8 404: deleted in 7
                () -> service.update(a.id(), new TaskChanges().title("a2"),
                        Guard.NONE.withIfMatch(Set.of(a.version() + 1))),                      // 9 ok: sees 0's version
                () -> service.complete(a.id())));                                              // 10 ok

        assertEquals(1, service.writes().transactions() - transactionsBefore, "one shared transaction");
        assertEquals(11, service.writes().largestBatch());
        assertEquals(0, service.writes().fallbacks(), "no unit forced a rollback");

        assertEquals("in_progress", ((TaskView) out.get(0).value).status());
        assertInstanceOf(TaskNotFoundException.class, out.get(1).failure);
        assertInstanceOf(PreconditionFailedException.class, out.get(2).failure);
        assertInstanceOf(IllegalTransitionException.class, out.get(3).failure);
        Created created = (Created) out.get(4).value;
        Created replayed = (Created) out.get(5).value;
        assertFalse(created.replayed());
        assertTrue(replayed.replayed());
        assertEquals(created.task(), replayed.task(), "the retry in the same transaction gets the first answer");
        assertInstanceOf(IdempotencyConflictException.class, out.get(6).failure);
        assertNull(out.get(7).failure);
        assertInstanceOf(TaskNotFoundException.class, out.get(8).failure);
        assertEquals("a2", ((TaskView) out.get(9).value).title());
        TaskView done = (TaskView) out.get(10).value;
        assertEquals("completed", done.status());
        assertEquals(a.version() + 3, done.version(), "three changes of a, one version each");

        // only the successes have events, in arrival order, contiguous after the held change's
        List<TaskEvent> batch = published.subList(before + 1, published.size());
        assertEquals(List.of(EventType.TASK_UPDATED, EventType.TASK_CREATED, EventType.TASK_DELETED,
                EventType.TASK_UPDATED, EventType.TASK_COMPLETED), batch.stream().map(TaskEvent::type).toList());
        assertEquals(List.of(a.id(), created.task().id(), b.id(), a.id(), a.id()),
                batch.stream().map(TaskEvent::taskId).toList());
        assertContiguousFromOne();
        assertEquals(List.of(before + 1, published.size()), publicationEnds.subList(publicationEnds.size() - 2,
                publicationEnds.size()), "the held change's event, then the batch's five, each transaction's as one publication");

        // and the database holds exactly the successes
        assertEquals(done, service.get(a.id()));
        assertThrows(TaskNotFoundException.class, () -> service.get(b.id()));
        assertEquals(c, service.get(c.id()), "the refused complete changed nothing");
        assertEquals(1, service.list(new TaskQuery(null, null, null, 50)).items().stream()
                .filter(t -> t.title().equals("k")).count(), "one task for the key");
    }

    @Test
    void aDatabaseFailureInASharedTransactionFailsOnlyItsOwnChange() throws Exception {
        TaskView x = service.create(new NewTask("x", null, null, null, null));
        try (Connection conn = db.dataSource().getConnection(); Statement s = conn.createStatement()) {
            s.execute("ALTER TABLE task_event ADD CONSTRAINT no_boom CHECK (data NOT LIKE '%boom%')");
            conn.commit();
        }
        int before = published.size();

        List<Outcome> out = oneBatch(List.of(
                () -> service.create(new NewTask("first", null, null, null, null)),
                () -> service.create(new NewTask("boom", null, null, null, null)),
                () -> service.start(x.id()),
                () -> service.create(new NewTask("last", null, WALLET, null, null))));

        assertEquals(4, service.writes().largestBatch(), "the four changes were taken as one batch");
        assertEquals(1, service.writes().fallbacks(), "the batch rolled back and its changes ran alone");
        assertEquals("first", ((TaskView) out.get(0).value).title());
        assertInstanceOf(RuntimeException.class, out.get(1).failure);
        assertFalse(out.get(1).failure instanceof TaskNotFoundException);
        assertEquals("in_progress", ((TaskView) out.get(2).value).status());
        assertEquals("last", ((TaskView) out.get(3).value).title());

        List<TaskEvent> batch = published.subList(before + 1, published.size());
        assertEquals(List.of(EventType.TASK_CREATED, EventType.TASK_UPDATED, EventType.TASK_CREATED,
                EventType.TASK_ASSIGNED), batch.stream().map(TaskEvent::type).toList());
        assertTrue(batch.stream().noneMatch(e -> e.dataJson().contains("boom")));
        assertContiguousFromOne();
        assertEquals(published.get(published.size() - 1).id(), (long) db.read(em -> new EventLog().lastEventId(em)),
                "the failed change used no event id");
        assertTrue(service.list(new TaskQuery(null, null, null, 50)).items().stream()
                .noneMatch(t -> t.title().equals("boom")), "no row of the failed change");
    }

    @Test
    void manyConcurrentWritersKeepEveryChangeAndEveryIdInOrder() throws Exception {
        int threads = 16;
        int ops = 50;
        Map<Long, List<EventType>> expected = new ConcurrentHashMap<>();
        Map<Long, TaskView> finalState = new ConcurrentHashMap<>();
        Set<Long> deleted = ConcurrentHashMap.newKeySet();

        // hold the first batch until every writer has queued its first change: at least one batch of 16
        Future<TaskView> hold = pool.submit(() -> service.create(new NewTask("hold", null, null, null, null)));
        assertTrue(holding.await(30, TimeUnit.SECONDS));
        List<Future<?>> writers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int seed = t;
            writers.add(pool.submit(() -> {
                writer(seed, ops, expected, finalState, deleted);
                return null;
            }));
        }
        awaitQueued(threads);
        release.countDown();
        expected.put(hold.get(30, TimeUnit.SECONDS).id(), List.of(EventType.TASK_CREATED));
        for (Future<?> w : writers) {
            w.get(120, TimeUnit.SECONDS);
        }

        assertTrue(service.writes().largestBatch() >= threads, "changes were combined");
        assertTrue(service.writes().transactions() < service.writes().units(), "fewer transactions than changes");
        assertContiguousFromOne();
        assertEquals(published.size(), (long) db.read(em -> new EventLog().lastEventId(em)), "no id used twice or skipped");
        Map<Long, List<EventType>> actual = new HashMap<>();
        for (TaskEvent e : published) {
            actual.computeIfAbsent(e.taskId(), k -> new ArrayList<>()).add(e.type());
        }
        assertEquals(expected, actual, "every success has its events, no failure has any");
        for (Map.Entry<Long, TaskView> e : finalState.entrySet()) {
            if (deleted.contains(e.getKey())) {
                assertThrows(TaskNotFoundException.class, () -> service.get(e.getKey()));
            } else {
                assertEquals(e.getValue(), service.get(e.getKey()), "the database holds what the last success answered");
            }
        }
    }

    @Test
    void shutdownFailsEveryQueuedChangeAndRefusesNewOnes() throws Exception {
        holding = new CountDownLatch(1);
        Future<TaskView> held = pool.submit(() -> service.create(new NewTask("hold", null, null, null, null)));
        assertTrue(holding.await(30, TimeUnit.SECONDS));
        Future<TaskView> q1 = pool.submit(() -> service.create(new NewTask("queued-1", null, null, null, null)));
        awaitQueued(1);
        Future<TaskView> q2 = pool.submit(() -> service.create(new NewTask("queued-2", null, null, null, null)));
        awaitQueued(2);

        service.stop();
        for (Future<TaskView> q : List.of(q1, q2)) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> q.get(30, TimeUnit.SECONDS));
            assertInstanceOf(IllegalStateException.class, e.getCause());
        }
        assertThrows(IllegalStateException.class, () -> service.create(new NewTask("late", null, null, null, null)));
        release.countDown();
        assertEquals("hold", held.get(30, TimeUnit.SECONDS).title(), "the running batch finishes");
        assertEquals(1, published.size(), "nothing from the refused changes");
        assertEquals(1, service.list(new TaskQuery(null, null, null, 50)).items().size());
    }

    /** One writer's mixed changes on its own tasks; every answer is checked against its own model. */
    private void writer(int seed, int ops, Map<Long, List<EventType>> expected, Map<Long, TaskView> state,
                        Set<Long> deleted) {
        Random r = new Random(seed);
        List<Long> mine = new ArrayList<>();
        for (int i = 0; i < ops; i++) {
            int op = mine.isEmpty() ? 0 : r.nextInt(8);
            Long id = mine.isEmpty() ? null : mine.get(r.nextInt(mine.size()));
            TaskView current = id == null ? null : state.get(id);
            boolean gone = id != null && deleted.contains(id);
            switch (op) {
                case 0 -> {
                    String title = "w" + seed + "-" + i;
                    String wallet = r.nextBoolean() ? WALLET : null;
                    NewTask input = new NewTask(title, null, wallet, null, null);
                    IdempotencyKey key = new IdempotencyKey("key-" + seed + "-" + i, "h");
                    Created first = service.create(input, key);
                    Created retry = service.create(input, key); // an idempotent retry: same answer, no event
                    assertFalse(first.replayed());
                    assertTrue(retry.replayed());
                    assertEquals(first.task(), retry.task());
                    long tid = first.task().id();
                    mine.add(tid);
                    state.put(tid, first.task());
                    expected.put(tid, new ArrayList<>(wallet == null ? List.of(EventType.TASK_CREATED)
                            : List.of(EventType.TASK_CREATED, EventType.TASK_ASSIGNED)));
                }
                case 1, 2 -> { // start or complete: legal or not depending on the status
                    boolean start = op == 1;
                    String needed = start ? "pending" : "in_progress";
                    Callable<TaskView> call = () -> start ? service.start(id) : service.complete(id);
                    if (gone) {
                        expectFailure(TaskNotFoundException.class, call);
                    } else if (current.status().equals(needed)) {
                        TaskView v = call(call);
                        state.put(id, v);
                        expected.get(id).add(start ? EventType.TASK_UPDATED : EventType.TASK_COMPLETED);
                    } else {
                        expectFailure(IllegalTransitionException.class, call);
                    }
                }
                case 3 -> { // edit at the current version, to a value the task never had
                    String description = "d" + seed + "-" + i;
                    Callable<TaskView> call = () -> service.update(id, new TaskChanges().description(description),
                            Guard.NONE.withIfMatch(Set.of(gone ? 0L : current.version())));
                    if (gone) {
                        expectFailure(TaskNotFoundException.class, call);
                    } else {
                        TaskView v = call(call);
                        assertEquals(current.version() + 1, v.version());
                        state.put(id, v);
                        expected.get(id).add(EventType.TASK_UPDATED);
                    }
                }
                case 4 -> { // edit at a stale version
                    Callable<TaskView> call = () -> service.update(id, new TaskChanges().title("never"),
                            Guard.NONE.withIfMatch(Set.of(gone ? 0L : current.version() + 100)));
                    expectFailure(gone ? TaskNotFoundException.class : PreconditionFailedException.class, call);
                }
                case 5 -> { // delete, once
                    Callable<TaskView> call = () -> {
                        service.delete(id);
                        return null;
                    };
                    if (gone) {
                        expectFailure(TaskNotFoundException.class, call);
                    } else {
                        call(call);
                        deleted.add(id);
                        expected.get(id).add(EventType.TASK_DELETED);
                    }
                }
                case 6 -> expectFailure(TaskNotFoundException.class, () -> service.start(-1 - seed));
                default -> { // re-assign: taskUpdated and taskAssigned; to the agent it has already, nothing at all
                    String wallet = "0x" + Integer.toHexString(seed + 1).repeat(40).substring(0, 40);
                    Callable<TaskView> call = () -> service.update(id, new TaskChanges().agentWallet(wallet));
                    if (gone) {
                        expectFailure(TaskNotFoundException.class, call);
                    } else {
                        TaskView v = call(call);
                        state.put(id, v);
                        if (wallet.equals(current.agentWallet())) {
                            assertEquals(current, v, "an edit that changes nothing is not a new version");
                        } else {
                            assertEquals(current.version() + 1, v.version());
                            expected.get(id).add(EventType.TASK_UPDATED);
                            expected.get(id).add(EventType.TASK_ASSIGNED);
                        }
                    }
                }
            }
        }
    }

    private long transactionsBefore;

    /**
     * Runs {@code changes} as one batch: a held change keeps the leadership until all of them are queued, in
     * this order, then the next leader takes them at once. Returns each change's outcome.
     */
    private List<Outcome> oneBatch(List<Callable<?>> changes) throws Exception {
        holding = new CountDownLatch(1);
        release = new CountDownLatch(1);
        Future<?> held = pool.submit(() -> service.create(new NewTask("hold", null, null, null, null)));
        assertTrue(holding.await(30, TimeUnit.SECONDS), "the held change committed");
        transactionsBefore = service.writes().transactions();
        List<Future<?>> futures = new ArrayList<>();
        for (Callable<?> c : changes) {
            futures.add(pool.submit(c));
            awaitQueued(futures.size());
        }
        release.countDown();
        held.get(30, TimeUnit.SECONDS);
        List<Outcome> out = new ArrayList<>();
        for (Future<?> f : futures) {
            try {
                out.add(new Outcome(f.get(30, TimeUnit.SECONDS), null));
            } catch (ExecutionException e) {
                out.add(new Outcome(null, e.getCause()));
            }
        }
        return out;
    }

    private void awaitQueued(int n) throws InterruptedException {
        assertTrue(service.writes().awaitQueued(n, java.time.Duration.ofSeconds(30)),
                "only " + service.writes().queued() + " of " + n + " changes queued");
    }

    private void assertContiguousFromOne() {
        for (int i = 0; i < published.size(); i++) {
            assertEquals(i + 1, published.get(i).id(), "published in id order, no hole, no duplicate");
        }
    }

    private static <T> T call(Callable<T> c) {
        try {
            return c.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void expectFailure(Class<? extends Throwable> type, Callable<?> c) {
        assertThrows(type, () -> c.call());
    }

    private record Outcome(Object value, Throwable failure) {
    }
}
