package org.h2.mvstore;

import java.util.Map;
import java.util.TreeMap;

/**
 * Test-only window on what H2 keeps package-private: each chunk's live bytes, so that a test can tell which chunks a
 * housekeeping round rewrote (in this package for that reason only; nothing in Atlas's own code is).
 */
public final class ChunksForTests {
    private ChunksForTests() {
    }

    /** Chunk id → live bytes, for every chunk the store knows of. */
    public static Map<Integer, Long> liveBytes(MVStore store) {
        Map<Integer, Long> live = new TreeMap<>();
        for (Chunk<?> c : store.getFileStore().chunks.values()) {
            live.put(c.id, c.maxLenLive);
        }
        return live;
    }

    /** Chunk id → percent of the chunk's bytes still live (H2's own figure). */
    public static Map<Integer, Integer> fillRates(MVStore store) {
        Map<Integer, Integer> fill = new TreeMap<>();
        for (Chunk<?> c : store.getFileStore().chunks.values()) {
            fill.put(c.id, c.getFillRate());
        }
        return fill;
    }
}
