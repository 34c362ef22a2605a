package dev.atlas.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class TaskStatusTest {
    /** The only legal moves, written out independently of the enum's own table. */
    private static final Set<List<TaskStatus>> ALLOWED = Set.of(
            List.of(TaskStatus.PENDING, TaskStatus.IN_PROGRESS),
            List.of(TaskStatus.IN_PROGRESS, TaskStatus.COMPLETED));

    static List<Arguments> everyPair() {
        List<Arguments> pairs = new ArrayList<>();
        for (TaskStatus from : TaskStatus.values()) {
            for (TaskStatus to : TaskStatus.values()) {
                pairs.add(Arguments.of(from, to, ALLOWED.contains(List.of(from, to))));
            }
        }
        return pairs;
    }

    @Test
    void tableCoversEveryPairOfTheThreeStatuses() {
        assertEquals(3, TaskStatus.values().length, "a new status needs its row in this test");
        assertEquals(9, everyPair().size());
    }

    @ParameterizedTest(name = "{0} -> {1} allowed: {2}")
    @MethodSource("everyPair")
    void transitionTable(TaskStatus from, TaskStatus to, boolean allowed) {
        assertEquals(allowed, from.canMoveTo(to));
    }

    @Test
    void wireNames() {
        assertEquals("pending", TaskStatus.PENDING.wireName());
        assertEquals("in_progress", TaskStatus.IN_PROGRESS.wireName());
        assertEquals("completed", TaskStatus.COMPLETED.wireName());
    }

    @ParameterizedTest
    @EnumSource(TaskStatus.class)
    void wireNameRoundTrip(TaskStatus s) {
        assertSame(s, TaskStatus.fromWireName(s.wireName()));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"done", "PENDING", "Pending", "IN_PROGRESS", "in-progress", "inProgress", " pending", "completed "})
    void unknownWireNameIsNull(String name) {
        assertNull(TaskStatus.fromWireName(name));
    }
}
