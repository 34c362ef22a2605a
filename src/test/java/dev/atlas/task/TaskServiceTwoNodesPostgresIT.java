package dev.atlas.task;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.atlas.db.Database;
import dev.atlas.event.EventLog;
import dev.atlas.event.EventType;
import dev.atlas.event.TaskEvent;
import dev.atlas.it.Postgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two nodes on one PostgreSQL database change the same few tasks at once, each through its group commit, whose
 * transactions read their tasks only once they hold the write lock ({@link EventLog#begin}, then the batch's load):
 * no change is lost (each task's version counts every edit of it, from either node), every edit is one event, and the
 * outbox's ids are gap-free. (Loading the tasks before taking the lock fails it: 65 of 99 versions.)
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TaskServiceTwoNodesPostgresIT {
    private static final int TASKS = 3;
    private static final int THREADS_PER_NODE = 4;
    private static final int EDITS_PER_THREAD = 40;

    @Test
    void concurrentEditsOfTheSameTasksFromTwoNodesAreNeverLost() throws Exception {
        try (Postgres pg = new Postgres()) {
            List<Database> dbs = new ArrayList<>();
            List<TaskService> nodes = new ArrayList<>();
            ConcurrentLinkedQueue<TaskEvent> published = new ConcurrentLinkedQueue<>();
            ExecutorService pool = Executors.newFixedThreadPool(2 * THREADS_PER_NODE);
            try {
                for (int n = 0; n < 2; n++) {
                    Database db = pg.database();
                    dbs.add(db);
                    nodes.add(new TaskService(db, new EventLog(), new TaskRules("^0x[0-9a-fA-F]{40}$"), published::add));
                }
                long[] ids = new long[TASKS];
                for (int i = 0; i < TASKS; i++) {
                    ids[i] = nodes.get(0).create(new NewTask("task " + i, null, null, null, null)).id();
                }
                List<Future<int[]>> workers = new ArrayList<>();
                for (int n = 0; n < 2; n++) {
                    TaskService node = nodes.get(n);
                    for (int t = 0; t < THREADS_PER_NODE; t++) {
                        String name = "node " + n + " thread " + t;
                        Random random = new Random(31L * n + t);
                        workers.add(pool.submit(() -> {
                            int[] edits = new int[TASKS];
                            for (int i = 0; i < EDITS_PER_THREAD; i++) {
                                int which = random.nextInt(TASKS);
                                node.update(ids[which], new TaskChanges().title(name + " edit " + i));
                                edits[which]++;
                            }
                            return edits;
                        }));
                    }
                }
                int[] edits = new int[TASKS];
                for (Future<int[]> w : workers) {
                    int[] mine = w.get(100, TimeUnit.SECONDS);
                    for (int i = 0; i < TASKS; i++) {
                        edits[i] += mine[i];
                    }
                }
                for (int i = 0; i < TASKS; i++) {
                    long id = ids[i];
                    assertEquals(1 + edits[i], nodes.get(1).get(id).version(),
                            "task " + id + ": created at version 1, then " + edits[i] + " edits from two nodes");
                    assertEquals(edits[i], published.stream()
                            .filter(e -> e.taskId() == id && e.type() == EventType.TASK_UPDATED).count());
                }
                int total = TASKS + 2 * THREADS_PER_NODE * EDITS_PER_THREAD;
                try (Connection c = pg.connect(); Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT COUNT(*), MIN(id), MAX(id) FROM task_event")) {
                    rs.next();
                    assertEquals(List.of((long) total, 1L, (long) total),
                            List.of(rs.getLong(1), rs.getLong(2), rs.getLong(3)), "one event per change, ids gap-free");
                }
            } finally {
                pool.shutdownNow();
                for (Database db : dbs) {
                    db.close();
                }
            }
        }
    }
}
