package dev.atlas.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The writer reports a live event's commit time when its send completes: not on offer, not on failure, not for other frames. */
class SessionWriterLatencyTest {
    private final RecordingTransport transport = new RecordingTransport();
    private final List<Long> reported = new CopyOnWriteArrayList<>();
    private final SessionWriter writer = new SessionWriter(transport, 100, Long.MAX_VALUE, reported::add);

    @Test
    void reportsTheCommitTimeWhenTheSendCompletes() {
        assertTrue(writer.offer(Frame.event("e1", 1_000)));
        assertTrue(writer.offer(Frame.event("e2", 2_000)));
        assertEquals(List.of(), reported, "handing the frame to the writer is not delivery");

        transport.completeNext(null);
        assertEquals(List.of(1_000L), reported);
        transport.completeNext(null);
        assertEquals(List.of(1_000L, 2_000L), reported);
    }

    @Test
    void framesThatAreNotLiveEventsAreNotMeasured() {
        transport.completeInline();
        writer.offer("hello");
        writer.offer(Frame.of("replayed event"));
        assertEquals(List.of("hello", "replayed event"), transport.sent());
        assertEquals(List.of(), reported);
    }

    @Test
    void aFailedSendIsNotMeasured() {
        writer.offer(Frame.event("e1", 1_000));
        transport.completeNext(new IOException("broken pipe"));
        assertEquals(List.of(), reported);
    }

    @Test
    void inlineCompletionsAreMeasuredToo() {
        transport.completeInline();
        writer.offer(Frame.event("e1", 5));
        writer.offer(Frame.event("e2", 6));
        assertEquals(List.of(5L, 6L), reported);
    }
}
