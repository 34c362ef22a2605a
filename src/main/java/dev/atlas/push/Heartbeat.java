package dev.atlas.push;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;

/**
 * The one heartbeat policy of the push endpoints: a member is pinged once {@code interval} has passed since it
 * joined or last answered, and closed when its answer has not come within {@code timeout} of the ping — a dead
 * peer (a phone that lost its network sends no FIN) leaves, and proxies see traffic on quiet connections. {@code /ws}
 * pings with WebSocket ping frames ({@code ATLAS_WS_PING_INTERVAL_SECONDS}, the answer due by the next round),
 * Socket.IO with Engine.IO ping packets ({@code pingInterval}, {@code pingTimeout}).
 *
 * <p>One sweep on the push timer looks at every member a few times per period, which costs nothing per message and
 * no timer task per session. Thread-safe.
 */
public final class Heartbeat {
    /** What the heartbeat asks of a member. Called on the timer thread: must not block. */
    public interface Peer {
        /** Sends a ping; false when it was not sent (the peer is busy), so it is tried again at the next sweep. */
        boolean ping();

        /** No answer in time: close the connection. */
        void timedOut();
    }

    /** One connection's heartbeat state; {@link #answered} when its pong comes. */
    public static final class Member {
        private final Peer peer;
        private volatile long pingSentAt;
        private volatile long lastAnswerAt = System.nanoTime();

        private Member(Peer peer) {
            this.peer = peer;
        }

        /**
         * The peer answered (a pong): the next ping is due one interval from now. Returns whether a ping was
         * waiting for it (false: the pong was not asked for, and counts as a client message).
         */
        public boolean answered() {
            boolean solicited = pingSentAt != 0;
            lastAnswerAt = System.nanoTime();
            pingSentAt = 0;
            return solicited;
        }
    }

    private final long intervalNanos;
    private final long timeoutNanos;
    private final Set<Member> members = ConcurrentHashMap.newKeySet();
    private final ScheduledFuture<?> sweep;

    /** A heartbeat; a zero {@code interval} turns it off (members join, nothing happens). */
    public Heartbeat(Duration interval, Duration timeout, PushThreads threads) {
        this.intervalNanos = interval.toNanos();
        this.timeoutNanos = timeout.toNanos();
        if (interval.isZero()) {
            sweep = null;
        } else {
            long period = Math.max(10, Math.min(1000, Math.min(interval.toMillis(), timeout.toMillis()) / 10));
            sweep = threads.every(this::sweep, Duration.ofMillis(period));
        }
    }

    public Member join(Peer peer) {
        Member m = new Member(peer);
        members.add(m);
        return m;
    }

    public void leave(Member m) {
        if (m != null) {
            members.remove(m);
        }
    }

    void sweep() {
        long now = System.nanoTime();
        for (Member m : members) {
            long sent = m.pingSentAt;
            if (sent != 0) {
                if (now - sent > timeoutNanos) {
                    members.remove(m);
                    m.peer.timedOut();
                }
            } else if (now - m.lastAnswerAt >= intervalNanos) {
                m.pingSentAt = now == 0 ? 1 : now; // before the ping: its pong may come back before ping() returns
                if (!m.peer.ping()) {
                    m.pingSentAt = 0;
                }
            }
        }
    }

    /** Stops the sweep (the application stops). */
    public void stop() {
        if (sweep != null) {
            sweep.cancel(false);
        }
    }
}
