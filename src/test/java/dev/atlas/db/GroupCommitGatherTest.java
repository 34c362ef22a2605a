package dev.atlas.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.config.AtlasConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The leader's wait for more units ({@code gather}): never for a lone writer, and under concurrent writes until the
 * batch is full (or the wait is over), so that the units arriving meanwhile share its transaction. The waits here are
 * an hour long, so a leader that waits when it must not hangs the test (and the timeout fails it) instead of making it
 * slower; none of the assertions is about time.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GroupCommitGatherTest {
    private static final Duration HOUR = Duration.ofHours(1);

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

    private static GroupCommit<Void> writes(Database db, int maxBatch, Duration gather) {
        return new GroupCommit<>(db, em -> null, e -> false, maxBatch, gather, null);
    }

    private Future<String> submit(GroupCommit<Void> writes, String name) {
        return pool.submit(() -> writes.submit((em, c) -> name, r -> { }));
    }

    /**
     * Makes the last batch one of two units: {@code first}'s after-commit step holds the leadership while two more
     * units queue, then the next leader takes both (it does not wait: the batch before it was the lone first).
     */
    private void aBatchOfTwo(GroupCommit<Void> writes) throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<String> first = pool.submit(() -> writes.submit((em, c) -> "first", r -> {
            holding.countDown();
            await(release);
        }));
        assertTrue(holding.await(30, TimeUnit.SECONDS));
        long before = writes.transactions();
        List<Future<String>> two = List.of(submit(writes, "b"), submit(writes, "c"));
        assertTrue(writes.awaitQueued(2, Duration.ofSeconds(30)));
        release.countDown();
        assertEquals("first", first.get());
        for (Future<String> f : two) {
            f.get();
        }
        assertEquals(before + 1, writes.transactions(), "b and c shared one transaction");
        assertEquals(2, writes.largestBatch());
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aLoneWriterNeverWaits() {
        GroupCommit<Void> writes = writes(db, 64, HOUR);
        for (int i = 0; i < 20; i++) {
            int n = i;
            Integer result = writes.submit((em, c) -> n, r -> { });
            assertEquals(n, result, "one after the other, each alone: no wait");
        }
        assertEquals(20, writes.transactions());
    }

    @Test
    void underConcurrentWritesTheLeaderWaitsUntilItsBatchIsFull() throws Exception {
        GroupCommit<Void> writes = writes(db, 4, HOUR);
        aBatchOfTwo(writes);
        long before = writes.transactions();
        List<Future<String>> four = new ArrayList<>();
        four.add(submit(writes, "d")); // leads, and waits: the last batch had two
        assertTrue(writes.awaitQueued(1, Duration.ofSeconds(30)));
        for (String name : List.of("e", "f", "g")) {
            four.add(submit(writes, name));
        }
        List<String> results = new ArrayList<>();
        for (Future<String> f : four) {
            results.add(f.get());
        }
        assertEquals(List.of("d", "e", "f", "g"), results, "each its own result");
        assertEquals(before + 1, writes.transactions(), "the four shared one transaction");
        assertEquals(4, writes.largestBatch());
    }

    @Test
    void theWaitEndsAndTheBatchRunsWithWhatCame() throws Exception {
        GroupCommit<Void> writes = writes(db, 64, Duration.ofMillis(50));
        aBatchOfTwo(writes);
        long before = writes.transactions();
        assertEquals("alone", submit(writes, "alone").get(), "after the wait, with nothing else queued");
        assertEquals(before + 1, writes.transactions());
        assertEquals("next", writes.submit((em, c) -> "next", r -> { }), "after a batch of one, no wait again");
    }

    @Test
    void closingWhileTheLeaderWaitsFailsItAtOnce() throws Exception {
        GroupCommit<Void> writes = writes(db, 64, HOUR);
        aBatchOfTwo(writes);
        long before = writes.transactions();
        Future<String> waiting = submit(writes, "d");
        assertTrue(writes.awaitQueued(1, Duration.ofSeconds(30)));
        writes.close();
        ExecutionException e = assertThrows(ExecutionException.class, waiting::get);
        assertTrue(e.getCause() instanceof IllegalStateException, () -> "shutting down: " + e.getCause());
        assertEquals(before, writes.transactions(), "nothing ran");
    }
}
