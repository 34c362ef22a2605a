package dev.atlas.security;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Concurrent push connections per client IP, across {@code /ws} and {@code /socket.io/}. A connection
 * takes a slot at the handshake and gives it back exactly once when it ends. Thread-safe.
 */
public final class ConnectionLimiter {
    private final int max;
    private final ConcurrentHashMap<String, Integer> open = new ConcurrentHashMap<>();

    public ConnectionLimiter(int max) {
        this.max = max;
    }

    /** Takes a slot for this IP; false when it already has the maximum. */
    public boolean tryAcquire(String ip) {
        boolean[] ok = {false};
        open.compute(ip, (k, n) -> {
            int now = n == null ? 0 : n;
            if (now >= max) {
                return n;
            }
            ok[0] = true;
            return now + 1;
        });
        return ok[0];
    }

    public void release(String ip) {
        open.computeIfPresent(ip, (k, n) -> n <= 1 ? null : n - 1);
    }

    public int open(String ip) {
        return open.getOrDefault(ip, 0);
    }
}
