package dev.atlas.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link SendLane}: jobs in order, piece by piece, on a worker where sends may block; a worker stuck in one piece is
 * retired and a new one goes on with the rest while it finishes; past {@link SendLane#MAX_STUCK} stuck workers, sends
 * no longer block. Stalls are simulated by calling {@link SendLane#checkStalled} with a time past the limit, and a
 * stuck piece by a latch, so nothing here waits for a timer.
 */
class SendLaneTest {
    private static final long WAIT_S = 10;

    private final List<Thread> made = new CopyOnWriteArrayList<>();
    private final ThreadFactory threads = r -> {
        Thread t = new Thread(r, "lane-test-" + made.size());
        t.setDaemon(true);
        made.add(t);
        return t;
    };
    private final SendLane lane = new SendLane(threads);
    /** What the pieces did, in the order they did it: "job.piece@thread", or "job done". */
    private final LinkedBlockingQueue<String> log = new LinkedBlockingQueue<>();

    @AfterEach
    void stop() {
        lane.stop();
    }

    @Test
    void jobsRunInOrderPieceByPieceOnAWorkerWhoseSendsMayBlock() throws Exception {
        assertFalse(SendLane.mayBlock(), "not on a lane's worker");
        List<Boolean> mayBlock = Collections.synchronizedList(new ArrayList<>());
        for (String job : List.of("a", "b", "c")) {
            lane.submit(job(job, 3, piece -> mayBlock.add(SendLane.mayBlock())));
        }
        assertEquals(List.of("a.0", "a.1", "a.2", "a done", "b.0", "b.1", "b.2", "b done", "c.0", "c.1", "c.2", "c done"),
                take(12));
        assertEquals(List.of(true, true, true, true, true, true, true, true, true), mayBlock);
        assertEquals(1, made.size(), "one worker, kept while jobs come");
        assertEquals(0, lane.retired());
    }

    @Test
    void aWorkerStuckInOnePieceIsRetiredAndANewOneGoesOnWhileItFinishes() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        long submitted = System.nanoTime(); // the piece began after this
        lane.submit(job("a", 4, piece -> {
            if (piece == 1) {
                inside.countDown();
                await(release);
            }
        }));
        lane.submit(job("b", 2, piece -> { }));
        assertTrue(inside.await(WAIT_S, TimeUnit.SECONDS));
        assertEquals("a.0", log.poll(WAIT_S, TimeUnit.SECONDS));

        assertFalse(lane.checkStalled(submitted + SendLane.STALL_NANOS), "not stuck: inside its piece for no more than the limit");
        assertTrue(lane.checkStalled(System.nanoTime() + SendLane.STALL_NANOS + 1));
        assertEquals(List.of("a.2", "a.3", "a done", "b.0", "b.1", "b done"), take(6), "the rest, on a new worker");
        assertEquals(1, lane.retired());
        assertEquals(1, lane.stuck());
        assertEquals(2, made.size());

        release.countDown();
        assertEquals("a.1", log.poll(WAIT_S, TimeUnit.SECONDS), "the stuck piece finishes on its own worker");
        made.get(0).join(TimeUnit.SECONDS.toMillis(WAIT_S));
        assertFalse(made.get(0).isAlive(), "the retired worker ends after its piece");
        assertEquals(0, lane.stuck());

        lane.submit(job("c", 1, piece -> { }));
        assertEquals(List.of("c.0", "c done"), take(2));
        assertEquals(2, made.size(), "the new worker goes on with later jobs");
    }

    @Test
    void anIdleWorkerOrOneBetweenPiecesIsNotRetired() throws Exception {
        assertFalse(lane.checkStalled(System.nanoTime() + SendLane.STALL_NANOS * 10), "no worker");
        lane.submit(job("a", 1, piece -> { }));
        assertEquals(List.of("a.0", "a done"), take(2));
        assertFalse(lane.checkStalled(System.nanoTime() + SendLane.STALL_NANOS * 10), "a worker waiting for work");
        assertEquals(0, lane.retired());
    }

    @Test
    void pastTheLimitOfStuckWorkersSendsNoLongerBlock() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<Boolean> mayBlock = Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i <= SendLane.MAX_STUCK; i++) {
            CountDownLatch inside = new CountDownLatch(1);
            lane.submit(job("j" + i, 1, piece -> {
                mayBlock.add(SendLane.mayBlock());
                inside.countDown();
                await(release);
            }));
            assertTrue(inside.await(WAIT_S, TimeUnit.SECONDS));
            assertTrue(lane.checkStalled(System.nanoTime() + SendLane.STALL_NANOS + 1));
        }
        assertEquals(SendLane.MAX_STUCK + 1, lane.stuck());
        List<Boolean> expected = new ArrayList<>(Collections.nCopies(SendLane.MAX_STUCK, true));
        expected.add(false);
        assertEquals(expected, mayBlock, "while " + SendLane.MAX_STUCK + " workers are stuck, sends may not block");

        release.countDown();
        for (Thread t : made.subList(0, SendLane.MAX_STUCK + 1)) { // the stuck ones; the last waits for work
            t.join(TimeUnit.SECONDS.toMillis(WAIT_S));
        }
        assertEquals(0, lane.stuck());
        CountDownLatch ran = new CountDownLatch(1);
        lane.submit(job("after", 1, piece -> {
            mayBlock.add(SendLane.mayBlock());
            ran.countDown();
        }));
        assertTrue(ran.await(WAIT_S, TimeUnit.SECONDS));
        assertTrue(mayBlock.get(mayBlock.size() - 1), "sends block again once the stuck ones have ended");
    }

    @Test
    void aFailingPieceDoesNotStopTheLane() throws Exception {
        lane.submit(job("a", 2, piece -> {
            if (piece == 0) {
                throw new IllegalStateException("boom");
            }
        }));
        assertEquals(List.of("a.1", "a done"), take(2));
    }

    @Test
    void aJobThatFailsToHandOutAPieceEndsThereStillReportsAndTheLaneGoesOn() throws Exception {
        SendLane.Job failing = job("a", 3, piece -> { });
        lane.submit(new SendLane.Job() {
            private int handedOut;

            @Override
            public Runnable next() {
                if (handedOut++ == 1) {
                    throw new IllegalStateException("boom");
                }
                return failing.next();
            }

            @Override
            public void done() {
                failing.done();
            }
        });
        lane.submit(job("b", 1, piece -> { }));
        assertEquals(List.of("a.0", "a done", "b.0", "b done"), take(4),
                "the failing job's one piece ran, its other pieces were dropped, and its done still reported it");
        assertEquals(1, made.size(), "the same worker went on");
    }

    @Test
    void stoppingDropsTheJobsNotBegunAndEndsTheWorkers() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger ranAfterStop = new AtomicInteger();
        lane.submit(job("a", 1, piece -> {
            inside.countDown();
            await(release);
        }));
        lane.submit(job("b", 1, piece -> ranAfterStop.incrementAndGet()));
        assertTrue(inside.await(WAIT_S, TimeUnit.SECONDS));
        lane.stop();
        lane.submit(job("c", 1, piece -> ranAfterStop.incrementAndGet()));
        release.countDown();
        made.get(0).join(TimeUnit.SECONDS.toMillis(WAIT_S));
        assertFalse(made.get(0).isAlive());
        assertEquals(0, ranAfterStop.get());
        assertEquals(1, made.size());
        assertNotEquals(null, log.poll(WAIT_S, TimeUnit.SECONDS), "the piece that had begun finished");
    }

    /** A job of {@code n} pieces; each runs {@code body} with its index, then logs itself and its thread. */
    private SendLane.Job job(String name, int n, java.util.function.IntConsumer body) {
        Iterator<Integer> pieces = java.util.stream.IntStream.range(0, n).iterator();
        return new SendLane.Job() {
            @Override
            public Runnable next() {
                if (!pieces.hasNext()) {
                    return null;
                }
                int i = pieces.next();
                return () -> {
                    body.accept(i);
                    log.add(name + "." + i);
                };
            }

            @Override
            public void done() {
                log.add(name + " done");
            }
        };
    }

    private List<String> take(int n) throws InterruptedException {
        List<String> got = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String s = log.poll(WAIT_S, TimeUnit.SECONDS);
            assertNotEquals(null, s, "after " + got);
            got.add(s);
        }
        return got;
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(WAIT_S, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
