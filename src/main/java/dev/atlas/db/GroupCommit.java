package dev.atlas.db;

import jakarta.persistence.EntityManager;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Group commit ("write combining"): concurrent write units are run one after another in ONE transaction that
 * commits once, instead of one transaction (and one WAL flush, one H2 chunk) each.
 *
 * <p><b>Who commits: leader/follower, not a dedicated thread.</b> A caller queues its unit. If no batch is
 * running and it is first in the queue, it becomes the leader: it takes everything pending (at most
 * {@code maxBatch}, itself first; see Gathering below), runs the batch on its own thread, completes every caller of the batch, then
 * wakes the next caller in the queue, who leads the next batch. The others wait. Why: a lone request runs its
 * own transaction on its own thread exactly as before (no hand-off to another thread, no waiting for a batch to
 * fill), and there is no thread to start, stop, leak from the web application or lose: every batch runs on a
 * request thread inside a {@code try}/{@code finally} that always completes its callers and passes leadership
 * on. The price is that a leader's own request also waits for the other units of its batch (at most
 * {@code maxBatch}).
 *
 * <p><b>Gathering.</b> When the previous batch had more than one unit, writes are concurrent: the next leader waits
 * up to {@code gather} (or until {@code maxBatch} are queued) before taking its batch, so that the units arriving
 * meanwhile share its commit (see {@link #gather()}). After a batch of one it takes what is there at once.
 *
 * <p><b>A batch</b> runs {@code begin} once (for Atlas: lock the {@code event_sequence} row), then each unit in
 * arrival order against the same EntityManager and context, then commits. After the commit each succeeded
 * unit's {@code afterCommit} runs in arrival order (for Atlas: publishing its events, whose ids increase in that
 * order), all inside the context's {@link AroundAfterCommits} if it has one, still before leadership passes on, so
 * this node publishes in commit order; then the callers return.
 *
 * <p><b>Failures.</b>
 * <ul>
 * <li>A unit that throws an exception {@code failsAlone} accepts fails alone and the batch goes on. The
 *     predicate must only accept exceptions that are thrown before the unit changed anything, in the persistence
 *     context or in the database (the owner of the units verifies that).</li>
 * <li>Any other failure (another exception from a unit, a flush or the commit) rolls the whole batch back and
 *     runs each of its units again in its own transaction, in arrival order ({@link #runAlone}, the path of a
 *     lone unit): each caller then gets exactly what its own transaction gives, and one bad unit neither fails
 *     nor changes the others. Nothing of the rolled-back batch ran {@code afterCommit}.</li>
 * <li>Except when the database cannot be reached ({@link Database#isUnavailable}, or
 *     {@link Database#mayBeUnavailable} and a failed ping): then every caller of the batch, and every caller
 *     still queued, gets that same exception at once. Re-running would wait a connection timeout per unit,
 *     and after a commit whose outcome is unknown it could apply a change twice.</li>
 * </ul>
 *
 * <p>Threading: {@link #submit} from any thread, concurrently. Must not be called from inside a unit (the unit
 * holds the batch's transaction); from {@code afterCommit} it runs the unit alone.
 *
 * @param <C> what {@code begin} gives every unit of a transaction (for Atlas: the event appender)
 */
public final class GroupCommit<C> {
    private static final Logger LOG = Logger.getLogger(GroupCommit.class.getName());

    /** One unit of write work, run inside a transaction with the transaction's context. */
    @FunctionalInterface
    public interface Unit<C, T> {
        T run(EntityManager em, C context);
    }

    /**
     * A context with work of its own at the end of each transaction, after every unit ran and before the commit,
     * once per transaction whatever the number of units (for Atlas: the one NOTIFY of the transaction's events).
     */
    public interface BeforeCommit {
        void beforeCommit();
    }

    private static void beforeCommit(Object context) {
        if (context instanceof BeforeCommit b) {
            b.beforeCommit();
        }
    }

    /**
     * A context that wraps the {@code afterCommit} calls of its transaction, once per transaction, all of them inside
     * (for Atlas: its events fired as one publication, so that the push dispatcher is woken once).
     */
    public interface AroundAfterCommits {
        /** Runs {@code afterCommits} (each unit's {@code afterCommit}, in order) once, and returns when it has. */
        void aroundAfterCommits(Runnable afterCommits);
    }

    /** Runs the afterCommits of a committed transaction, wrapped by its context if it asks to be. Never throws. */
    private static void afterCommits(Object context, Runnable afterCommits) {
        if (context instanceof AroundAfterCommits a) {
            try {
                a.aroundAfterCommits(afterCommits);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "After-commit work failed; the changes are committed", e);
            }
        } else {
            afterCommits.run();
        }
    }

    private final Database db;
    private final Function<EntityManager, C> begin;
    private final Predicate<RuntimeException> failsAlone;
    private final int maxBatch;
    private final long gatherNanos;
    private final java.util.function.BiConsumer<EntityManager, List<Object>> prefetch;

    private final ReentrantLock lock = new ReentrantLock();
    /** Callers whose unit no batch has taken yet, in arrival order. Guarded by {@link #lock}. */
    private final ArrayDeque<Waiter<C, ?>> queue = new ArrayDeque<>();
    /** Signalled whenever a caller joins the queue (for {@link #awaitQueued}). */
    private final Condition joined = lock.newCondition();
    /** Signalled when the queue is full while a leader gathers its batch ({@link #gather}). */
    private final Condition gathered = lock.newCondition();
    /** Whether the leader is gathering. Guarded by {@link #lock}. */
    private boolean gathering;
    /** Units in the last batch taken. Guarded by {@link #lock}. */
    private int lastBatch;
    /** Whether a leader is running a batch. Guarded by {@link #lock}. */
    private boolean leading;
    private boolean closed;
    /** The leader's thread while it runs a batch (nested submits from afterCommit run alone). */
    private volatile Thread leader;

    private final LongAdder transactions = new LongAdder();
    private final LongAdder units = new LongAdder();
    private final LongAdder fallbacks = new LongAdder();
    private final LongAccumulator largest = new LongAccumulator(Math::max, 0);
    /** Wall time leaders spent running batches, from taking the batch to completing its callers. */
    private final LongAdder busyNanos = new LongAdder();

    /**
     * @param begin      run first in every transaction, batch or alone (takes the write lock)
     * @param failsAlone which exceptions of a unit leave the batch's other units going (see the class comment)
     * @param maxBatch   most units in one transaction; 1 turns combining off
     */
    public GroupCommit(Database db, Function<EntityManager, C> begin, Predicate<RuntimeException> failsAlone,
                       int maxBatch) {
        this(db, begin, failsAlone, maxBatch, java.time.Duration.ZERO, null);
    }

    /**
     * @param prefetch run in a shared transaction after {@code begin} with the distinct keys the batch's units were
     *                 submitted with (see {@link #submit(Object, Unit, Consumer)}), to load what they will read in
     *                 one query instead of one per unit (for Atlas: the tasks they change, so that each unit's
     *                 {@code find} is answered from the persistence context: on PostgreSQL one round trip
     *                 instead of one per change inside the serialized write section). Null: none.
     * @param gather   how long a leader may wait for more units before taking its batch, when the previous batch
     *                 had more than one (writes are concurrent): fewer, larger transactions, each commit's fixed
     *                 cost shared by more changes. Zero: never waits. A lone writer never waits.
     */
    public GroupCommit(Database db, Function<EntityManager, C> begin, Predicate<RuntimeException> failsAlone,
                       int maxBatch, java.time.Duration gather,
                       java.util.function.BiConsumer<EntityManager, List<Object>> prefetch) {
        this.prefetch = prefetch;
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1, got " + maxBatch);
        }
        if (gather.isNegative()) {
            throw new IllegalArgumentException("gather must not be negative, got " + gather);
        }
        this.gatherNanos = gather.toNanos();
        this.db = db;
        this.begin = begin;
        this.failsAlone = failsAlone;
        this.maxBatch = maxBatch;
    }

    /**
     * Runs {@code unit} in a transaction, possibly shared with concurrent units, and after its commit runs
     * {@code afterCommit} with its result (on whichever thread committed; its exceptions are logged, not
     * thrown). Returns the unit's result, or throws what the unit's transaction threw; nothing of a unit that
     * threw is committed and its {@code afterCommit} does not run.
     */
    public <T> T submit(Unit<C, T> unit, Consumer<? super T> afterCommit) {
        return submit(null, unit, afterCommit);
    }

    /**
     * {@link #submit(Unit, Consumer)} for a unit that will read what {@code key} names (null: nothing known in
     * advance); a shared transaction passes its units' keys to the prefetch first.
     */
    public <T> T submit(Object key, Unit<C, T> unit, Consumer<? super T> afterCommit) {
        Waiter<C, T> me = new Waiter<>(key, unit, afterCommit, lock.newCondition());
        if (leader == Thread.currentThread()) {
            runAlone(me); // from an afterCommit: the batch is committed, its lock released; waiting would deadlock
            return me.outcome();
        }
        List<Waiter<C, ?>> batch;
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("Atlas is shutting down");
            }
            queue.addLast(me);
            joined.signalAll();
            if (gathering && queue.size() >= maxBatch) {
                gathered.signal();
            }
            while (!me.done && (leading || queue.peekFirst() != me)) {
                me.turn.awaitUninterruptibly();
            }
            if (me.done) {
                return me.outcome();
            }
            leading = true;
            gather();
            if (me.done) { // closed while gathering: close() failed every queued unit, this one included
                leading = false;
                return me.outcome();
            }
            batch = new ArrayList<>(Math.min(queue.size(), maxBatch));
            while (batch.size() < maxBatch && !queue.isEmpty()) {
                batch.add(queue.pollFirst());
            }
            lastBatch = batch.size();
        } finally {
            lock.unlock();
        }
        leader = Thread.currentThread();
        try {
            lead(batch);
        } finally {
            leader = null;
            lock.lock();
            try {
                leading = false;
                Waiter<C, ?> next = queue.peekFirst();
                if (next != null) {
                    next.turn.signal();
                }
            } finally {
                lock.unlock();
            }
        }
        return me.outcome();
    }

    /**
     * The leader's wait for more units (with the lock held, released while waiting): only when the previous batch
     * had more than one unit, until the queue holds {@code maxBatch} or {@code gather} has passed. Under concurrent
     * writes the units that arrive meanwhile share this transaction instead of each paying a commit of their own
     * (PostgreSQL's {@code commit_delay} with {@code commit_siblings}, decided here from the last batch).
     */
    private void gather() {
        if (gatherNanos == 0 || lastBatch < 2 || queue.size() >= maxBatch || closed) {
            return;
        }
        long left = gatherNanos;
        gathering = true;
        try {
            while (queue.size() < maxBatch && left > 0 && !closed) {
                left = gathered.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // take the batch now; the caller's thread keeps its interrupt
        } finally {
            gathering = false;
        }
    }

    /** Runs one batch and completes each of its callers, whatever happens. */
    private void lead(List<Waiter<C, ?>> batch) {
        long start = System.nanoTime();
        try {
            transactions.increment();
            units.add(batch.size());
            largest.accumulate(batch.size());
            if (batch.size() == 1) {
                runAlone(batch.get(0));
            } else {
                runCombined(batch);
            }
        } catch (Throwable t) {
            // Not expected (every path above completes its callers), but no caller may be left waiting.
            LOG.log(Level.SEVERE, "Group commit failed unexpectedly", t);
            for (Waiter<C, ?> w : batch) {
                complete(w, null, t);
            }
        } finally {
            busyNanos.add(System.nanoTime() - start);
        }
    }

    private void runCombined(List<Waiter<C, ?>> batch) {
        int n = batch.size();
        Object[] results = new Object[n];
        RuntimeException[] alone = new RuntimeException[n];
        Object[] context = new Object[1];
        try {
            db.inTransaction(em -> {
                C c = begin.apply(em);
                context[0] = c;
                if (prefetch != null) {
                    List<Object> keys = batch.stream().map(w -> w.key).filter(java.util.Objects::nonNull).distinct().toList();
                    if (!keys.isEmpty()) {
                        prefetch.accept(em, keys);
                    }
                }
                for (int i = 0; i < n; i++) {
                    try {
                        results[i] = batch.get(i).unit.run(em, c);
                    } catch (RuntimeException e) {
                        if (!failsAlone.test(e)) {
                            throw e; // rolls the whole batch back; see below
                        }
                        alone[i] = e;
                    }
                }
                beforeCommit(c);
                return null;
            });
        } catch (Throwable failure) {
            if (unavailable(failure)) {
                failAll(batch, 0, failure);
                return;
            }
            fallbacks.increment();
            LOG.log(Level.FINE, "A batch of " + n + " writes rolled back; running each alone", failure);
            for (int i = 0; i < n; i++) {
                Throwable t = runAlone(batch.get(i));
                if (t != null && Database.isUnavailable(t)) {
                    failAll(batch, i + 1, t);
                    return;
                }
            }
            return;
        }
        afterCommits(context[0], () -> {
            for (int i = 0; i < n; i++) {
                if (alone[i] == null) {
                    afterCommit(batch.get(i), results[i]);
                }
            }
        });
        lock.lock();
        try {
            for (int i = 0; i < n; i++) {
                completeLocked(batch.get(i), alone[i] == null ? results[i] : null, alone[i]);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The path of a lone unit: its own transaction, then its afterCommit. Returns its failure, or null. */
    private <T> Throwable runAlone(Waiter<C, T> w) {
        T result;
        Object[] context = new Object[1];
        try {
            result = db.inTransaction(em -> {
                C c = begin.apply(em);
                context[0] = c;
                T r = w.unit.run(em, c);
                beforeCommit(c);
                return r;
            });
        } catch (Throwable t) {
            complete(w, null, t);
            return t;
        }
        afterCommits(context[0], () -> afterCommit(w, result));
        complete(w, result, null);
        return null;
    }

    private <T> void afterCommit(Waiter<C, T> w, Object result) {
        try {
            @SuppressWarnings("unchecked") T r = (T) result;
            w.afterCommit.accept(r);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "After-commit work failed; the change is committed", e);
        }
    }

    private boolean unavailable(Throwable t) {
        return Database.isUnavailable(t) || (Database.mayBeUnavailable(t) && !db.ping(1));
    }

    /** Fails the batch's callers from {@code from} on, and every queued caller: the database is out of reach. */
    private void failAll(List<Waiter<C, ?>> batch, int from, Throwable t) {
        lock.lock();
        try {
            for (int i = from; i < batch.size(); i++) {
                completeLocked(batch.get(i), null, t);
            }
            for (Waiter<C, ?> w; (w = queue.pollFirst()) != null; ) {
                completeLocked(w, null, t);
            }
        } finally {
            lock.unlock();
        }
    }

    private void complete(Waiter<C, ?> w, Object result, Throwable failure) {
        lock.lock();
        try {
            completeLocked(w, result, failure);
        } finally {
            lock.unlock();
        }
    }

    private void completeLocked(Waiter<C, ?> w, Object result, Throwable failure) {
        if (!w.done) {
            w.result = result;
            w.failure = failure;
            w.done = true;
            w.turn.signal();
        }
    }

    /**
     * Refuses new units and fails every queued one that no batch has taken (a running batch finishes on its
     * leader's thread and completes its own callers). No caller is left waiting.
     */
    public void close() {
        lock.lock();
        try {
            closed = true;
            gathered.signalAll();
            IllegalStateException stopping = new IllegalStateException("Atlas is shutting down");
            for (Waiter<C, ?> w; (w = queue.pollFirst()) != null; ) {
                completeLocked(w, null, stopping);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Callers waiting for a batch to take their unit (not those of a running batch). */
    public int queued() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until at least {@code n} callers are queued (not yet taken into a batch), at most {@code timeout}.
     * Returns whether they are. For tests that build a batch of known content, and for diagnostics.
     */
    public boolean awaitQueued(int n, java.time.Duration timeout) throws InterruptedException {
        long left = timeout.toNanos();
        lock.lock();
        try {
            while (queue.size() < n) {
                if (left <= 0) {
                    return false;
                }
                left = joined.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Transactions run for batches (a batch of one included; re-runs after a rollback not counted again). */
    public long transactions() {
        return transactions.sum();
    }

    /** Units taken into batches. */
    public long units() {
        return units.sum();
    }

    /** Batches rolled back and re-run unit by unit. */
    public long fallbacks() {
        return fallbacks.sum();
    }

    /**
     * Nanoseconds of wall time that leaders spent running batches. Every write waits for this one section, so its
     * share of elapsed time says how close writes are to their bound (near 1: every write queues behind it).
     */
    public long busyNanos() {
        return busyNanos.sum();
    }

    /** The largest batch so far. */
    public long largestBatch() {
        return largest.get();
    }

    private static final class Waiter<C, T> {
        final Object key;
        final Unit<C, T> unit;
        final Consumer<? super T> afterCommit;
        final Condition turn;
        // guarded by the GroupCommit's lock
        boolean done;
        Object result;
        Throwable failure;

        Waiter(Object key, Unit<C, T> unit, Consumer<? super T> afterCommit, Condition turn) {
            this.key = key;
            this.unit = unit;
            this.afterCommit = afterCommit;
            this.turn = turn;
        }

        /** Read after {@code done} was seen under the lock. */
        @SuppressWarnings("unchecked")
        T outcome() {
            if (failure instanceof RuntimeException e) {
                throw e;
            }
            if (failure instanceof Error e) {
                throw e;
            }
            if (failure != null) {
                throw new IllegalStateException(failure);
            }
            return (T) result;
        }
    }
}
