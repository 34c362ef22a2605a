package dev.atlas.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.db.Database;
import dev.atlas.event.EventLog;
import dev.atlas.it.Poll;
import dev.atlas.it.Postgres;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The read cache on PostgreSQL, with nodes as a deployment has them (each its own {@link Database}, lease and
 * {@link TaskService}, on one schema): a read on any node never returns an older version of a task than a write
 * already acknowledged on any node, while the caching node is alone, while other nodes join and leave, and when its
 * lease session is cut. Readers on the first node check every answer against the highest version acknowledged before
 * they asked.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReadCachePostgresIT {
    private static final int READERS = 2;

    /** One node: its database (pool, lease) and its task service. */
    private record Node(Database db, TaskService tasks) {
        static Node open(Postgres pg) {
            Database db = pg.database();
            return new Node(db, new TaskService(db, new EventLog(), new TaskRules("^0x[0-9a-fA-F]{40}$"), e -> { }));
        }

        void close() {
            tasks.stop();
            db.close();
        }

        boolean caching() {
            return tasks.cache().isOn() && db.cacheLease().servable();
        }
    }

    /** Acknowledged versions and what readers saw. */
    private static final class Check {
        final AtomicLong acknowledged = new AtomicLong();
        final ConcurrentLinkedQueue<String> stale = new ConcurrentLinkedQueue<>();
        final AtomicLong reads = new AtomicLong();
        final AtomicLong staleCount = new AtomicLong();

        void acknowledged(TaskView v) {
            acknowledged.accumulateAndGet(v.version(), Math::max);
        }

        void assertNoneStale() {
            assertTrue(stale.isEmpty(), staleCount + " stale reads of " + reads + ", first: " + stale.peek());
        }

        void read(String where, TaskService node, long id) {
            long before = acknowledged.get();
            long got = node.get(id).version();
            reads.incrementAndGet();
            if (got < before && staleCount.incrementAndGet() <= 10) {
                stale.add(where + ": version " + got + " after version " + before + " was acknowledged");
            }
        }
    }

    private static void await(BooleanSupplier condition, String what) {
        Poll.until(condition, Duration.ofSeconds(20), what);
    }

    /** {@code count} edits of the task, round robin over {@code writers}, each acknowledged then read on every node. */
    private static void edit(Check check, long id, int count, String phase, List<Node> writers, List<Node> readers) {
        for (int i = 0; i < count; i++) {
            Node w = writers.get(i % writers.size());
            check.acknowledged(w.tasks().update(id, new TaskChanges().title(phase + " " + i)));
            for (int r = 0; r < readers.size(); r++) {
                check.read(phase + ", node " + r + " after the write", readers.get(r).tasks(), id);
            }
        }
        check.assertNoneStale();
    }

    @Test
    void aReadIsNeverOlderThanAnAcknowledgedWriteWhileNodesJoinAndLeave() throws Exception {
        try (Postgres pg = new Postgres()) {
            Node a = Node.open(pg);
            List<Node> opened = new ArrayList<>(List.of(a));
            AtomicBoolean reading = new AtomicBoolean(true);
            List<Thread> readers = new ArrayList<>();
            Check check = new Check();
            try {
                await(a::caching, "the first node, alone, caches");
                long id = a.tasks().create(new NewTask("cached", null, null, null, null)).id();
                check.acknowledged(a.tasks().get(id));
                CountDownLatch started = new CountDownLatch(READERS);
                for (int r = 0; r < READERS; r++) {
                    String name = "reader " + r + " on the first node";
                    Thread t = new Thread(() -> {
                        started.countDown();
                        while (reading.get()) {
                            check.read(name, a.tasks(), id);
                        }
                    }, name);
                    t.start();
                    readers.add(t);
                }
                started.await();

                edit(check, id, 200, "alone", List.of(a), List.of(a));
                long hitsAlone = a.tasks().cache().hits();
                assertTrue(hitsAlone > 0, "the first node answered from its cache while alone");

                Node b = Node.open(pg); // joins: the first node stops caching before b may write
                opened.add(b);
                edit(check, id, 200, "two nodes", List.of(b, a), List.of(a, b));
                assertEquals(1, a.db().cacheLease().handovers(), "the first node handed over once");

                Node c = Node.open(pg);
                opened.add(c);
                edit(check, id, 50, "a third node", List.of(c), List.of(a, b, c));
                c.close();
                opened.remove(c);
                b.close();
                opened.remove(b);

                await(a::caching, "the first node, alone again, caches again");
                edit(check, id, 200, "alone again", List.of(a), List.of(a));

                Node d = Node.open(pg); // joins while the first node caches and is being read
                opened.add(d);
                edit(check, id, 100, "joined while cached", List.of(d), List.of(a, d));
                assertEquals(2, a.db().cacheLease().handovers());
                assertTrue(a.tasks().cache().hits() > hitsAlone, "the cache was used again after the others left");
            } finally {
                reading.set(false);
                for (Thread t : readers) {
                    t.join(10_000);
                }
                for (Node n : opened) {
                    n.close();
                }
            }
            check.assertNoneStale();
            assertTrue(check.reads.get() > 750, "reads checked: " + check.reads);
        }
    }

    @Test
    void aNodeWhoseLeaseSessionIsCutStopsAnsweringFromItsCacheBeforeAnotherNodeWrites() throws Exception {
        try (Postgres pg = new Postgres()) {
            Node a = Node.open(pg);
            Node b = null;
            try {
                await(a::caching, "the first node, alone, caches");
                long id = a.tasks().create(new NewTask("cut", null, null, null, null)).id();
                long before = a.tasks().get(id).version();
                a.tasks().get(id);
                assertTrue(a.tasks().cache().hits() > 0);

                try (Connection admin = pg.connect(); Statement s = admin.createStatement()) {
                    s.execute("SELECT pg_terminate_backend(" + a.db().cacheLease().sessionPid() + ")");
                }
                b = Node.open(pg); // the lock is free: b may hold it, and writes after its grace
                TaskView written = b.tasks().update(id, new TaskChanges().title("written on another node"));
                assertEquals(before + 1, written.version());
                assertEquals(written.version(), a.tasks().get(id).version(), "the first node's answer after b's write");

                TaskView again = a.tasks().update(id, new TaskChanges().title("the first node writes again"));
                assertEquals(written.version() + 1, again.version(), "its lease came back (shared) and it writes");
                assertEquals(again.version(), b.tasks().get(id).version());
            } finally {
                if (b != null) {
                    b.close();
                }
                a.close();
            }
        }
    }
}
