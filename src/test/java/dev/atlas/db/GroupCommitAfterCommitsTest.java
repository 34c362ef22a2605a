package dev.atlas.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.config.AtlasConfig;
import java.util.ArrayList;
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
    private Future<String> submit(String name, Runnable body) {
        return submit(name, body, x -> log.add("after " + x));
    }

    private Future<String> submit(String name, Runnable body, java.util.function.Consumer<String> afterCommit) {
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

    /**
     * A lone unit holds the writer while the named units queue behind it, in the order named, so that they run as
     * one batch; returns the futures of the lone unit (first) and of the units.
     */
    private List<Future<String>> batchBehindALoneUnit(String[] names, Runnable[] bodies) throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Future<String>> futures = new ArrayList<>();
        futures.add(submit("lone", () -> {
            holding.countDown();
            try {
                assertTrue(release.await(30, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }));
        assertTrue(holding.await(30, TimeUnit.SECONDS));
        for (int i = 0; i < names.length; i++) {
            futures.add(submit(names[i], bodies[i]));
            // one at a time: the queue's order, and so the batch's, is the order of the names
            assertTrue(writes.awaitQueued(i + 1, java.time.Duration.ofSeconds(30)), "queued: " + writes.queued());
        }
        release.countDown();
        return futures;
    }

    /** The log's entries written by the leaders (the wrappers and the afterCommits), in order. */
    private List<String> leaders() {
        return log.stream().filter(s -> s.startsWith("tx") || s.startsWith("after")).toList();
    }

    private void assertAfter(String later, String earlier) {
        assertTrue(log.indexOf(later) > log.indexOf(earlier) && log.indexOf(earlier) >= 0,
                () -> "'" + later + "' must come after '" + earlier + "': " + log);
    }

    @Test
    void aSharedTransactionWrapsTheAfterCommitsOfItsSucceededUnitsOnceAndItsCallersReturnAfter() throws Exception {
        Runnable ok = () -> { };
        List<Future<String>> f = batchBehindALoneUnit(new String[] {"a", "b", "c"}, new Runnable[] {ok, () -> {
            throw new Alone("b is refused on its own");
        }, ok});
        assertEquals("lone", f.get(0).get(30, TimeUnit.SECONDS));
        assertEquals("a", f.get(1).get(30, TimeUnit.SECONDS));
        ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> f.get(2).get(30, TimeUnit.SECONDS));
        assertTrue(refused.getCause() instanceof Alone, refused::toString);
        assertEquals("c", f.get(3).get(30, TimeUnit.SECONDS));

        assertEquals(List.of("tx1 {", "after lone", "tx1 }", "tx2 {", "after a", "after c", "tx2 }"), leaders(),
                "one wrapper per transaction, around every afterCommit of its succeeded units and nothing else");
        assertAfter("returned lone", "tx1 }");
        assertAfter("returned a", "tx2 }");
        assertAfter("failed b", "tx2 }");
        assertAfter("returned c", "tx2 }");
    }

    @Test
    void aBatchThatRolledBackWrapsNothingAndEachUnitRunAgainAloneIsWrappedOnItsOwn() throws Exception {
        Runnable ok = () -> { };
        List<Future<String>> f = batchBehindALoneUnit(new String[] {"a", "b", "c"}, new Runnable[] {ok, () -> {
            throw new IllegalStateException("b rolls its transaction back");
        }, ok});
        assertEquals("lone", f.get(0).get(30, TimeUnit.SECONDS));
        assertEquals("a", f.get(1).get(30, TimeUnit.SECONDS));
        ExecutionException failed = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> f.get(2).get(30, TimeUnit.SECONDS));
        assertTrue(failed.getCause() instanceof IllegalStateException, failed::toString);
        assertEquals("c", f.get(3).get(30, TimeUnit.SECONDS));

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
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<String> lone = submit("lone", () -> {
            holding.countDown();
            try {
                assertTrue(release.await(30, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(holding.await(30, TimeUnit.SECONDS));
        Future<String> a = submit("a", () -> { }, x -> {
            log.add("after a");
            String nested = writes.submit((em, c) -> "nested", y -> log.add("after " + y));
            log.add("a's afterCommit got " + nested);
        });
        assertTrue(writes.awaitQueued(1, java.time.Duration.ofSeconds(30)));
        Future<String> b = submit("b", () -> { });
        assertTrue(writes.awaitQueued(2, java.time.Duration.ofSeconds(30)));
        release.countDown();
        assertEquals("lone", lone.get(30, TimeUnit.SECONDS));
        assertEquals("a", a.get(30, TimeUnit.SECONDS));
        assertEquals("b", b.get(30, TimeUnit.SECONDS));
        assertEquals(List.of("tx1 {", "after lone", "tx1 }", "tx2 {", "after a", "tx3 {", "after nested", "tx3 }",
                "after b", "tx2 }"), leaders());
        assertAfter("a's afterCommit got nested", "tx3 }");
        assertAfter("after b", "a's afterCommit got nested");
    }

    @Test
    void aWrapperThatFailsFailsNoCallerTheirChangesAreCommitted() throws Exception {
        wrapperFails = true;
        Runnable ok = () -> { };
        List<Future<String>> f = batchBehindALoneUnit(new String[] {"a", "b"}, new Runnable[] {ok, ok});
        assertEquals("lone", f.get(0).get(30, TimeUnit.SECONDS));
        assertEquals("a", f.get(1).get(30, TimeUnit.SECONDS));
        assertEquals("b", f.get(2).get(30, TimeUnit.SECONDS));
        assertEquals(List.of("tx1 {", "after lone", "tx1 }", "tx2 {", "after a", "after b", "tx2 }"), leaders());
    }
}
