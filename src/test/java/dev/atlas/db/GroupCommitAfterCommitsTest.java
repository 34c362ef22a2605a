package dev.atlas.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.config.AtlasConfig;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A context that wraps its transaction's afterCommits ({@link GroupCommit.AroundAfterCommits}, for Atlas: the events
 * fired as one publication) wraps all of them, once per committed transaction, and the callers return after it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GroupCommitAfterCommitsTest {
    /** A unit's failure that leaves the other units of its batch going. */
    static final class Alone extends RuntimeException {
        Alone(String message) {
            super(message);
        }
    }

    private final List<String> log = new CopyOnWriteArrayList<>();
    private final AtomicInteger transactions = new AtomicInteger();
    private volatile boolean wrapperFails;
    private Database db;
    private GroupCommit<Ctx> writes;
    private ExecutorService pool;

    /** One per transaction, numbered in the order the transactions began. */
    final class Ctx implements GroupCommit.AroundAfterCommits {
        final int tx = transactions.incrementAndGet();

        @Override
        public void aroundAfterCommits(Runnable afterCommits) {
            log.add("tx" + tx + " {");
            afterCommits.run();
            log.add("tx" + tx + " }");
            if (wrapperFails) {
                throw new IllegalStateException("the wrapper failed after its afterCommits");
            }
        }
    }

    @BeforeEach
    void open() {
        db = Database.open(AtlasConfig.load(Map.of("ATLAS_DB_URL", "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1"), null));
        writes = new GroupCommit<>(db, em -> new Ctx(), e -> e instanceof Alone, 64, java.time.Duration.ZERO, null);
        pool = Executors.newFixedThreadPool(5);
    }

    @AfterEach
    void close() {
        pool.shutdownNow();
        db.close();
    }

    /** Submits a unit named {@code name} that runs {@code body}; its caller logs what it got once submit returns. */
    private Future<String> submit(String name, Runnable body, Consumer<String> afterCommit) {
        return pool.submit(() -> {
            try {
                String r = writes.submit((em, c) -> {
                    body.run();
                    return name;
                }, afterCommit);
                log.add("returned " + r);
                return r;
            } catch (RuntimeException e) {
                log.add("failed " + name);
                throw e;
            }
        });
    }

    /** The afterCommit most units have: it logs "after" and the unit's result. */
    private final Consumer<String> logged = x -> log.add("after " + x);

    /**
     * Submits "lone", which holds the writer until {@code release}: the units {@link #queue}d meanwhile run as one
     * batch once it is released.
     */
    private Future<String> holdWriter(CountDownLatch release) throws InterruptedException {
        CountDownLatch holding = new CountDownLatch(1);
        Future<String> lone = submit("lone", () -> {
            holding.countDown();
            try {
                assertTrue(release.await(30, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, logged);
        assertTrue(holding.await(30, TimeUnit.SECONDS));
        return lone;
    }

    /** Submits a unit and waits until it is queued: units queued one by one run in that order. */
    private Future<String> queue(String name, Runnable body, Consumer<String> afterCommit) throws InterruptedException {
        int before = writes.queued();
        Future<String> f = submit(name, body, afterCommit);
        assertTrue(writes.awaitQueued(before + 1, java.time.Duration.ofSeconds(30)), "queued: " + writes.queued());
        return f;
    }

    private static String result(Future<String> f) throws Exception {
        return f.get(30, TimeUnit.SECONDS);
    }

    /** The exception the unit's caller got, which must be a {@code type}. */
    private static <E extends Throwable> E failure(Future<String> f, Class<E> type) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
        return assertInstanceOf(type, e.getCause());
    }

    /** The log's entries written by the leaders (the wrappers and the afterCommits), in order. */
    private List<String> leaders() {
        return log.stream().filter(s -> s.startsWith("tx") || s.startsWith("after")).toList();
    }

    private void assertAfter(String later, String earlier) {
        assertTrue(log.indexOf(later) > log.indexOf(earlier) && log.indexOf(earlier) >= 0,
                () -> "'" + later + "' must come after '" + earlier + "': " + log);
    }

    private static final Runnable OK = () -> { };

    @Test
    void aSharedTransactionWrapsTheAfterCommitsOfItsSucceededUnitsOnceAndItsCallersReturnAfter() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Future<String> lone = holdWriter(release);
        Future<String> a = queue("a", OK, logged);
        Future<String> b = queue("b", () -> {
            throw new Alone("b is refused on its own");
        }, logged);
        Future<String> c = queue("c", OK, logged);
        release.countDown();
        assertEquals("lone", result(lone));
        assertEquals("a", result(a));
        assertEquals("b is refused on its own", failure(b, Alone.class).getMessage());
        assertEquals("c", result(c));

        assertEquals(List.of("tx1 {", "after lone", "tx1 }", "tx2 {", "after a", "after c", "tx2 }"), leaders(),
                "one wrapper per transaction, around every afterCommit of its succeeded units and nothing else");
        assertAfter("returned lone", "tx1 }");
        assertAfter("returned a", "tx2 }");
        assertAfter("failed b", "tx2 }");
        assertAfter("returned c", "tx2 }");
    }

    @Test
    void aBatchThatRolledBackWrapsNothingAndEachUnitRunAgainAloneIsWrappedOnItsOwn() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Future<String> lone = holdWriter(release);
        Future<String> a = queue("a", OK, logged);
        Future<String> b = queue("b", () -> {
            throw new IllegalStateException("b rolls its transaction back");
        }, logged);
        Future<String> c = queue("c", OK, logged);
        release.countDown();
        assertEquals("lone", result(lone));
        assertEquals("a", result(a));
        assertEquals("b rolls its transaction back", failure(b, IllegalStateException.class).getMessage());
        assertEquals("c", result(c));

        // tx2: the batch, rolled back; tx3, tx4, tx5: a, b (rolled back again), c, each alone
        assertEquals(List.of("tx1 {", "after lone", "tx1 }", "tx3 {", "after a", "tx3 }", "tx5 {", "after c", "tx5 }"),
                leaders());
        assertEquals(5, transactions.get());
        assertAfter("returned a", "tx3 }");
        assertAfter("returned c", "tx5 }");
    }

    /** An afterCommit that submits (the batch is committed, its leader still leads) runs its unit alone, at once. */
    @Test
    void aSubmitFromAnAfterCommitOfASharedTransactionRunsAloneInsteadOfWaitingForTheNextBatch() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Future<String> lone = holdWriter(release);
        Future<String> a = queue("a", OK, x -> {
            log.add("after a");
            String nested = writes.submit((em, c) -> "nested", logged);
            log.add("a's afterCommit got " + nested);
        });
        Future<String> b = queue("b", OK, logged);
        release.countDown();
        assertEquals("lone", result(lone));
        assertEquals("a", result(a));
        assertEquals("b", result(b));
        assertEquals(List.of("tx1 {", "after lone", "tx1 }", "tx2 {", "after a", "tx3 {", "after nested", "tx3 }",
                "after b", "tx2 }"), leaders());
        assertAfter("a's afterCommit got nested", "tx3 }");
        assertAfter("after b", "a's afterCommit got nested");
    }

    @Test
    void aWrapperThatFailsFailsNoCallerTheirChangesAreCommitted() throws Exception {
        wrapperFails = true;
        CountDownLatch release = new CountDownLatch(1);
        Future<String> lone = holdWriter(release);
        Future<String> a = queue("a", OK, logged);
        Future<String> b = queue("b", OK, logged);
        release.countDown();
        assertEquals("lone", result(lone));
        assertEquals("a", result(a));
        assertEquals("b", result(b));
        assertEquals(List.of("tx1 {", "after lone", "tx1 }", "tx2 {", "after a", "after b", "tx2 }"), leaders());
    }
}
