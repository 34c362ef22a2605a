package dev.atlas.security;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests per minute per key (a token, or a client IP), in fixed one-minute windows. A fixed window is
 * enough here: the limit guards against runaway clients, not precise quotas, and it needs one small entry
 * per active key (a token-bucket library would add a dependency for no gain). Old windows are dropped as
 * keys come back, and {@link #evictIdle} clears keys that stopped. Thread-safe.
 */
public final class RateLimiter {
    private final int perMinute;
    private final ConcurrentHashMap<String, long[]> windows = new ConcurrentHashMap<>();

    /** {@code perMinute} 0 or less: no limit. */
    public RateLimiter(int perMinute) {
        this.perMinute = perMinute;
    }

    /**
     * Counts one request; returns 0 when it is allowed, otherwise the seconds until the key's window ends
     * (the {@code Retry-After}).
     */
    public long acquire(String key, long nowMillis) {
        if (perMinute <= 0) {
            return 0;
        }
        long window = nowMillis / 60_000;
        long[] w = windows.compute(key, (k, old) -> {
            if (old == null || old[0] != window) {
                return new long[] {window, 1};
            }
            old[1]++;
            return old;
        });
        if (w[1] <= perMinute) {
            return 0;
        }
        return Math.max(1, ((window + 1) * 60_000 - nowMillis + 999) / 1000);
    }

    /** Drops keys whose window is over. */
    public void evictIdle(long nowMillis) {
        long window = nowMillis / 60_000;
        windows.values().removeIf(w -> w[0] < window);
    }

    public boolean enabled() {
        return perMinute > 0;
    }
}
