package dev.atlas.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Who may keep a read cache on PostgreSQL: the one node alone on the database, as PostgreSQL's advisory locks decide.
 * A node answering reads from memory must know of every write the moment it is acknowledged, and it hears of another
 * node's writes only after that node answered; so a node caches only while no other node can write.
 *
 * <p><b>The lock.</b> Each node holds the session-level advisory lock (a key per schema, {@link #CACHE}) on a connection of
 * its own: exclusively while it is alone (it then may cache), shared otherwise. A node that starts while another holds it
 * exclusively sends {@code NOTIFY} on the join channel, again every {@link #JOIN_NOTIFY_MS} ms while it waits, and
 * tries for the lock shared; the holder hears it, stops answering from its cache and empties it, then takes the lock
 * shared and lets go of the exclusive hold (its own session's holds never conflict). A node that holds it shared tries
 * every {@link #UPGRADE_EVERY_MS} ms for it exclusively too, and gets it when the others have gone.
 *
 * <p><b>The write fence.</b> Every write transaction, on every node whatever its own setting, first runs {@link #fenceSql}
 * (in the statement that locks the event sequence row: {@link #pass}): it takes the lock shared for the transaction
 * ({@code pg_try_advisory_xact_lock_shared}), which fails while another node holds it exclusively and keeps any node from
 * taking it exclusively until the commit; or it finds its own node's session holding it exclusively. Else the write is
 * refused with a 503 before it changed anything. So no write commits on another node while one node caches.
 *
 * <p>Its own node's session is recognized by a token: each lease session holds, for its whole life, the advisory lock
 * ({@code token key}, its backend pid) exclusively, and it holds the cache lock (shared or exclusively) whenever its node
 * may write (a node writes only while its lease is published, which is after the lock was taken). A write transaction
 * that could not take the cache lock shared tries the token of its node's session shared: that fails exactly while the
 * session holds it. A look at {@code pg_locks} did the same for 65 µs a transaction inside the serialized write section
 * (docs/benchmarks.md, twenty-second session); the lock manager's conflict check takes a few microseconds.
 *
 * <p>The fence also takes a second key ({@link #BARRIER}) shared;
 * a node that just took the lock exclusively takes that key exclusively once and lets go ("barrier"), which waits for
 * every write transaction that passed its fence before, and only then starts its cache, from empty.
 *
 * <p><b>Time: a lost session.</b> A node's lock lives with its session: when the connection dies, PostgreSQL lets go of
 * the lock before the node knows. So each node proves its session with a statement every {@link #HEARTBEAT_MS} ms, and
 * counts the lease as held only for {@link #VALID_NANOS} after the last statement that succeeded was sent: a caching node
 * answers from its cache only then, and a writing node writes only then (checked after its fence statement). A node that
 * took the lock (at start, after a lost session, or exclusively) waits {@link #GRACE_NANOS} (more than that validity)
 * before it first writes or starts its cache: by then a node whose session died unnoticed has stopped answering from its
 * cache and stopped writing. Durations only, measured on each node's own monotonic clock; no clocks are compared.
 *
 * <p>Threading: one thread of its own owns the connection; {@link #pass}, {@link #servable} from any thread.
 */
public final class CacheLease implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(CacheLease.class.getName());

    /**
     * The first key of the two advisory locks, per schema: advisory locks and channels are database-wide, and two
     * Atlas installations in two schemas of one database are not nodes of one another.
     */
    static final String KEY_SQL = "SELECT hashtext('atlas-cache-lease:' || current_schema())";
    /** The first key of the lease sessions' tokens, per schema (the second is the session's backend pid). */
    static final String TOKEN_KEY_SQL = "SELECT hashtext('atlas-cache-token:' || current_schema())";
    /** The second key of the lock that decides who caches. */
    public static final int CACHE = 1;
    /** The second key of the barrier every write transaction takes shared. */
    public static final int BARRIER = 2;

    static final long HEARTBEAT_MS = 250;
    static final long VALID_NANOS = TimeUnit.MILLISECONDS.toNanos(1_000);
    static final long GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(1_500);
    static final long UPGRADE_EVERY_MS = 2_000;
    /** After another node asked to join, no exclusive hold is tried for this long (let it in first). */
    static final long JOIN_HOLD_OFF_NANOS = TimeUnit.SECONDS.toNanos(5);
    static final long JOIN_NOTIFY_MS = 250;
    static final long JOIN_TRY_MS = 50;
    /** How long a write waits for this node's lease (at start, after a lost session) before it is refused with 503. */
    static final long WRITE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final int NETWORK_TIMEOUT_MS = 5_000;
    private static final long MAX_BACKOFF_MS = 2_000;

    /**
     * The write fence for the schema's {@code key} and {@code tokenKey} (see the class comment): one row, one boolean
     * column; its parameter is this node's lease session's backend pid. The barrier is taken in a subquery that {@code
     * OFFSET 0} keeps from being merged into the outer one, so before the checks. The token is tried only when the cache
     * lock could not be taken shared ({@code OR} evaluates its operands in order and stops at the first true); when
     * the session does not hold it, the try takes it shared, and the write is refused.
     */
    static String fenceSql(int key, int tokenKey) {
        return "SELECT pg_try_advisory_xact_lock_shared(" + key + ", " + CACHE + ")"
                + " OR NOT pg_try_advisory_xact_lock_shared(" + tokenKey + ", ?)"
                + " FROM (SELECT pg_advisory_xact_lock_shared(" + key + ", " + BARRIER + ") OFFSET 0) AS barrier";
    }

    /** The channel a node waiting for the schema's lock notifies. */
    static String joinChannel(int key) {
        return "atlas_cache_join_" + Integer.toHexString(key);
    }

    /** What the cache of this node is told. */
    public interface Holder {
        /**
         * This node just took the lock exclusively, before its barrier: writes fenced from now on belong to the coming
         * cache; the ones before committed before the cache starts.
         */
        void epochStarts();

        /** From now on it may keep and answer tasks; it starts empty. */
        void cacheOn();

        /** It must stop answering and forget everything, before this returns. */
        void cacheOff();
    }

    private static final Holder NO_HOLDER = new Holder() {
        @Override
        public void epochStarts() {
        }

        @Override
        public void cacheOn() {
        }

        @Override
        public void cacheOff() {
        }
    };

    /**
     * One lease session as the lease thread last published it. {@code pid} 0: no lease. Times are {@link System#nanoTime}.
     */
    record State(int pid, long writableFrom, boolean exclusive, long serveFrom) {
        static final State NONE = new State(0, 0, false, 0);
    }

    /** Set by the lease thread before it first publishes a lease. */
    private volatile int key;
    private volatile String fence;

    private final Database db;
    private final boolean mayCache;
    private final int cacheSize;
    private volatile Holder holder = NO_HOLDER;
    private volatile State state = State.NONE;
    /** When the last statement that proved the current session alive was sent. */
    private volatile long lastProof;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private volatile boolean stopping;
    private volatile Connection connection;
    private Thread thread;
    private final java.util.concurrent.atomic.LongAdder refusals = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder handovers = new java.util.concurrent.atomic.LongAdder();

    // Owned by the lease thread.
    private boolean holdsShared;
    private boolean cacheOnDone;
    private long lastJoinSeen = System.nanoTime() - JOIN_HOLD_OFF_NANOS;
    private long lastUpgradeTry;

    /**
     * @param mayCache  whether this node may ever hold the lock exclusively ({@code ATLAS_READ_CACHE=auto}); either way
     *                  it takes part, so that other nodes' caches stay correct
     * @param cacheSize the most tasks this node's cache may hold (for its owner)
     */
    CacheLease(Database db, boolean mayCache, int cacheSize) {
        this.db = db;
        this.mayCache = mayCache;
        this.cacheSize = cacheSize;
        this.lastProof = System.nanoTime() - 2 * VALID_NANOS; // nothing proven yet
    }

    /** Starts the lease thread and waits up to {@code waitMillis} for the first lock, shared or exclusive. */
    void start(long waitMillis) {
        thread = new Thread(this::run, "atlas-cache-lease");
        thread.setDaemon(true);
        thread.start();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        lock.lock();
        try {
            for (long left = deadline - System.nanoTime(); state.pid() == 0 && left > 0; left = deadline - System.nanoTime()) {
                changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    public boolean mayCache() {
        return mayCache;
    }

    public int cacheSize() {
        return cacheSize;
    }

    /** The cache this lease turns on and off; one per node. */
    public void holder(Holder h) {
        holder = h == null ? NO_HOLDER : h;
    }

    /** Whether this node holds the lock exclusively, its start wait is over, and its session was proven within the validity. */
    public boolean servable() {
        State s = state;
        if (!s.exclusive()) {
            return false;
        }
        long now = System.nanoTime();
        return now - s.serveFrom() >= 0 && now - lastProof < VALID_NANOS;
    }

    /** Whether this node may write now without waiting for its lease (health). */
    public boolean writable() {
        return writable(state, System.nanoTime());
    }

    /** 0: no lease; 1: shared; 2: exclusive (this node may cache). */
    public int mode() {
        State s = state;
        return s.pid() == 0 ? 0 : s.exclusive() ? 2 : 1;
    }

    /** The backend pid of this node's lease session, 0 while it has none (diagnostics, tests). */
    public int sessionPid() {
        return state.pid();
    }

    /** Writes refused because this node's lease could not be confirmed. */
    public long refusals() {
        return refusals.sum();
    }

    /** Times this node gave up its exclusive hold because another node asked to join. */
    public long handovers() {
        return handovers.sum();
    }

    private boolean writable(State s, long now) {
        return s.pid() != 0 && now - s.writableFrom() >= 0 && now - lastProof < VALID_NANOS;
    }

    /**
     * The write fence, for a write transaction's first statement ({@code EventLog.begin}, which runs it with the event
     * sequence's lock): waits up to {@link #WRITE_WAIT_NANOS} for this node's lease (at start, after a lost session), and
     * answers the query to run ({@link Pass#query}, {@link #fenceSql}) and what to do with its answer ({@link
     * Pass#verify}, which throws an exception that {@link Database#isUnavailable} recognizes, a 503, when the lease
     * cannot be confirmed; the transaction has then changed nothing).
     */
    public Pass pass() {
        return new Pass(awaitWritable(System.nanoTime() + WRITE_WAIT_NANOS));
    }

    /** One write transaction's pass through the fence: see {@link #pass}. */
    public final class Pass {
        private final State s;

        private Pass(State s) {
            this.s = s;
        }

        /** The fence ({@link #fenceSql}): one row, one boolean column (whether the write may go on), one parameter. */
        public String query() {
            return fence;
        }

        /** Binds the query's parameter at {@code index}. */
        public void bind(PreparedStatement ps, int index) throws SQLException {
            ps.setInt(index, s.pid());
        }

        /**
         * Whether this node held the lock exclusively when the pass was taken: it was alone on the database, and a node
         * that has started since is at most waiting for the hand-over (it notifies on the join channel every {@link
         * #JOIN_NOTIFY_MS} ms, and this node hands over when it hears it).
         */
        public boolean alone() {
            return s.exclusive();
        }

        /** Throws an exception that {@link Database#isUnavailable} recognizes (a 503) unless the write may go on. */
        public void verify(boolean allowed) {
            if (!allowed) {
                refusals.increment();
                throw new LeaseException("Another node holds the cache lock exclusively: this node's lease session was "
                        + "lost; the write is refused until it is back");
            }
            State now = state; // the same session (a hand-over or an upgrade since changes nothing for a write)
            if (now.pid() != s.pid() || !writable(now, System.nanoTime())) {
                refusals.increment();
                throw new LeaseException("This node's lease session could not be confirmed within "
                        + TimeUnit.NANOSECONDS.toMillis(VALID_NANOS) + " ms; the write is refused");
            }
        }
    }

    private State awaitWritable(long deadline) {
        lock.lock();
        try {
            while (true) {
                State s = state;
                long now = System.nanoTime();
                if (writable(s, now)) {
                    return s;
                }
                long left = deadline - now;
                if (left <= 0 || stopping) {
                    refusals.increment();
                    throw new LeaseException("This node has no confirmed lease on the database (it is starting, or its "
                            + "lease connection was lost); the write is refused");
                }
                long untilWritable = s.pid() != 0 && s.writableFrom() - now > 0 ? s.writableFrom() - now : left;
                changed.awaitNanos(Math.min(left, Math.max(untilWritable, TimeUnit.MILLISECONDS.toNanos(1))));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LeaseException("Interrupted while waiting for this node's lease");
        } finally {
            lock.unlock();
        }
    }

    private void publish(State s) {
        lock.lock();
        try {
            state = s;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        long backoff = 100;
        boolean outage = false;
        while (!stopping) {
            try (Connection c = db.openDedicated("atlas-cache-lease")) {
                connection = c;
                c.setNetworkTimeout(Runnable::run, NETWORK_TIMEOUT_MS);
                int pid;
                int tokenKey;
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                        "SELECT (" + KEY_SQL + "), (" + TOKEN_KEY_SQL + "), pg_backend_pid()")) {
                    rs.next();
                    key = rs.getInt(1);
                    tokenKey = rs.getInt(2);
                    pid = rs.getInt(3);
                    fence = fenceSql(key, tokenKey);
                }
                try (Statement st = c.createStatement()) {
                    // The token, before the cache lock. A write transaction of a node whose session had this pid
                    // before may hold it shared for a moment (it is being refused): this waits for it.
                    st.execute("SELECT pg_advisory_lock(" + tokenKey + ", " + pid + ")");
                }
                try (Statement st = c.createStatement()) {
                    st.execute("LISTEN " + joinChannel(key));
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                acquire(c, pg, pid);
                if (outage) {
                    outage = false;
                    LOG.info("Cache lease connected again");
                }
                backoff = 100;
                hold(c, pg, pid);
            } catch (SQLException | RuntimeException e) {
                lose();
                if (stopping) {
                    break;
                }
                if (!outage) {
                    outage = true;
                    LOG.log(Level.WARNING, "Cache lease lost its connection: this node answers reads from the database and "
                            + "waits for the lease before it writes again", e);
                }
                pause(ThreadLocalRandom.current().nextLong(backoff / 2, backoff + 1));
                backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
            }
        }
        lose();
    }

    /** Takes the lock, exclusively if it may and can, else shared once no other node holds it exclusively. */
    private void acquire(Connection c, PGConnection pg, int pid) throws SQLException {
        holdsShared = false;
        long lastNotify = 0;
        boolean notified = false;
        while (!stopping) {
            long sent = System.nanoTime();
            if (mayCache && sent - lastJoinSeen > JOIN_HOLD_OFF_NANOS && bool(c, "SELECT pg_try_advisory_lock(" + key + ", " + CACHE + ")")) {
                becameExclusive(c, pid, sent, true);
                return;
            }
            sent = System.nanoTime();
            if (bool(c, "SELECT pg_try_advisory_lock_shared(" + key + ", " + CACHE + ")")) {
                holdsShared = true;
                lastProof = sent;
                long now = System.nanoTime();
                publish(new State(pid, now + GRACE_NANOS, false, 0));
                return;
            }
            if (!notified || System.nanoTime() - lastNotify >= TimeUnit.MILLISECONDS.toNanos(JOIN_NOTIFY_MS)) {
                try (Statement st = c.createStatement()) {
                    st.execute("NOTIFY " + joinChannel(key));
                }
                notified = true;
                lastNotify = System.nanoTime();
            }
            // the wait between tries; a join notice of a third node meanwhile is noted
            noteJoins(pg.getNotifications((int) JOIN_TRY_MS), pid);
        }
    }

    /** After taking the lock exclusively: the barrier, then the lease, writable and servable after the grace. */
    private void becameExclusive(Connection c, int pid, long sent, boolean fresh) throws SQLException {
        holder.epochStarts();
        try (Statement st = c.createStatement()) {
            st.execute("SELECT pg_advisory_lock(" + key + ", " + BARRIER + ")");
            st.execute("SELECT pg_advisory_unlock(" + key + ", " + BARRIER + ")");
        }
        lastProof = sent;
        cacheOnDone = false;
        long now = System.nanoTime();
        State before = state;
        // Shared already held continuously (an upgrade): writes go on; else (first hold of a session) after the grace.
        long writableFrom = fresh ? now + GRACE_NANOS : before.writableFrom();
        publish(new State(pid, writableFrom, true, now + GRACE_NANOS));
        LOG.info(fresh ? "Cache lease: this node is alone on the database; its read cache starts in "
                + TimeUnit.NANOSECONDS.toMillis(GRACE_NANOS) + " ms"
                : "Cache lease: the other nodes have gone; this node's read cache starts again in "
                + TimeUnit.NANOSECONDS.toMillis(GRACE_NANOS) + " ms");
    }

    /** Holds the lease: heartbeats, hands over on a join notice, tries for the exclusive hold when it may. */
    private void hold(Connection c, PGConnection pg, int pid) throws SQLException {
        lastUpgradeTry = System.nanoTime();
        while (!stopping) {
            if (noteJoins(pg.getNotifications((int) HEARTBEAT_MS), pid) && state.exclusive()) {
                handOver(c);
            }
            long sent = System.nanoTime();
            try (Statement st = c.createStatement()) {
                st.execute("SELECT 1");
            }
            lastProof = sent;
            State s = state;
            long now = System.nanoTime();
            if (s.exclusive() && !cacheOnDone && now - s.serveFrom() >= 0) {
                holder.cacheOn();
                cacheOnDone = true;
            }
            if (!s.exclusive() && mayCache && now - lastJoinSeen > JOIN_HOLD_OFF_NANOS
                    && now - lastUpgradeTry >= TimeUnit.MILLISECONDS.toNanos(UPGRADE_EVERY_MS)) {
                lastUpgradeTry = now;
                sent = System.nanoTime();
                if (bool(c, "SELECT pg_try_advisory_lock(" + key + ", " + CACHE + ")")) {
                    becameExclusive(c, pid, sent, false);
                }
            }
        }
    }

    /** Whether {@code got} holds a join notice of another session; notes when. */
    private boolean noteJoins(PGNotification[] got, int pid) {
        boolean joined = false;
        if (got != null) {
            for (PGNotification n : got) {
                if (n.getPID() != pid) {
                    joined = true;
                }
            }
        }
        if (joined) {
            lastJoinSeen = System.nanoTime();
        }
        return joined;
    }

    /** Another node waits: stop answering from the cache and empty it, then hold the lock shared only. */
    private void handOver(Connection c) throws SQLException {
        State s = state;
        publish(new State(s.pid(), s.writableFrom(), false, 0));
        holder.cacheOff();
        try (Statement st = c.createStatement()) {
            if (!holdsShared) {
                st.execute("SELECT pg_advisory_lock_shared(" + key + ", " + CACHE + ")"); // own session: granted at once
                holdsShared = true;
            }
            st.execute("SELECT pg_advisory_unlock(" + key + ", " + CACHE + ")");
        }
        handovers.increment();
        LOG.info("Cache lease: another node joined; this node's read cache is off while it is not alone");
    }

    private void lose() {
        publish(State.NONE);
        holdsShared = false;
        holder.cacheOff();
    }

    private static boolean bool(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    /**
     * The backoff between reconnect attempts, on the lease thread: a wait on the lease's condition, which {@link #close}
     * signals (it sets {@code stopping}, then publishes), so that a stop does not wait out the backoff.
     */
    private void pause(long ms) {
        lock.lock();
        try {
            for (long left = TimeUnit.MILLISECONDS.toNanos(ms); left > 0 && !stopping; ) {
                left = changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping = true;
        } finally {
            lock.unlock();
        }
    }

    /** Ends the lease: the cache off first, then the session (PostgreSQL lets go of its locks with it). */
    @Override
    public void close() {
        stopping = true;
        publish(State.NONE);
        holder.cacheOff();
        Database.stopDedicated(connection, thread, "cache lease");
    }

    /** A write refused because this node's lease could not be confirmed: a 503, like an unreachable database. */
    public static final class LeaseException extends RuntimeException {
        LeaseException(String message) {
            super(message, new SQLTransientConnectionException(message, "08006"));
        }
    }
}
