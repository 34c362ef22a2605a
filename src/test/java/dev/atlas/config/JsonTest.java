package dev.atlas.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.util.BufferRecycler;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JsonTest {

    /**
     * Runs {@code task} on a thread of its own, as the embedded server runs each request on Java 24+ (a new virtual
     * thread), and waits for it. Jackson's default pool keys on the thread, so a new platform thread shows the same
     * thing (and compiles on Java 17).
     */
    private static void onANewThread(Runnable task) throws InterruptedException {
        Thread t = new Thread(task);
        t.start();
        t.join();
    }

    @Test
    void writesOnOneNewThreadAfterAnotherShareTheirBuffers() throws Exception {
        ObjectMapper mapper = Json.mapper().build();
        assertSame(Json.pool(), mapper.getFactory()._getRecyclerPool());
        onANewThread(() -> write(mapper)); // at least one set in the pool from here on
        int pooled = Json.pool().pooledCount();
        assertTrue(pooled >= 1, "a write hands its buffers back to the pool: " + pooled);

        Set<BufferRecycler> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < 100; i++) {
            onANewThread(() -> {
                write(mapper);
                BufferRecycler r = mapper.getFactory()._getBufferRecycler();
                seen.add(r);
                r.releaseToPool();
            });
        }
        // One thread after another: each takes a set from the pool and returns it. Jackson's default pool would have
        // made 100 sets here, one per thread.
        assertTrue(seen.size() <= pooled + 1, "buffer sets made for 100 threads: " + seen.size());
    }

    @Test
    void thePoolKeepsAtMostItsCapacityAndDropsTheRest() {
        List<BufferRecycler> out = new ArrayList<>();
        for (int i = 0; i < Json.POOLED_BUFFER_SETS + 36; i++) {
            out.add(Json.factory()._getBufferRecycler()); // all out at once: the pool runs dry and new sets are made
        }
        assertEquals(Json.POOLED_BUFFER_SETS + 36, out.stream().distinct().count());
        out.forEach(BufferRecycler::releaseToPool);
        assertEquals(Json.POOLED_BUFFER_SETS, Json.pool().pooledCount());
    }

    @Test
    void eachFactoryKeepsItsOwnFeaturesOnlyThePoolIsShared() throws Exception {
        ObjectMapper strict = Json.mapper().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
        ObjectMapper lenient = Json.mapper().build();
        String twice = "{\"a\":1,\"a\":2}";

        assertThrows(StreamReadException.class, () -> strict.readTree(twice));
        assertEquals(2, lenient.readTree(twice).get("a").asInt());
        assertSame(strict.getFactory()._getRecyclerPool(), lenient.getFactory()._getRecyclerPool());
    }

    private static void write(ObjectMapper mapper) {
        try {
            assertEquals("{\"k\":\"v\"}", mapper.writeValueAsString(Map.of("k", "v")));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
