package dev.atlas.push;

import dev.atlas.config.AtlasConfig;
import dev.atlas.config.Setting;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The open client sessions of this node, across transports, split into {@link #shards()} shares of
 * about equal size (round robin as they register) so that several sender threads can each write an event
 * to their own share. Thread-safe: concurrent maps; adding and removing are idempotent.
 */
@ApplicationScoped
public class SessionRegistry {
    /** Upper bound of {@code ATLAS_PUSH_SENDERS=0}: beyond it the kernel's socket writes dominate. */
    static final int MAX_AUTO_SENDERS = 4;

    @Inject
    AtlasConfig config;

    private Map<String, PushSession>[] shards = newShards(1);
    private final AtomicInteger next = new AtomicInteger();

    @PostConstruct
    void init() {
        shards = newShards(senders(config.getInt(Setting.PUSH_SENDERS), Runtime.getRuntime().availableProcessors()));
    }

    /**
     * The number of sender threads for a setting. {@code 0}: one per two cores, at least one, at most
     * {@link #MAX_AUTO_SENDERS}: a sender keeps a core busy for the whole of an event's fanout, so a sender per
     * core would leave REST requests (and, in the benchmark, the clients) without one. Measured on 2 cores: a
     * second sender helped only at saturation and made 1,000 x 20/s and 10,000 x 2/s slower (benchmarks.md).
     */
    static int senders(int setting, int cores) {
        if (setting < 0) {
            throw new dev.atlas.config.ConfigException("ATLAS_PUSH_SENDERS must be 0 (automatic) or more, got " + setting);
        }
        return setting > 0 ? setting : Math.max(1, Math.min(cores / 2, MAX_AUTO_SENDERS));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, PushSession>[] newShards(int n) {
        Map<String, PushSession>[] s = new Map[n];
        for (int i = 0; i < n; i++) {
            s[i] = new ConcurrentHashMap<>();
        }
        return s;
    }

    /** Adds the session to the next share (round robin); adding it again changes nothing. */
    public void add(PushSession s) {
        for (Map<String, PushSession> shard : shards) {
            if (shard.containsKey(s.id())) {
                return;
            }
        }
        shards[Math.floorMod(next.getAndIncrement(), shards.length)].put(s.id(), s);
    }

    /** Removes the session if present; removing twice is harmless. */
    public void remove(String sessionId) {
        for (Map<String, PushSession> shard : shards) {
            if (shard.remove(sessionId) != null) {
                return;
            }
        }
    }

    public int size() {
        int n = 0;
        for (Map<String, PushSession> shard : shards) {
            n += shard.size();
        }
        return n;
    }

    /** How many shares the sessions are split into (the number of sender threads). */
    public int shards() {
        return shards.length;
    }

    /** A live view of one share, for iteration by its sender; entries may come and go while it iterates. */
    Collection<PushSession> shard(int i) {
        return shards[i].values();
    }

    /** Every open session, one share after the other; entries may come and go while it iterates. */
    public Iterable<PushSession> all() {
        return () -> java.util.Arrays.stream(shards).flatMap(m -> m.values().stream()).iterator();
    }

    /** Open sessions counted by the role of who is connected ({@code admin}, {@code agent}), sorted. */
    public Map<String, Integer> countByRole() {
        Map<String, Integer> counts = new TreeMap<>();
        for (PushSession s : all()) {
            dev.atlas.security.Principal p = s.viewer();
            counts.merge(p == null ? "unauthenticated" : p.role().claim(), 1, Integer::sum);
        }
        return counts;
    }

    /** Open sessions counted by transport name, sorted by name. */
    public Map<String, Integer> countByTransport() {
        Map<String, Integer> counts = new TreeMap<>();
        for (PushSession s : all()) {
            counts.merge(s.transport(), 1, Integer::sum);
        }
        return counts;
    }
}
