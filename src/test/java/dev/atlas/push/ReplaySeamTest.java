package dev.atlas.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.event.EventType;
import dev.atlas.event.TaskEvent;
import dev.atlas.push.PushRig.Client;
import dev.atlas.push.PushRig.Received;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Resuming sessions against a real in-memory H2 outbox, without a server: {@code hello}, then every event after
 * the client's id up to the hello's id read from the outbox, then the live events fired meanwhile (held during
 * the replay), with neither gap nor duplicate at the seam; a pruned id or an unknown one gets {@code resync}.
 *
 * <p>Replayed events and live ones are told apart by their frames: a live event's frame carries its commit time
 * ({@link Frame#event}), a replayed one does not ({@link Frame#of}). The seam is therefore checked exactly:
 * every id up to the hello's comes replayed, every later one live.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReplaySeamTest {
    private static final String WALLET_A = "0x" + "a".repeat(40);
    private static final String WALLET_B = "0x" + "b".repeat(40);

    private final PushRig rig = new PushRig(1);
    private final ExecutorService pool = Executors.newSingleThreadExecutor();

    @AfterEach
    void close() {
        pool.shutdownNow();
        rig.close();
    }

    private static List<Long> range(long fromInclusive, long toInclusive) {
        return LongStream.rangeClosed(fromInclusive, toInclusive).boxed().toList();
    }

    /**
     * Receives the events {@code after+1 .. last} and checks them: in order, each once, replayed up to and
     * including {@code hello}, live after it.
     */
    private static void expectSeam(Client c, long after, long hello, long last) throws InterruptedException {
        List<Received> got = c.next((int) (last - after));
        assertEquals(range(after + 1, last), got.stream().map(Received::id).toList(),
                () -> "session " + c.session.id() + " resumed after " + after + ", hello " + hello);
        for (Received r : got) {
            assertTrue(r.event().startsWith("task"), () -> "not a task event: " + r.text());
            assertEquals(r.id() > hello, r.live(), () -> "event " + r.id() + " with hello " + hello
                    + (r.live() ? " came live: not replayed" : " came replayed: not live"));
        }
    }

    @Test
    void aResumedSessionGetsTheMissedEventsFromTheOutboxThenTheLiveOnes() throws Exception {
        rig.append(30);
        rig.start();
        Client c = rig.open(PushRig.ADMIN, 12L);
        assertEquals(30, c.hello());
        expectSeam(c, 12, 30, 30);

        rig.fire(rig.append(5));
        expectSeam(c, 30, 30, 35);
        assertFalse(c.session.isReplaying());
        assertTrue(c.transport.closes().isEmpty());
    }

    /**
     * The replay is made to stall in the middle: the client does not take the hello off the wire (its send
     * stays in flight), so the writer's queue fills and the replayer waits, as it does for a slow client,
     * while live events are fired and committed. They must wait behind the replay and follow it.
     */
    @Test
    void liveEventsFiredWhileTheReplayRunsFollowItWithoutGapOrDuplicate() throws Exception {
        rig.append(1_100);
        rig.start();
        int capacity = 1_000;
        Client c = rig.client(PushRig.ADMIN, QueueTransport.gated(), capacity);
        SessionWriter w = c.session.writer();
        rig.dispatcher.open(c.session, 100L); // 1,000 to replay: five batches, more than the writer lets through

        // the replayer pauses once more than half the writer is waiting, with batches still to read
        PushRig.await(() -> w.queued() > capacity / 2, () -> "the replay to fill the writer, queued " + w.queued());
        assertTrue(c.session.isReplaying(), "400 events are still to be read: the replay cannot end before the client reads");

        // live events, committed and fired meanwhile, one of them out of order
        List<TaskEvent> live = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            live.add(rig.append());
        }
        TaskEvent swapped = live.get(10);
        live.set(10, live.get(11));
        live.set(11, swapped);
        rig.fire(live);
        assertEquals(1_140, rig.barrier(), "every live event dispatched");
        assertTrue(c.session.isReplaying(), "the live events reached the session during its replay");
        assertEquals(1, c.transport.unread(), "only the hello is on the wire so far");

        c.transport.release(); // the client reads again
        assertEquals(1_100, c.hello());
        expectSeam(c, 100, 1_100, 1_140);

        TaskEvent sentinel = rig.append();
        rig.fire(sentinel);
        expectSeam(c, 1_140, 1_100, 1_141);
        assertFalse(c.session.isReplaying());
        assertEquals(0, c.transport.overlappingSends());
        assertTrue(c.transport.closes().isEmpty(), "closed: " + c.transport.closes());
    }

    /** Sessions resume while another thread keeps committing and firing: wherever the seam falls, it is exact. */
    @Test
    void sessionsResumingWhileEventsAreCommittedAndFiredGetEveryEventOnce() throws Exception {
        rig.append(100);
        rig.start();
        int more = 600;
        Future<?> committer = pool.submit(() -> {
            for (int i = 0; i < more; i++) {
                rig.fire(rig.append());
            }
        });
        List<Client> clients = new ArrayList<>();
        List<Long> resumedAfter = new ArrayList<>();
        for (int k = 0; k < 10; k++) {
            long threshold = 100 + k * 60L;
            PushRig.await(() -> rig.dispatcher.lastDispatched() >= threshold || committer.isDone(),
                    () -> "dispatch past " + threshold + ", at " + rig.dispatcher.lastDispatched());
            long after = k * 10L; // never above the last dispatched id
            clients.add(rig.open(PushRig.ADMIN, after));
            resumedAfter.add(after);
        }
        committer.get(60, TimeUnit.SECONDS);
        long last = 100 + more;

        for (int i = 0; i < clients.size(); i++) {
            Client c = clients.get(i);
            long hello = c.hello();
            assertTrue(hello >= 100 && hello <= last, "hello " + hello);
            expectSeam(c, resumedAfter.get(i), hello, last);
        }
        rig.fire(rig.append());
        for (Client c : clients) {
            expectSeam(c, last, 0, last + 1);
            assertFalse(c.session.isReplaying());
        }
    }

    @Test
    void theReplayIsFilteredLikeTheLiveEvents() throws Exception {
        List<Long> forA = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            String wallet = i % 3 == 0 ? WALLET_A : i % 3 == 1 ? WALLET_B : null;
            TaskEvent e = rig.append(EventType.TASK_ASSIGNED, wallet, null);
            if (WALLET_A.equals(wallet)) {
                forA.add(e.id());
            }
        }
        rig.start();
        Client a = rig.open(PushRig.agent(WALLET_A), 0L);
        assertEquals(30, a.hello());
        TaskEvent taken = rig.append(EventType.TASK_UPDATED, WALLET_B, WALLET_A);
        TaskEvent notA = rig.append(EventType.TASK_ASSIGNED, WALLET_B, null);
        TaskEvent mine = rig.append(EventType.TASK_ASSIGNED, WALLET_A, null);
        rig.fire(taken, notA, mine);

        List<Received> got = a.next(forA.size() + 2);
        List<Long> expected = new ArrayList<>(forA);
        expected.add(taken.id());
        expected.add(mine.id());
        assertEquals(expected, got.stream().map(Received::id).toList());
        for (Received r : got) {
            assertEquals(r.id() > 30, r.live(), () -> "replayed up to the hello, live after: " + r);
        }
        assertEquals(33, rig.barrier());
        assertEquals(0, a.transport.unread(), "agent A got an event it may not see");
    }

    @Test
    void resumingFromAPrunedIdGetsResyncAndThenLiveEvents() throws Exception {
        rig.append(10);
        int pruned = rig.db.inTransaction(em -> rig.eventLog.prune(em, Instant.now().plusSeconds(3600), 5));
        assertEquals(5, pruned, "events 1 to 5 are gone");
        rig.start();
        assertEquals(10, rig.dispatcher.lastDispatched());

        Client tooOld = rig.open(PushRig.ADMIN, 4L);   // the first event after 4 is 6: 5 is gone
        Client fromZero = rig.open(PushRig.ADMIN, 0L);
        Client oldestKept = rig.open(PushRig.ADMIN, 5L); // the first event after 5 is 6: replayable
        rig.fire(rig.append());

        for (Client c : List.of(tooOld, fromZero)) {
            assertEquals(10, c.hello());
            Received resync = c.next();
            assertEquals("resync", resync.event(), resync.text());
            assertEquals(10, resync.id(), "the live stream continues after the hello's id");
            assertTrue(resync.reason().contains("no longer retained"), resync.reason());
            expectSeam(c, 10, 10, 11);
            assertFalse(c.session.isReplaying());
        }
        assertEquals(10, oldestKept.hello());
        expectSeam(oldestKept, 5, 10, 11);
    }

    @Test
    void resumingFromAnUnknownIdGetsResyncAndThenLiveEvents() throws Exception {
        rig.append(10);
        rig.start();

        Client future = rig.open(PushRig.ADMIN, 11L);
        Client farFuture = rig.open(PushRig.ADMIN, Long.MAX_VALUE);
        Client negative = rig.open(PushRig.ADMIN, -1L);
        Client upToDate = rig.open(PushRig.ADMIN, 10L); // exactly the hello: nothing to replay, nothing unknown
        rig.fire(rig.append());

        for (Client c : List.of(future, farFuture, negative)) {
            assertEquals(10, c.hello());
            Received resync = c.next();
            assertEquals("resync", resync.event(), resync.text());
            assertEquals(10, resync.id());
            assertEquals("unknown event id", resync.reason());
            expectSeam(c, 10, 10, 11);
        }
        assertEquals(10, upToDate.hello());
        expectSeam(upToDate, 10, 10, 11);
    }
}
