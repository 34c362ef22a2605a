package dev.atlas.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.config.AtlasConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How callers wait for their batch: until its leader completed them, or until it is their turn to lead. A caller that
 * is never woken hangs its test, and the timeout fails it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GroupCommitWaitTest {
    private Database db;
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @BeforeEach
    void open() {
        db = Database.open(AtlasConfig.load(Map.of("ATLAS_DB_URL", "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1"), null));
    }

    @AfterEach
    void close() {
        pool.shutdownNow();
        db.close();
    }

    /**
     * Threads submit as fast as they can, batches of at most three: every caller gets its own result, each thread's
     * units run in the order it submitted them, and every unit runs once.
     */
    @Test
    void everyCallerOfManyConcurrentOnesGetsItsOwnResultInItsOwnOrder() throws Exception {
        GroupCommit<Void> writes = new GroupCommit<>(db, em -> null, e -> false, 3);
        int threads = 12;
        int each = 300;
        ConcurrentLinkedQueue<String> ran = new ConcurrentLinkedQueue<>();
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Future<List<String>>> callers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            callers.add(pool.submit(() -> {
                start.await();
                List<String> results = new ArrayList<>(each);
                for (int i = 0; i < each; i++) {
                    String name = thread + ":" + i;
                    results.add(writes.submit((em, c) -> {
                        ran.add(name);
                        return name;
                    }, r -> { }));
                }
                return results;
            }));
        }
        for (int t = 0; t < threads; t++) {
            List<String> expected = new ArrayList<>(each);
            for (int i = 0; i < each; i++) {
                expected.add(t + ":" + i);
            }
            assertEquals(expected, callers.get(t).get(), "thread " + t + " got its own results, in order");
        }
        assertEquals(threads * each, ran.size(), "every unit ran once");
        for (int t = 0; t < threads; t++) {
            String prefix = t + ":";
            List<String> order = ran.stream().filter(n -> n.startsWith(prefix)).toList();
            assertEquals(each, order.size());
            for (int i = 0; i < each; i++) {
                assertEquals(prefix + i, order.get(i), "thread " + t + "'s units ran in its order");
            }
        }
        assertEquals(threads * each, writes.units());
        assertTrue(writes.largestBatch() <= 3);
    }

    /**
     * A caller interrupted while it waits for its batch goes on waiting, gets its own result once its batch ran, and
     * returns with its thread still interrupted (as a wait that ignores interrupts must leave it).
     */
    @Test
    void aCallerInterruptedWhileItWaitsGetsItsResultAndKeepsItsInterrupt() throws Exception {
        GroupCommit<Void> writes = new GroupCommit<>(db, em -> null, e -> false, 8);
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<String> first = pool.submit(() -> writes.submit((em, c) -> "first", r -> {
            holding.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        assertTrue(holding.await(30, TimeUnit.SECONDS), "the first batch holds the leadership");

        Thread[] waiter = new Thread[1];
        CountDownLatch started = new CountDownLatch(1);
        Future<Boolean> interruptedAtReturn = pool.submit(() -> {
            waiter[0] = Thread.currentThread();
            started.countDown();
            String r = writes.submit((em, c) -> "second", x -> { });
            assertEquals("second", r);
            return Thread.currentThread().isInterrupted();
        });
        assertTrue(started.await(30, TimeUnit.SECONDS));
        assertTrue(writes.awaitQueued(1, Duration.ofSeconds(30)), "the second caller waits in the queue");
        waiter[0].interrupt();
        assertEquals(1, writes.queued(), "still waiting after the interrupt");
        release.countDown();
        assertEquals("first", first.get());
        assertTrue(interruptedAtReturn.get(), "the interrupt is kept for the caller");
        assertEquals(2, writes.transactions());
    }
}
