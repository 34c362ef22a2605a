package dev.atlas.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.config.AtlasConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A shared transaction hands its units' keys to the prefetch once, before the units run; a lone unit does not. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GroupCommitPrefetchTest {
    private Database db;
    private final List<List<Object>> prefetched = new CopyOnWriteArrayList<>();
    private final List<String> order = new CopyOnWriteArrayList<>();
    private GroupCommit<Void> writes;

    @BeforeEach
    void open() {
        db = Database.open(AtlasConfig.load(Map.of("ATLAS_DB_URL", "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1"), null));
        writes = new GroupCommit<>(db, em -> null, e -> false, 64, java.time.Duration.ZERO, (em, keys) -> {
            prefetched.add(List.copyOf(keys));
            order.add("prefetch");
        });
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void theKeysOfASharedTransactionArePrefetchedOnceBeforeItsUnits() throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(5);
        try {
            Future<String> first = pool.submit(() -> writes.submit("lone", (em, c) -> {
                holding.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                order.add("lone");
                return "lone";
            }, r -> { }));
            assertTrue(holding.await(10, TimeUnit.SECONDS));
            List<Future<String>> batch = new ArrayList<>();
            Object[] keys = {1L, 2L, 2L, null};
            for (Object key : keys) {
                String name = "unit-" + key;
                batch.add(pool.submit(() -> writes.submit(key, (em, c) -> {
                    order.add(name);
                    return name;
                }, r -> { })));
            }
            assertTrue(writes.awaitQueued(keys.length, java.time.Duration.ofSeconds(30)),
                    "queued: " + writes.queued());
            release.countDown();
            assertEquals("lone", first.get(10, TimeUnit.SECONDS));
            for (Future<String> f : batch) {
                f.get(10, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, prefetched.size(), "one prefetch, for the shared transaction only: " + prefetched);
        assertEquals(Set.of(1L, 2L), new HashSet<>(prefetched.get(0)));
        assertEquals(2, prefetched.get(0).size(), "distinct keys, no null");
        assertEquals("lone", order.get(0));
        assertEquals("prefetch", order.get(1), "before the shared transaction's units: " + order);
        assertEquals(6, order.size());
    }
}
