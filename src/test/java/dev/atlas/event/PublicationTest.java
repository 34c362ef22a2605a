package dev.atlas.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Work put off to the end of a publication runs once, after all of the firing, whatever the firing does. */
class PublicationTest {
    private final List<String> log = new ArrayList<>();
    private final Runnable wake = () -> log.add("wake");
    private final Runnable count = () -> log.add("count");

    @Test
    void outsideAPublicationTheWorkRunsAtOnce() {
        Publication.atEnd(wake);
        log.add("after");
        Publication.atEnd(wake);
        assertEquals(List.of("wake", "after", "wake"), log);
    }

    @Test
    void workAskedForManyTimesRunsOnceAtTheEndInTheOrderFirstAskedFor() {
        Publication.together(() -> {
            for (int i = 1; i <= 3; i++) {
                log.add("event " + i);
                Publication.atEnd(wake);
                Publication.atEnd(count);
            }
        });
        assertEquals(List.of("event 1", "event 2", "event 3", "wake", "count"), log);
        Publication.atEnd(wake); // the scope ended with it
        assertEquals("wake", log.get(log.size() - 1));
        assertEquals(6, log.size());
    }

    @Test
    void aNestedPublicationLeavesTheWorkToTheOuterOne() {
        Publication.together(() -> {
            Publication.together(() -> {
                log.add("inner");
                Publication.atEnd(wake);
            });
            log.add("outer");
            Publication.atEnd(wake);
        });
        assertEquals(List.of("inner", "outer", "wake"), log);
    }

    @Test
    void theWorkStillRunsWhenTheFiringFailsAndTheFailureIsThrown() {
        IllegalStateException boom = new IllegalStateException("observer failed");
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> Publication.together(() -> {
            log.add("event 1");
            Publication.atEnd(wake);
            throw boom;
        }));
        assertSame(boom, thrown);
        assertEquals(List.of("event 1", "wake"), log);
    }

    @Test
    void workThatFailsDoesNotStopTheRestAndItsFailureIsThrown() {
        IllegalStateException first = new IllegalStateException("first");
        IllegalStateException second = new IllegalStateException("second");
        Runnable failFirst = () -> {
            throw first;
        };
        Runnable failSecond = () -> {
            throw second;
        };
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> Publication.together(() -> {
            Publication.atEnd(failFirst);
            Publication.atEnd(wake);
            Publication.atEnd(failSecond);
        }));
        assertSame(first, thrown);
        assertEquals(List.of(second), List.of(thrown.getSuppressed()));
        assertEquals(List.of("wake"), log);
    }
}
