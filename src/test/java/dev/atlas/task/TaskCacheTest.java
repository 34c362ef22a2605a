package dev.atlas.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The read cache's rules, each with the race it closes (TaskCache's class comment). */
class TaskCacheTest {
    private final AtomicBoolean leaseOk = new AtomicBoolean(true);
    private final TaskCache cache = new TaskCache(1_000, leaseOk::get);

    private static TaskView view(long id, long version) {
        return new TaskView(id, "t" + version, null, "pending", null, "normal", null, "2026-12-07T00:00:00.000Z",
                "2026-12-07T00:00:00.000Z", null, null, version);
    }

    private long on() {
        cache.epochStarts();
        long epoch = cache.epoch();
        cache.cacheOn();
        return epoch;
    }

    @Test
    void offOrWithoutTheLeaseItIsNotUsed() {
        assertEquals(-1, cache.stamp(), "off until the lease turns it on");
        on();
        assertTrue(cache.stamp() >= 0);
        leaseOk.set(false);
        assertEquals(-1, cache.stamp(), "the lease unconfirmed: read the database");
        leaseOk.set(true);
        cache.cacheOff();
        assertEquals(-1, cache.stamp());
    }

    @Test
    void aReadThatMissedCannotPutAnOlderVersionBackOverAWrite() {
        long epoch = on();
        long stamp = cache.stamp();
        assertNull(cache.get(1)); // the read misses and reads version 1 from the database ...
        cache.putWritten(view(1, 2), epoch); // ... a write commits version 2 and puts it ...
        cache.putRead(view(1, 1), stamp); // ... then the read's put lands
        assertEquals(2, cache.get(1).view().version());
        cache.putRead(view(1, 3), cache.stamp());
        assertEquals(3, cache.get(1).view().version(), "a newer row read later replaces it");
    }

    @Test
    void aDeleteLeavesATombstoneNoPutReplaces() {
        long epoch = on();
        long stamp = cache.stamp();
        cache.putWritten(view(5, 4), epoch);
        cache.putDeleted(5, epoch);
        cache.putRead(view(5, 4), stamp);
        cache.putWritten(view(5, 9), epoch);
        assertTrue(cache.get(5).deleted());
    }

    @Test
    void aReadPutIsDroppedWhenTheCacheWasEmptiedSinceItsStamp() {
        on();
        long stamp = cache.stamp();
        cache.clear(); // a write of unknown outcome: the row this read saw may be older than what committed
        cache.putRead(view(2, 1), stamp);
        assertNull(cache.get(2));

        long stamp2 = cache.stamp();
        cache.cacheOff();
        on();
        cache.putRead(view(2, 1), stamp2);
        assertNull(cache.get(2), "read before the cache stopped and started again");
    }

    @Test
    void aReadPutIsDroppedAfterAnEviction() {
        TaskCache small = new TaskCache(4, () -> true);
        small.epochStarts();
        long epoch = small.epoch();
        small.cacheOn();
        long stamp = small.stamp();
        for (long id = 1; id <= 5; id++) { // the fifth passes the bound: a quarter and more goes
            small.putWritten(view(id, 1), epoch);
        }
        assertTrue(small.size() <= 4);
        assertTrue(small.evictions() > 0);
        small.putRead(view(9, 1), stamp);
        assertNull(small.get(9), "the read may have read its row before a write whose entry was evicted");
    }

    @Test
    void aWritePutIsDroppedWhenTheCacheStoppedSinceItsFence() {
        long epoch = on();
        cache.cacheOff(); // another node joined: it may write now
        on();
        cache.putWritten(view(3, 2), epoch); // a late put of a write fenced before: it committed before the cache started
        assertNull(cache.get(3));
    }

    @Test
    void aWriteFencedBetweenTheExclusiveHoldAndTheCacheStartKeepsItsPut() {
        cache.epochStarts(); // the lease took the lock exclusively; the cache starts after the barrier and the grace
        long epoch = cache.epoch(); // a write fenced now may commit after the cache started ...
        cache.cacheOn();
        long stamp = cache.stamp();
        cache.putRead(view(4, 1), stamp); // ... and a read of the cache's time may have read the row before it committed
        cache.putWritten(view(4, 2), epoch);
        assertEquals(2, cache.get(4).view().version(), "so the cache's start must not move the epoch");
    }

    @Test
    void nothingIsPutWhileOff() {
        long epoch = cache.epoch();
        cache.putWritten(view(6, 1), epoch);
        cache.putDeleted(7, epoch);
        assertEquals(0, cache.size());
    }

    @Test
    void hitsAndMissesAreCounted() {
        long epoch = on();
        cache.get(8);
        cache.putWritten(view(8, 1), epoch);
        cache.get(8);
        cache.get(8);
        assertEquals(1, cache.misses());
        assertEquals(2, cache.hits());
        assertNotEquals(0, cache.size());
    }
}
