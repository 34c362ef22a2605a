package dev.atlas.push;

import static dev.atlas.push.PushRig.firedOnly;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.event.EventType;
import dev.atlas.event.Publication;
import dev.atlas.event.TaskEvent;
import dev.atlas.push.PushRig.Client;
import dev.atlas.push.PushRig.Received;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The dispatcher against a real in-memory H2 outbox, without a server: events fired out of order or twice are
 * pushed in id order exactly once; a hole whose firing was lost is filled by the catch-up read of the outbox,
 * and the events held behind it follow in order; a session gets {@code hello} with the last dispatched id and
 * then exactly the events after it; agents only get the events they may see.
 *
 * <p>"Nothing else was pushed" is checked without waiting for silence: a further event (the sentinel) is fired
 * last, and the session's next frame must be that one, since a session receives its frames in dispatch order.
 * Where an event exists only as a firing ({@link PushRig#firedOnly}), the catch-up read cannot deliver it, so
 * what arrives came through the dispatcher's reorder buffer.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PushDispatcherTest {
    private static final String WALLET_A = "0x" + "a".repeat(40);
    private static final String WALLET_B = "0x" + "b".repeat(40);

    private PushRig rig;

    private PushRig rig(int senders) {
        rig = new PushRig(senders);
        return rig;
    }

    @AfterEach
    void close() {
        if (rig != null) {
            rig.close();
        }
    }

    private static List<Long> range(long fromInclusive, long toInclusive) {
        return LongStream.rangeClosed(fromInclusive, toInclusive).boxed().toList();
    }

    /** The next {@code n} frames must be live task events; returns their ids in arrival order. */
    private static List<Long> liveEvents(Client c, int n) throws InterruptedException {
        List<Long> ids = new ArrayList<>(n);
        for (Received r : c.next(n)) {
            assertTrue(r.live() && r.event().startsWith("task"), () -> "expected a live task event, got " + r.text());
            ids.add(r.id());
        }
        return ids;
    }

    @Test
    void eventsFiredOutOfOrderArePushedInIdOrderExactlyOnce() throws Exception {
        PushRig rig = rig(1);
        rig.start();
        Client c = rig.open();
        assertEquals(0, c.hello(), "empty outbox: nothing dispatched yet");

        rig.fire(firedOnly(3), firedOnly(1), firedOnly(2));
        assertEquals(List.of(1L, 2L, 3L), liveEvents(c, 3));

        // a longer run, shuffled: every event waits for all the ones before it
        List<TaskEvent> shuffled = new ArrayList<>();
        for (long id = 4; id <= 200; id++) {
            shuffled.add(firedOnly(id));
        }
        Collections.shuffle(shuffled, new Random(42));
        rig.fire(shuffled);
        assertEquals(range(4, 200), liveEvents(c, 197));

        rig.fire(firedOnly(201));
        assertEquals(List.of(201L), liveEvents(c, 1), "nothing was pushed twice");
        assertEquals(201, rig.dispatcher.lastDispatched());
        assertEquals(201, rig.dispatchedCount(), "each event dispatched once");
    }

    /**
     * Committing threads fire at the same time, each its own events (as leaders of successive transactions do, and
     * the dispatcher wakes once for whatever is queued): every event still arrives once, in id order.
     */
    @Test
    void eventsFiredFromManyThreadsAtOnceArePushedInIdOrderExactlyOnce() throws Exception {
        PushRig rig = rig(1);
        rig.start();
        Client c = rig.open();
        assertEquals(0, c.hello());
        int threads = 4;
        int perThread = 500;
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads);
        List<Thread> firing = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long first = t + 1;
            Thread th = new Thread(() -> {
                try {
                    start.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                for (long id = first; id <= (long) threads * perThread; id += threads) {
                    rig.fire(firedOnly(id)); // thread t fires t+1, t+1+threads, ...: ids interleave across threads
                }
            });
            th.start();
            firing.add(th);
        }
        for (Thread th : firing) {
            th.join(10_000);
            assertFalse(th.isAlive(), "a firing thread did not finish");
        }
        assertEquals(range(1, (long) threads * perThread), liveEvents(c, threads * perThread));
        assertEquals(threads * perThread, rig.barrier(), "the dispatcher had dispatched every event");
        assertEquals(threads * perThread, rig.dispatchedCount(), "each event dispatched once");
    }

    /**
     * A transaction's events are fired as one publication, as the task service fires them: they wait in the queue
     * without waking the dispatcher until the publication ends, then one drain takes them all, in id order.
     */
    @Test
    void theEventsOfOnePublicationWakeTheDispatcherOnce() throws Exception {
        PushRig rig = rig(1);
        rig.start();
        Client c = rig.open();
        assertEquals(0, c.hello());
        long before = rig.dispatcher.drainsScheduled();
        Publication.together(() -> {
            rig.fire(firedOnly(1), firedOnly(2), firedOnly(3), firedOnly(4), firedOnly(5));
            assertEquals(before, rig.dispatcher.drainsScheduled(), "no drain scheduled while the publication runs");
        });
        assertEquals(before + 1, rig.dispatcher.drainsScheduled(), "one drain, at the publication's end");
        assertEquals(range(1, 5), liveEvents(c, 5));

        rig.fire(firedOnly(6)); // outside a publication: a drain is scheduled at once, as before
        assertEquals(before + 2, rig.dispatcher.drainsScheduled());
        assertEquals(List.of(6L), liveEvents(c, 1));
    }

    /**
     * A client whose send blocks (its socket buffers full) holds up its sender lane only until the lane's stall check
     * hands the others to a new worker: they get this event and the next ones while that send still blocks; the
     * stalled client gets its events in order once its send completes.
     */
    @Test
    void aClientWhoseSendBlocksDoesNotHoldUpTheOthers() throws Exception {
        PushRig rig = rig(1);
        rig.start();
        List<Client> healthy = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            healthy.add(rig.open());
        }
        Client stalled = rig.open();
        long hello = stalled.hello();
        for (Client c : healthy) {
            assertEquals(hello, c.hello());
        }
        PushRig.await(stalled.session.writer()::isIdle, () -> "the hello's send to complete");
        stalled.transport.gate();

        TaskEvent first = rig.append();
        rig.fire(first);
        assertEquals(List.of(first.id()), liveEvents(stalled, 1), "its send began");
        PushRig.await(stalled.transport::blocked, () -> "the send to block the lane's worker");
        List<TaskEvent> more = List.of(rig.append(), rig.append());
        rig.fire(more);
        for (Client c : healthy) {
            assertEquals(List.of(first.id(), more.get(0).id(), more.get(1).id()), liveEvents(c, 3));
        }
        assertTrue(stalled.transport.blocked(), "the others got everything while the stalled send still blocked");
        assertEquals(0, stalled.transport.unread());
        assertEquals(1, rig.dispatcher.stalledSends());

        stalled.transport.release();
        assertEquals(List.of(more.get(0).id(), more.get(1).id()), liveEvents(stalled, 2));
        assertEquals(0, stalled.transport.overlappingSends());
    }

    @Test
    void anEventFiredTwiceIsPushedOnce() throws Exception {
        PushRig rig = rig(1);
        rig.start();
        Client c = rig.open();
        assertEquals(0, c.hello());

        // twice after it was pushed, and twice while it waits in the reorder buffer
        rig.fire(firedOnly(1), firedOnly(1), firedOnly(2), firedOnly(1));
        rig.fire(firedOnly(5), firedOnly(5), firedOnly(4), firedOnly(3), firedOnly(5), firedOnly(4));
        assertEquals(range(1, 5), liveEvents(c, 5));

        rig.fire(firedOnly(2), firedOnly(6));
        assertEquals(List.of(6L), liveEvents(c, 1), "a duplicate reached the session");
        assertEquals(6, rig.dispatchedCount(), "each event dispatched once");
    }

    @Test
    void aHoleWhoseFiringWasLostIsFilledFromTheOutboxAndTheHeldEventsFollowInOrder() throws Exception {
        PushRig rig = rig(1);
        rig.start();
        Client c = rig.open();
        assertEquals(0, c.hello());

        // event 1 committed, but the thread that committed it died before firing it; 2 to 4 are fired only
        // (not in the outbox), so they can reach the session from the reorder buffer alone
        TaskEvent lost = rig.append();
        assertEquals(1, lost.id());
        rig.fire(firedOnly(3), firedOnly(2), firedOnly(4));

        List<Received> got = c.next(4);
        assertEquals(range(1, 4), got.stream().map(Received::id).toList(),
                "the hole first, then the held events: " + got);
        assertTrue(got.stream().allMatch(Received::live), "pushed as live events: " + got);
        assertTrue(got.get(0).text().contains("\"data\":" + lost.dataJson()),
                "event 1 as the outbox holds it: " + got.get(0).text());
        for (Received held : got.subList(1, 4)) {
            assertTrue(held.text().contains("\"firedOnly\":true"), "held, then released: " + held.text());
        }

        // the lost thread's event, had it come late after all, and a repeat of a held one: both ignored
        rig.fire(lost, firedOnly(3), firedOnly(5));
        assertEquals(List.of(5L), liveEvents(c, 1));
        assertEquals(5, rig.dispatcher.lastDispatched());
        assertEquals(5, rig.dispatchedCount(), "each event dispatched once");
    }

    @Test
    void aCatchUpReadThatAlsoReturnsHeldEventsPushesEachOnce() throws Exception {
        PushRig rig = rig(1);
        rig.start();
        Client c = rig.open();
        assertEquals(0, c.hello());

        // all four committed; 1 is never fired, 2 to 4 are: the catch-up read returns the held ones again
        TaskEvent lost = rig.append();
        List<TaskEvent> fired = rig.append(3);
        rig.fire(fired.get(1), fired.get(0), fired.get(2));
        assertEquals(range(1, 4), liveEvents(c, 4));

        rig.fire(lost);
        TaskEvent e5 = rig.append();
        rig.fire(e5);
        assertEquals(List.of(5L), liveEvents(c, 1), "nothing was pushed twice");
        assertEquals(5, rig.dispatchedCount(), "each event dispatched once");
    }

    @Test
    void committedEventsThatWereNeverFiredArePushedByThePeriodicCatchUp() throws Exception {
        PushRig rig = rig(1);
        rig.start();
        Client c = rig.open();
        assertEquals(0, c.hello());

        rig.append(3); // committed; no firing at all
        assertEquals(range(1, 3), liveEvents(c, 3));

        TaskEvent e4 = rig.append();
        rig.fire(e4);
        assertEquals(List.of(4L), liveEvents(c, 1));
        assertEquals(4, rig.dispatchedCount());
    }

    /**
     * Another node's commit (in the outbox, never fired here) is read at once when a notification wakes the
     * dispatcher, with no poll for ten minutes; a wake-up that only announces ids already pushed reads nothing (the
     * second session's hello, queued behind it on the dispatcher thread, still names 3 although 4 is committed).
     */
    @Test
    void aWakeUpReadsTheOutboxAtOnceUnlessItAnnouncesOnlyWhatWasPushed() throws Exception {
        rig = new PushRig(1, 600_000);
        rig.start();
        Client c = rig.open();
        assertEquals(0, c.hello());

        rig.append(3);
        rig.dispatcher.wake(3);
        assertEquals(range(1, 3), liveEvents(c, 3));

        rig.append(1);
        rig.dispatcher.wake(3);
        assertEquals(3, rig.open().hello(), "a wake-up announcing 3 did not read the outbox");
        rig.dispatcher.wake(Long.MAX_VALUE);
        assertEquals(List.of(4L), liveEvents(c, 1));
        assertEquals(4, rig.dispatchedCount());
    }

    /**
     * Each session opens once the dispatcher has dispatched everything fired before (the barrier), so its hello id is
     * known exactly; what is fired after the open reaches the dispatcher after it. With several senders, a session
     * may register while a sender is still writing the event its hello names: it must not get that one.
     */
    @ParameterizedTest(name = "{0} sender(s)")
    @ValueSource(ints = {1, 3})
    void aSessionGetsHelloWithTheLastDispatchedIdThenExactlyTheEventsAfterIt(int senders) throws Exception {
        PushRig rig = rig(senders);
        rig.append(5); // before the start: already history, never pushed
        rig.start();
        assertEquals(5, rig.dispatcher.lastDispatched());

        long last = 400;
        List<Client> clients = new ArrayList<>();
        List<Long> expectedHello = new ArrayList<>();
        clients.add(rig.open());
        expectedHello.add(5L);
        for (long id = 6; id <= last; id++) {
            rig.fire(firedOnly(id)); // past the outbox's last id: only the firing can deliver it
            if (id % 15 == 0) {
                // the dispatcher takes whatever was fired when it wakes, so the hello is only known exactly once it
                // has dispatched what was fired so far (the senders may still be writing it)
                assertEquals(id, rig.barrier());
                clients.add(rig.open());
                expectedHello.add(id);
            }
        }
        rig.fire(firedOnly(last + 1));

        for (int i = 0; i < clients.size(); i++) {
            Client c = clients.get(i);
            long hello = c.hello();
            assertEquals(expectedHello.get(i), hello, "hello of session " + i);
            int n = (int) (last + 1 - hello);
            assertEquals(range(hello + 1, last + 1), liveEvents(c, n), "session " + i + " after hello " + hello);
        }
        rig.fire(firedOnly(last + 2));
        for (Client c : clients) {
            assertEquals(List.of(last + 2), liveEvents(c, 1), "nothing extra before the sentinel");
        }
        assertEquals(last + 2 - 5, rig.dispatchedCount(), "each fired event dispatched once, the history never");
    }

    @Test
    void agentsOnlyGetTheEventsTheyMaySee() throws Exception {
        PushRig rig = rig(1);
        rig.start();
        Client admin = rig.open(PushRig.ADMIN, null);
        Client a = rig.open(PushRig.agent(WALLET_A), null);
        Client b = rig.open(PushRig.agent(WALLET_B), null);
        Client anonymous = rig.open(null, null);
        for (Client c : List.of(admin, a, b, anonymous)) {
            assertEquals(0, c.hello());
        }

        rig.fire(
                firedOnly(1, EventType.TASK_CREATED, null, null),             // unassigned: admins only
                firedOnly(2, EventType.TASK_ASSIGNED, WALLET_A, null),
                firedOnly(3, EventType.TASK_ASSIGNED, WALLET_B, null),
                firedOnly(4, EventType.TASK_UPDATED, WALLET_A, null),
                firedOnly(5, EventType.TASK_UPDATED, WALLET_B, WALLET_A),     // taken from A: A hears it once
                firedOnly(6, EventType.TASK_COMPLETED, WALLET_B, null),
                firedOnly(7, EventType.TASK_ASSIGNED, null, WALLET_B),        // not an update: B no longer sees it
                firedOnly(8, EventType.TASK_COMPLETED, WALLET_A, null));

        assertEquals(range(1, 8), liveEvents(admin, 8));
        assertEquals(List.of(2L, 4L, 5L, 8L), liveEvents(a, 4));
        assertEquals(List.of(3L, 5L, 6L), liveEvents(b, 3));

        // once the barrier is passed, every session was offered every event
        assertEquals(8, rig.barrier());
        assertEquals(0, a.transport.unread(), "agent A got more");
        assertEquals(0, b.transport.unread(), "agent B got more");
        assertEquals(0, anonymous.transport.unread(), "a session nobody authenticated got events");
        assertEquals(0, admin.transport.unread());
        assertEquals(8, rig.dispatchedCount());
    }
}
