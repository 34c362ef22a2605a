package dev.atlas.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SessionWriterTest {
    private static final long LOTS = Long.MAX_VALUE;

    private final RecordingTransport transport = new RecordingTransport();

    private static List<String> messages(String prefix, int n) {
        return IntStream.range(0, n).mapToObj(i -> prefix + i).toList();
    }

    @Test
    void aSendInFlightTooLongClosesTheSessionAsASlowConsumerOnce() {
        SessionWriter w = new SessionWriter(transport, 100, LOTS);
        long limit = TimeUnit.SECONDS.toNanos(10);
        assertFalse(w.closeIfStalled(System.nanoTime() + 2 * limit, limit), "idle: nothing in flight");
        long before = SessionWriter.slowConsumerCloses();
        assertTrue(w.offer("a"));
        long started = System.nanoTime();
        assertFalse(w.closeIfStalled(started, limit), "just started");
        transport.completeNext(null);
        assertFalse(w.closeIfStalled(started + 2 * limit, limit), "completed: nothing in flight");

        assertTrue(w.offer("b"));
        long now = System.nanoTime();
        assertFalse(w.closeIfStalled(now + limit / 2, limit));
        assertTrue(w.closeIfStalled(now + 2 * limit, limit));
        assertFalse(w.closeIfStalled(now + 3 * limit, limit), "closed already");
        assertEquals(1, transport.closes().size());
        assertEquals(CloseCodes.TRY_AGAIN_LATER, transport.closes().get(0).code());
        assertTrue(transport.closes().get(0).reason().startsWith("slow consumer: a send did not complete within 10000 ms"),
                transport.closes().get(0).reason());
        assertEquals(before + 1, SessionWriter.slowConsumerCloses());
        assertFalse(w.offer("c"), "closed writers refuse");
    }

    @Test
    void closeWhenDrainedClosesAfterTheQueuedMessagesAndRefusesLaterOnes() {
        SessionWriter w = new SessionWriter(transport, 100, LOTS);
        assertTrue(w.offer("ack"));
        assertTrue(w.offer("disconnect"));
        w.closeWhenDrained(CloseCodes.POLICY_VIOLATION, "authentication failed");
        assertFalse(w.offer("late"), "nothing after the close was asked for");
        assertEquals(List.of(), transport.closes(), "not before the queued messages are out");
        transport.completeNext(null);
        assertEquals(List.of(), transport.closes(), "one is still queued");
        transport.completeNext(null);
        assertEquals(List.of("ack", "disconnect"), transport.sent());
        assertEquals(List.of(new RecordingTransport.Close(CloseCodes.POLICY_VIOLATION, "authentication failed")),
                transport.closes());
        assertTrue(w.isClosed());
    }

    @Test
    void closeWhenDrainedOnAnIdleWriterClosesAtOnceAndAPlainCloseStillWins() {
        SessionWriter idle = new SessionWriter(transport, 100, LOTS);
        idle.closeWhenDrained(CloseCodes.POLICY_VIOLATION, "bye");
        assertEquals(List.of(new RecordingTransport.Close(CloseCodes.POLICY_VIOLATION, "bye")), transport.closes());

        RecordingTransport other = new RecordingTransport();
        SessionWriter busy = new SessionWriter(other, 100, LOTS);
        assertTrue(busy.offer("m1"));
        busy.closeWhenDrained(CloseCodes.POLICY_VIOLATION, "later");
        busy.close(CloseCodes.GOING_AWAY, "now");
        other.completeNext(null);
        assertEquals(List.of(new RecordingTransport.Close(CloseCodes.GOING_AWAY, "now")), other.closes(),
                "the plain close went out at once, the drained one never");
    }

    @Test
    void oneSendInFlightAndTheNextStartsOnCompletion() {
        SessionWriter w = new SessionWriter(transport, 100, LOTS);
        assertTrue(w.offer("m1"));
        assertTrue(w.offer("m2"));
        assertTrue(w.offer("m3"));
        assertEquals(List.of("m1"), transport.sent(), "the first send is withheld: nothing else may start");
        assertEquals(2, w.queued());

        transport.completeNext(null);
        assertEquals(List.of("m1", "m2"), transport.sent());
        assertEquals(1, w.queued());

        transport.completeNext(null);
        assertEquals(List.of("m1", "m2", "m3"), transport.sent());
        assertEquals(0, w.queued());

        transport.completeNext(null);
        assertEquals(0, transport.pending());

        assertTrue(w.offer("m4"), "an idle writer sends straight away");
        assertEquals(List.of("m1", "m2", "m3", "m4"), transport.sent());
        assertEquals(0, transport.overlappingSends());
        assertTrue(transport.closes().isEmpty());
        assertFalse(w.isClosed());
    }

    /**
     * Tomcat can complete one asynchronous send twice: when its reader closes on a protocol violation it fails the
     * write in flight, and the write's own completion may still be dispatched (docs/architecture.md, "A Tomcat race on
     * protocol violations"). The first completion decides; a second must neither start another send while one is in
     * flight nor close a healthy session.
     */
    @Test
    void aSecondCompletionOfTheSameSendIsIgnored() {
        SessionWriter w = new SessionWriter(transport, 100, LOTS);
        assertTrue(w.offer("m1"));
        assertTrue(w.offer("m2"));
        assertTrue(w.offer("m3"));
        Consumer<Throwable> first = transport.completeNext(null);
        assertEquals(List.of("m1", "m2"), transport.sent());

        first.accept(null);
        assertEquals(List.of("m1", "m2"), transport.sent(), "m3 waits for m2's completion, not m1's second one");
        first.accept(new IOException("the container failed the write it had completed"));
        assertFalse(w.isClosed(), "a late failure of a send that succeeded closes nothing");
        assertTrue(transport.closes().isEmpty());

        transport.completeNext(null);
        assertEquals(List.of("m1", "m2", "m3"), transport.sent());
        transport.completeNext(null);
        assertEquals(0, transport.overlappingSends());
        assertEquals(0, w.queued());
    }

    @Test
    void inlineCompletionSendsEverythingInOrder() {
        transport.completeInline();
        SessionWriter w = new SessionWriter(transport, 10, LOTS);
        List<String> all = messages("m", 5_000);
        all.forEach(m -> assertTrue(w.offer(m)));
        assertEquals(all, transport.sent());
        assertEquals(0, w.queued());
    }

    @Test
    void inlineCompletionDrainsALongQueueWithoutRecursion() throws InterruptedException {
        SessionWriter w = new SessionWriter(transport, 10_000, LOTS);
        assertTrue(w.offer("first"));
        List<String> rest = messages("m", 5_000);
        rest.forEach(m -> assertTrue(w.offer(m)));
        assertEquals(5_000, w.queued());

        transport.completeInline();
        // Drain on a thread with a small stack: a completion handled by recursion would overflow it.
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread drainer = new Thread(null, () -> {
            try {
                transport.completeNext(null);
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "small-stack-drainer", 256 * 1024);
        drainer.start();
        drainer.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(drainer.isAlive());
        assertNull(failure.get(), () -> "drain failed: " + failure.get());

        List<String> expected = new ArrayList<>();
        expected.add("first");
        expected.addAll(rest);
        assertEquals(expected, transport.sent());
        assertEquals(0, w.queued());
        assertTrue(transport.closes().isEmpty());
        assertTrue(w.offer("after"), "the writer is idle again");
        assertEquals("after", transport.sent().get(transport.sent().size() - 1));
    }

    @Test
    void overflowByMessageCountClosesWithTryAgainLater() {
        SessionWriter w = new SessionWriter(transport, 2, LOTS);
        assertTrue(w.offer("m1")); // in flight, not queued
        assertTrue(w.offer("m2"));
        assertTrue(w.offer("m3")); // two waiting: the bound
        assertFalse(w.offer("m4"), "a third waiting message passes the bound");

        assertTrue(w.isClosed());
        assertEquals(1, transport.closes().size());
        assertEquals(CloseCodes.TRY_AGAIN_LATER, transport.closes().get(0).code());
        assertEquals(1013, transport.closes().get(0).code());
        assertTrue(transport.closes().get(0).reason().startsWith("slow consumer"), transport.closes().get(0).reason());
        assertEquals(0, w.queued());

        assertFalse(w.offer("m5"));
        transport.completeNext(null); // the send that was in flight ends: nothing queued is sent after a close
        assertFalse(w.offer("m6"));
        assertEquals(List.of("m1"), transport.sent());
        assertEquals(1, transport.closes().size());
    }

    @Test
    void overflowByBytesClosesWithTryAgainLater() {
        SessionWriter w = new SessionWriter(transport, 100, 10);
        assertTrue(w.offer("0123456789")); // in flight: no longer counts towards the bound
        assertTrue(w.offer("aaaaa"));
        assertTrue(w.offer("bbbbb")); // 10 bytes waiting: exactly the bound
        assertFalse(w.offer("c"));

        assertTrue(w.isClosed());
        assertEquals(1, transport.closes().size());
        assertEquals(CloseCodes.TRY_AGAIN_LATER, transport.closes().get(0).code());
        assertTrue(transport.closes().get(0).reason().startsWith("slow consumer"), transport.closes().get(0).reason());

        assertFalse(w.offer("d"));
        transport.completeNext(null);
        assertEquals(List.of("0123456789"), transport.sent());
        assertEquals(1, transport.closes().size());
    }

    @Test
    void aMessageLargerThanTheByteBoundIsRefusedEvenWhenIdle() {
        // it would have to wait in the queue on its way to the transport, and it cannot fit there
        SessionWriter w = new SessionWriter(transport, 100, 10);
        assertFalse(w.offer("0123456789a"));
        assertTrue(transport.sent().isEmpty());
        assertEquals(1, transport.closes().size());
        assertEquals(CloseCodes.TRY_AGAIN_LATER, transport.closes().get(0).code());
    }

    @Test
    void theBoundCountsUtf8BytesNotCharacters() {
        SessionWriter w = new SessionWriter(transport, 100, 10);
        assertTrue(w.offer("first"));      // in flight
        assertTrue(w.offer("ééééé"));      // 5 characters, 10 bytes: exactly the bound
        assertFalse(w.offer("x"));         // one byte more
        assertEquals(CloseCodes.TRY_AGAIN_LATER, transport.closes().get(0).code());
    }

    @Test
    void bytesAreFreedWhenAMessageIsSent() {
        SessionWriter w = new SessionWriter(transport, 100, 10);
        assertTrue(w.offer("first"));
        assertTrue(w.offer("0123456789")); // 10 waiting
        transport.completeNext(null);      // that one goes in flight: 0 waiting
        assertTrue(w.offer("abcdefghij"));
        assertFalse(w.isClosed());
        assertTrue(transport.closes().isEmpty());
    }

    @Test
    void asyncSendFailureClosesWithInternalErrorAndStopsSending() {
        SessionWriter w = new SessionWriter(transport, 100, LOTS);
        w.offer("m1");
        w.offer("m2");
        w.offer("m3");
        transport.completeNext(new IOException("broken pipe"));

        assertTrue(w.isClosed());
        assertEquals(List.of(new RecordingTransport.Close(CloseCodes.INTERNAL_ERROR, "send failed")), transport.closes());
        assertEquals(1011, transport.closes().get(0).code());
        assertEquals(List.of("m1"), transport.sent());
        assertEquals(0, transport.pending());
        assertFalse(w.offer("m4"));
        assertEquals(List.of("m1"), transport.sent());
    }

    @Test
    void inlineSendFailureClosesWithInternalError() {
        Transport failing = new Transport() {
            final List<String> sent = new ArrayList<>();

            @Override
            public void send(Frame frame, Consumer<Throwable> done) {
                sent.add(frame.text());
                done.accept(new IOException("inline failure"));
            }

            @Override
            public void close(int code, String reason) {
                transport.close(code, reason);
            }
        };
        SessionWriter w = new SessionWriter(failing, 100, LOTS);
        assertTrue(w.offer("m1"));
        assertTrue(w.isClosed());
        assertEquals(List.of(new RecordingTransport.Close(CloseCodes.INTERNAL_ERROR, "send failed")), transport.closes());
        assertFalse(w.offer("m2"));
    }

    @Test
    void sendThatThrowsClosesWithInternalError() {
        transport.throwOnSend(new IllegalStateException("TEXT_FULL_WRITING"));
        SessionWriter w = new SessionWriter(transport, 100, LOTS);
        w.offer("m1");
        assertTrue(w.isClosed());
        assertEquals(1, transport.closes().size());
        assertEquals(CloseCodes.INTERNAL_ERROR, transport.closes().get(0).code());
        assertFalse(w.offer("m2"));
        assertEquals(List.of("m1"), transport.sent());
    }

    @Test
    void closeIsIdempotent() {
        SessionWriter w = new SessionWriter(transport, 100, LOTS);
        w.offer("m1");
        w.offer("m2");
        w.close(CloseCodes.GOING_AWAY, "bye");
        w.close(CloseCodes.GOING_AWAY, "bye");
        w.close(CloseCodes.INTERNAL_ERROR, "again");
        assertEquals(List.of(new RecordingTransport.Close(CloseCodes.GOING_AWAY, "bye")), transport.closes());
        assertTrue(w.isClosed());
        assertEquals(0, w.queued());
        assertFalse(w.offer("m3"));
        transport.completeNext(null);
        assertEquals(List.of("m1"), transport.sent());
    }

    @Test
    void closeAfterOverflowDoesNotCloseTheTransportAgain() {
        SessionWriter w = new SessionWriter(transport, 1, LOTS);
        w.offer("m1");
        w.offer("m2");
        assertFalse(w.offer("m3"));
        w.close(CloseCodes.GOING_AWAY, "bye");
        w.close(CloseCodes.GOING_AWAY, "bye");
        assertEquals(1, transport.closes().size());
        assertEquals(CloseCodes.TRY_AGAIN_LATER, transport.closes().get(0).code());
    }

    @Test
    void detachRefusesOffersWithoutClosingTheTransport() {
        SessionWriter w = new SessionWriter(transport, 100, LOTS);
        w.offer("m1");
        w.offer("m2");
        w.detach();
        assertTrue(w.isClosed());
        assertFalse(w.offer("m3"));
        transport.completeNext(null);
        assertEquals(List.of("m1"), transport.sent());
        assertTrue(transport.closes().isEmpty());
    }

    /**
     * A transport whose sends complete on other threads, as Tomcat's async remote does. Counts sends in
     * flight; more than one at a time is exactly what makes Tomcat throw TEXT_FULL_WRITING.
     */
    private static final class AsyncTransport implements Transport {
        private final ExecutorService completer = Executors.newFixedThreadPool(4);
        private final AtomicInteger inFlight = new AtomicInteger();
        private final AtomicInteger maxInFlight = new AtomicInteger();
        private final ConcurrentLinkedQueue<String> delivered = new ConcurrentLinkedQueue<>();
        private final AtomicInteger closes = new AtomicInteger();
        private final CountDownLatch allDelivered;

        AsyncTransport(int expected) {
            allDelivered = new CountDownLatch(expected);
        }

        @Override
        public void send(Frame frame, Consumer<Throwable> done) {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            completer.execute(() -> {
                delivered.add(frame.text());
                inFlight.decrementAndGet();
                allDelivered.countDown();
                done.accept(null);
            });
        }

        @Override
        public void close(int code, String reason) {
            closes.incrementAndGet();
        }
    }

    @Test
    void concurrentOffersNeverOverlapSendsAndDeliverEachMessageOnce() throws Exception {
        int producers = 4;
        int perProducer = 2_500;
        int total = producers * perProducer;
        AsyncTransport async = new AsyncTransport(total);
        SessionWriter w = new SessionWriter(async, total, LOTS);
        ExecutorService offerers = Executors.newFixedThreadPool(producers);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<String>>> accepted = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                String prefix = "p" + p + "-";
                accepted.add(offerers.submit(() -> {
                    start.await();
                    List<String> mine = new ArrayList<>();
                    for (String m : messages(prefix, perProducer)) {
                        if (w.offer(m)) {
                            mine.add(m);
                        }
                    }
                    return mine;
                }));
            }
            start.countDown();
            Set<String> acceptedAll = new HashSet<>();
            List<List<String>> perThread = new ArrayList<>();
            for (Future<List<String>> f : accepted) {
                List<String> mine = f.get(30, TimeUnit.SECONDS);
                perThread.add(mine);
                acceptedAll.addAll(mine);
            }
            assertEquals(total, acceptedAll.size(), "the bounds are never reached, so every offer is accepted");

            assertTrue(async.allDelivered.await(30, TimeUnit.SECONDS),
                    () -> "delivered only " + async.delivered.size() + " of " + total);
            async.completer.shutdown();
            assertTrue(async.completer.awaitTermination(30, TimeUnit.SECONDS));

            assertEquals(1, async.maxInFlight.get(), "two sends were in flight at once");
            List<String> delivered = new ArrayList<>(async.delivered);
            assertEquals(total, delivered.size(), "no message is delivered twice");
            assertEquals(acceptedAll, new HashSet<>(delivered));
            // each producer's messages arrive in the order it offered them
            Map<String, Integer> position = new HashMap<>();
            for (int i = 0; i < delivered.size(); i++) {
                position.put(delivered.get(i), i);
            }
            for (List<String> mine : perThread) {
                for (int i = 1; i < mine.size(); i++) {
                    assertTrue(position.get(mine.get(i - 1)) < position.get(mine.get(i)), mine.get(i));
                }
            }
            assertEquals(0, async.closes.get());
            assertFalse(w.isClosed());
            assertEquals(0, w.queued());
        } finally {
            offerers.shutdownNow();
            async.completer.shutdownNow();
        }
    }
}
