package dev.atlas.push;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open client sessions of this node, across transports. Thread-safe: a concurrent map; adding and
 * removing are idempotent.
 */
@ApplicationScoped
public class SessionRegistry {
    private final Map<String, PushSession> sessions = new ConcurrentHashMap<>();

    public void add(PushSession s) {
        sessions.put(s.id(), s);
    }

    /** Removes the session if present; removing twice is harmless. */
    public void remove(String sessionId) {
        sessions.remove(sessionId);
    }

    public int size() {
        return sessions.size();
    }

    /** A live view, for iteration by the dispatcher; entries may come and go while it iterates. */
    public Collection<PushSession> all() {
        return sessions.values();
    }

    /** Open sessions counted by the role of who is connected ({@code admin}, {@code agent}), sorted. */
    public Map<String, Integer> countByRole() {
        Map<String, Integer> counts = new TreeMap<>();
        for (PushSession s : sessions.values()) {
            dev.atlas.security.Principal p = s.viewer();
            counts.merge(p == null ? "unauthenticated" : p.role().claim(), 1, Integer::sum);
        }
        return counts;
    }

    /** Open sessions counted by transport name, sorted by name. */
    public Map<String, Integer> countByTransport() {
        Map<String, Integer> counts = new TreeMap<>();
        for (PushSession s : sessions.values()) {
            counts.merge(s.transport(), 1, Integer::sum);
        }
        return counts;
    }
}
