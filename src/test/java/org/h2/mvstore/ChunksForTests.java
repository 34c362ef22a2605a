package org.h2.mvstore;

import java.util.Map;
import java.util.TreeMap;

/**
 * Test-only window on what H2 keeps package-private: each chunk's live bytes and fill rate, so that a test can tell
 * which chunks a housekeeping round rewrote (in this package for that reason only; nothing in Atlas's own code is).
 */
public final class ChunksForTests {
    private ChunksForTests() {
    }

    /** A chunk's live bytes, and the percent of its bytes still live (H2's own figure). */
    public record Figures(long liveBytes, int fillRate) {
    }

    /** Chunk id → its figures, for every chunk the store knows of. */
    public static Map<Integer, Figures> chunks(MVStore store) {
        Map<Integer, Figures> chunks = new TreeMap<>();
        for (Chunk<?> c : store.getFileStore().chunks.values()) {
            chunks.put(c.id, new Figures(c.maxLenLive, c.getFillRate()));
        }
        return chunks;
    }
}
