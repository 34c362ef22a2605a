package dev.atlas.task;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atlas.config.AtlasConfig;
import dev.atlas.config.Json;
import dev.atlas.config.Setting;
import dev.atlas.db.CacheLease;
import dev.atlas.db.Database;
import dev.atlas.db.GroupCommit;
import dev.atlas.event.EventLog;
import dev.atlas.event.EventType;
import dev.atlas.event.Publication;
import dev.atlas.event.TaskEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.TypedQuery;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Every task change, in a transaction that also writes its events to the outbox; after the commit, each
 * event is fired as a CDI {@link TaskEvent}. Nothing is fired for a transaction that rolled back, and a
 * failing observer never fails the call (the change is already committed).
 *
 * <p>Concurrent changes share one transaction ({@link GroupCommit}, at most {@code ATLAS_DB_WRITE_BATCH_MAX}):
 * the event sequence is locked once per transaction and each change runs as its own unit with its own
 * result, failure and events, as if it had run alone in arrival order. A change does not flush: its view and
 * event data need no database round trip (a new task's id comes from the locked event sequence row, the version is
 * counted by {@link Task}), so a batch's statements go to the database together, batched, at its commit.
 *
 * <p>Thread-safe: stateless apart from its collaborators.
 */
@ApplicationScoped
public class TaskService {
    private static final Logger LOG = Logger.getLogger(TaskService.class.getName());
    private static final ObjectMapper JSON = Json.mapper().build();
    /** The longest gather wait allowed, one second: longer, a waiting write is slower than any commit it saves. */
    private static final long MAX_GATHER_MICROS = 1_000_000;

    private Database db;
    private EventLog eventLog;
    private TaskRules rules;
    private Assignees assignees = Assignees.ANY;
    private Consumer<TaskEvent> publisher;
    private GroupCommit<Tx> writes;
    /** On PostgreSQL, this node's part in the cache lock; null on H2. */
    private CacheLease lease;
    /** The read cache; null when this node never caches (H2, or ATLAS_READ_CACHE=off). */
    private TaskCache cache;

    /** For CDI proxies only. */
    protected TaskService() {
    }

    @Inject
    public TaskService(Database db, EventLog eventLog, AtlasConfig config, Event<TaskEvent> cdiEvents, Assignees assignees) {
        this(db, eventLog, new TaskRules(config), cdiEvents::fire, config.getInt(Setting.DB_WRITE_BATCH_MAX),
                gatherWait(config));
        this.assignees = assignees;
    }

    /** The longest a write transaction waits for more changes to join it: 0 to 1 s, refused otherwise. */
    static java.time.Duration gatherWait(AtlasConfig config) {
        long micros = config.getLong(Setting.DB_WRITE_BATCH_WAIT_MICROS, 0, MAX_GATHER_MICROS, "microseconds");
        return java.time.Duration.ofNanos(micros * 1000);
    }

    /** Outside CDI (tests): {@code publisher} receives each committed event. */
    public TaskService(Database db, EventLog eventLog, TaskRules rules, Consumer<TaskEvent> publisher) {
        this(db, eventLog, rules, publisher, Integer.parseInt(Setting.DB_WRITE_BATCH_MAX.defaultValue()));
    }

    /** Outside CDI (tests), with at most {@code maxBatch} changes per transaction, combined as they come (no wait). */
    public TaskService(Database db, EventLog eventLog, TaskRules rules, Consumer<TaskEvent> publisher, int maxBatch) {
        this(db, eventLog, rules, publisher, maxBatch, java.time.Duration.ZERO);
    }

    /** Outside CDI (tests), with at most {@code maxBatch} changes per transaction, gathered for up to {@code gather}. */
    public TaskService(Database db, EventLog eventLog, TaskRules rules, Consumer<TaskEvent> publisher, int maxBatch,
                       java.time.Duration gather) {
        this.db = db;
        this.eventLog = eventLog;
        this.rules = rules;
        this.publisher = publisher;
        if (maxBatch < 1) {
            throw new dev.atlas.config.ConfigException(Setting.DB_WRITE_BATCH_MAX.envName() + " must be at least 1, got " + maxBatch);
        }
        this.writes = new GroupCommit<>(db, this::begin, TaskService::failsAlone, maxBatch, gather, this::loadTasks);
        this.lease = db.cacheLease();
        if (lease != null && lease.mayCache()) {
            this.cache = new TaskCache(lease.cacheSize(), lease::servable);
            lease.holder(cache);
        }
    }

    /**
     * The start of every write transaction: on PostgreSQL the cache lock's fence (no other node caches while this
     * transaction runs, or this node does and knows it), then the event lock ({@link EventLog#begin}).
     */
    private Tx begin(EntityManager em) {
        EventLog.Appender events = eventLog.begin(em, lease == null ? null : lease.pass()); // the fence, the lock
        long epoch = cache == null ? 0 : cache.epoch(); // after the fence: see TaskCache
        return new Tx(events, epoch);
    }

    /** A write transaction's context: its event appender and the cache epoch it was fenced in. */
    static final class Tx implements GroupCommit.BeforeCommit, GroupCommit.AroundAfterCommits {
        private final EventLog.Appender events;
        final long cacheEpoch;

        Tx(EventLog.Appender events, long cacheEpoch) {
            this.events = events;
            this.cacheEpoch = cacheEpoch;
        }

        java.time.Instant timestamp() {
            return events.timestamp();
        }

        long nextTaskId() {
            return events.nextTaskId();
        }

        TaskEvent append(EventType type, long taskId, String agentWallet, String previousWallet, String data) {
            return events.append(type, taskId, agentWallet, previousWallet, data);
        }

        @Override
        public void beforeCommit() {
            events.beforeCommit();
        }

        /** The transaction's events, fired change by change, as one {@link Publication}: the push side is woken once. */
        @Override
        public void aroundAfterCommits(Runnable afterCommits) {
            Publication.together(afterCommits);
        }
    }

    /** The read cache (metrics, tests); null when this node never caches. */
    public TaskCache cache() {
        return cache;
    }

    /**
     * Whether a change's exception leaves the other changes of its transaction going: true only for exceptions
     * thrown before the change touched the persistence context or the database. Checked against the code:
     * <ul>
     * <li>{@link TaskNotFoundException}, {@link PreconditionFailedException}: thrown by {@code find}, the first
     *     thing update, delete and move do with the task, after only reading it ({@code em.find});</li>
     * <li>{@link IllegalTransitionException}: thrown by {@link Task#moveTo} before it assigns a field, and move
     *     changed nothing before calling it;</li>
     * <li>{@link IdempotencyConflictException}: thrown by create after only reading the stored key, before it
     *     removes an expired key or persists anything.</li>
     * </ul>
     * {@link ValidationException} is thrown before a change is submitted. Anything else rolls the shared
     * transaction back and every change of it runs again alone.
     */
    static boolean failsAlone(RuntimeException e) {
        return e instanceof TaskNotFoundException || e instanceof PreconditionFailedException
                || e instanceof IllegalTransitionException || e instanceof IdempotencyConflictException;
    }

    /** The group commit of this service's changes (tests, metrics). */
    public GroupCommit<?> writes() {
        return writes;
    }

    /** Fails every change still waiting for a transaction; none is left hanging. */
    @PreDestroy
    void stop() {
        if (writes != null) {
            writes.close();
        }
    }

    public TaskRules rules() {
        return rules;
    }

    public TaskView create(NewTask input) {
        return create(input, null).task();
    }

    /**
     * Creates a task. With an idempotency key, a retry (same key, same body) within 24 hours gets the
     * original answer and changes nothing (no second task, no second event); the same key with another
     * body is refused with {@link IdempotencyConflictException}.
     */
    public Created create(NewTask input, IdempotencyKey idem) {
        List<FieldError> errors = new ArrayList<>();
        String title = rules.title(input.title(), errors);
        String description = rules.description(input.description(), errors);
        String wallet = rules.wallet(input.agentWallet(), "agentWallet", errors);
        if (errors.isEmpty()) {
            assignees.check(wallet, "agentWallet", errors);
        }
        throwIfAny(errors);

        Written result = write((em, events) -> {
            if (idem != null) {
                IdempotencyRecord earlier = em.find(IdempotencyRecord.class, idem.key());
                long now = events.timestamp().toEpochMilli();
                if (earlier != null && earlier.createdAt() > now - IdempotencyKey.LIFETIME.toMillis()) {
                    if (!earlier.requestHash().equals(idem.requestHash())) {
                        throw new IdempotencyConflictException();
                    }
                    return new Written(parse(earlier.response()), List.of(), true);
                }
                if (earlier != null) {
                    em.remove(earlier);
                    em.flush();
                }
            }
            Task t = new Task(events.nextTaskId(), title, description, wallet,
                    input.priority() == null ? Priority.NORMAL : input.priority(),
                    input.dueAt() == null ? null : input.dueAt().toEpochMilli(),
                    events.timestamp().toEpochMilli());
            em.persist(t); // the insert waits for the batch's one flush
            TaskView view = t.view();
            String data = json(view);
            List<TaskEvent> fired = new ArrayList<>(2);
            fired.add(events.append(EventType.TASK_CREATED, t.id(), wallet, null, data));
            if (wallet != null) {
                fired.add(events.append(EventType.TASK_ASSIGNED, t.id(), wallet, null, data));
            }
            if (idem != null) {
                em.persist(new IdempotencyRecord(idem.key(), idem.requestHash(), t.id(), data,
                        events.timestamp().toEpochMilli()));
            }
            return new Written(view, fired, false);
        });
        return new Created(result.view(), result.replayed());
    }

    /** Forgets idempotency keys older than their lifetime; returns how many. */
    public int pruneIdempotencyKeys() {
        long cutoff = System.currentTimeMillis() - IdempotencyKey.LIFETIME.toMillis();
        return db.inTransaction(em -> em.createQuery("DELETE FROM IdempotencyRecord r WHERE r.createdAt < :cutoff")
                .setParameter("cutoff", cutoff).executeUpdate());
    }

    public TaskView get(long id) {
        return get(id, Guard.NONE);
    }

    /**
     * The task as the guard lets the caller see it. While this node may answer from its read cache ({@link TaskCache},
     * PostgreSQL alone), from there; a miss reads the row and keeps it, whatever the guard, then applies the guard.
     */
    public TaskView get(long id, Guard guard) {
        TaskCache c = cache;
        long stamp = c == null ? -1 : c.stamp();
        if (stamp < 0) {
            return db.read(em -> find(em, id, guard).view());
        }
        TaskCache.Entry hit = c.get(id);
        TaskView view;
        if (hit != null) {
            view = hit.view();
        } else {
            view = db.read(em -> {
                Task t = em.find(Task.class, id);
                return t == null ? null : t.view();
            });
            if (view != null) {
                c.putRead(view, stamp);
            }
        }
        if (view == null) {
            throw new TaskNotFoundException(id);
        }
        allow(id, view.agentWallet(), view.version(), guard);
        return view;
    }

    public TaskPage list(TaskQuery q) {
        return db.read(em -> {
            StringBuilder jpql = new StringBuilder("SELECT t FROM Task t WHERE 1 = 1");
            if (q.status() != null) {
                jpql.append(" AND t.status = :status");
            }
            if (q.agentWallet() != null) {
                jpql.append(" AND t.agentWallet = :wallet");
            }
            if (q.beforeId() != null) {
                jpql.append(" AND t.id < :before");
            }
            jpql.append(" ORDER BY t.id DESC");
            TypedQuery<Task> query = em.createQuery(jpql.toString(), Task.class);
            if (q.status() != null) {
                query.setParameter("status", q.status().wireName());
            }
            if (q.agentWallet() != null) {
                query.setParameter("wallet", rules.walletFilter(q.agentWallet()));
            }
            if (q.beforeId() != null) {
                query.setParameter("before", q.beforeId());
            }
            List<Task> rows = query.setMaxResults(q.limit() + 1).getResultList();
            boolean more = rows.size() > q.limit();
            List<TaskView> items = rows.stream().limit(q.limit()).map(Task::view).toList();
            return new TaskPage(items, more ? items.get(items.size() - 1).id() : null);
        });
    }

    public TaskView update(long id, TaskChanges c) {
        return update(id, c, Guard.NONE);
    }

    public TaskView update(long id, TaskChanges c, Guard guard) {
        List<FieldError> errors = new ArrayList<>();
        String title = c.titleSet() ? rules.title(c.title(), errors) : null;
        String description = c.descriptionSet() ? rules.description(c.description(), errors) : null;
        String wallet = c.agentWalletSet() ? rules.wallet(c.agentWallet(), "agentWallet", errors) : null;
        if (errors.isEmpty() && wallet != null) {
            assignees.check(wallet, "agentWallet", errors);
        }
        if (c.prioritySet() && c.priority() == null) {
            errors.add(new FieldError("priority", "must be one of low, normal, high"));
        }
        throwIfAny(errors);

        return write(id, (em, events) -> {
            Task t = find(em, id, guard);
            String previousWallet = t.agentWallet();
            boolean changed = false;
            if (c.titleSet()) {
                changed |= t.setTitle(title);
            }
            if (c.descriptionSet()) {
                changed |= t.setDescription(description);
            }
            if (c.agentWalletSet()) {
                changed |= t.setAgentWallet(wallet);
            }
            if (c.prioritySet()) {
                changed |= t.setPriority(c.priority());
            }
            if (c.dueAtSet()) {
                changed |= t.setDueAt(c.dueAt() == null ? null : c.dueAt().toEpochMilli());
            }
            if (!changed) {
                // Nothing to change (PUT {} or the current values): the task as it is, same version, no event.
                return new Written(t.view(), List.of(), false);
            }
            t.touch(events.timestamp().toEpochMilli());
            TaskView view = t.view();
            String data = json(view);
            String newWallet = t.agentWallet();
            boolean agentChanged = !Objects.equals(previousWallet, newWallet);
            List<TaskEvent> fired = new ArrayList<>(2);
            fired.add(events.append(EventType.TASK_UPDATED, t.id(), newWallet,
                    agentChanged ? previousWallet : null, data));
            if (agentChanged && newWallet != null) {
                fired.add(events.append(EventType.TASK_ASSIGNED, t.id(), newWallet, previousWallet, data));
            }
            return new Written(view, fired, false);
        }).view();
    }

    public TaskView start(long id) {
        return start(id, Guard.NONE);
    }

    public TaskView start(long id, Guard guard) {
        return move(id, guard, TaskStatus.IN_PROGRESS, EventType.TASK_UPDATED);
    }

    public TaskView complete(long id) {
        return complete(id, Guard.NONE);
    }

    public TaskView complete(long id, Guard guard) {
        return move(id, guard, TaskStatus.COMPLETED, EventType.TASK_COMPLETED);
    }

    public void delete(long id) {
        delete(id, Guard.NONE);
    }

    public void delete(long id, Guard guard) {
        write(id, (em, events) -> {
            Task t = find(em, id, guard);
            em.remove(t);
            String data = "{\"id\":" + t.id() + "}";
            return new Written(null, List.of(events.append(EventType.TASK_DELETED, t.id(), t.agentWallet(), null, data)),
                    false).deleting(t.id());
        });
    }

    private TaskView move(long id, Guard guard, TaskStatus target, EventType eventType) {
        return write(id, (em, events) -> {
            Task t = find(em, id, guard);
            t.moveTo(target, events.timestamp().toEpochMilli());
            TaskView view = t.view();
            return new Written(view, List.of(events.append(eventType, t.id(), t.agentWallet(), null, json(view))), false);
        }).view();
    }

    /**
     * Runs one change in a (possibly shared) writing transaction that has taken the event lock; after the
     * commit, its events are published in order (those of a shared transaction in id order, change by change).
     */
    private Written write(GroupCommit.Unit<Tx, Written> work) {
        return write(null, work);
    }

    /** {@link #write(GroupCommit.Unit)} for a change of an existing task, loaded with the others of a shared transaction. */
    private Written write(Long taskId, GroupCommit.Unit<Tx, Written> work) {
        try {
            return writes.submit(taskId, (em, tx) -> work.run(em, tx).inEpoch(tx.cacheEpoch), this::publish);
        } catch (RuntimeException | Error e) {
            if (cache != null && !(e instanceof RuntimeException r && failsAlone(r))) {
                // It may have committed (a lost connection at the commit) without this node's cache hearing of it.
                cache.clear();
            }
            throw e;
        }
    }

    /**
     * Loads, in one query, the tasks the changes of a shared transaction are about to find (after the event
     * lock, so the latest committed rows): each change's {@code em.find} is then answered from the persistence
     * context. Tasks that do not exist are simply not loaded; their change's find answers 404 as before.
     *
     * <p>The ids are bound, their list padded to a power of two with its last id (a key found twice is read once), so
     * that a handful of statement texts serve every batch size: on PostgreSQL each is prepared on the server and, after
     * five runs, planned once rather than for every batch (written into the statement, the ids cost a plan each time:
     * 80 µs of PostgreSQL's CPU inside the serialized write section, docs/benchmarks.md, twenty-second session). Such a
     * plan is kept for the connection's life, and one made while the table was small would be a sequential scan, kept
     * as the table grows (20-35 ms per batch on a 100,000-task table, the twelfth session): a write transaction on
     * PostgreSQL plans without whole-table scans ({@link EventLog#begin(EntityManager, dev.atlas.db.CacheLease.Pass)}),
     * so its plan is an index scan whenever it was made.
     */
    void loadTasks(EntityManager em, List<Object> ids) {
        if (ids.isEmpty()) {
            return;
        }
        int n = ids.size();
        int padded = Integer.bitCount(n) == 1 ? n : Integer.highestOneBit(n) << 1;
        List<Object> bound = new ArrayList<>(padded);
        bound.addAll(ids);
        while (bound.size() < padded) {
            bound.add(ids.get(n - 1));
        }
        em.createQuery("SELECT t FROM Task t WHERE t.id IN :ids", Task.class).setParameter("ids", bound).getResultList();
    }

    /** After the commit, before the caller hears of it: the cache first, then the events (a client may read on one). */
    private void publish(Written w) {
        TaskCache c = cache;
        if (c != null && !w.replayed()) {
            if (w.deletedId() != 0) {
                c.putDeleted(w.deletedId(), w.epoch());
            } else if (w.view() != null) {
                c.putWritten(w.view(), w.epoch());
            }
        }
        for (TaskEvent e : w.events()) {
            try {
                publisher.accept(e);
            } catch (RuntimeException ex) {
                // The change is committed and its event is in the outbox; a push failure must not fail the call.
                LOG.log(Level.WARNING, "Publishing event " + e.id() + " failed", ex);
            }
        }
    }

    /** The task, if it exists and the guard lets the caller see it (else not found), at the version it names. */
    private static Task find(EntityManager em, long id, Guard guard) {
        Task t = em.find(Task.class, id);
        if (t == null) {
            throw new TaskNotFoundException(id);
        }
        allow(id, t.agentWallet(), t.version(), guard);
        return t;
    }

    /** Throws unless the guard lets the caller see the task (else not found) at the version it names. */
    private static void allow(long id, String agentWallet, long version, Guard guard) {
        if (guard.onlyWallet() != null && !guard.onlyWallet().equals(agentWallet)) {
            throw new TaskNotFoundException(id);
        }
        if (guard.ifMatch() != null && !guard.ifMatch().isEmpty() && !guard.ifMatch().contains(version)) {
            throw new PreconditionFailedException(id, version);
        }
    }

    private static TaskView parse(String json) {
        try {
            return JSON.readValue(json, TaskView.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A stored task cannot be read back", e);
        }
    }

    private static void throwIfAny(List<FieldError> errors) {
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
    }

    static String json(TaskView view) {
        try {
            return JSON.writeValueAsString(view);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("TaskView cannot be serialized", e);
        }
    }

    /**
     * A change's answer, its events, whether it is an idempotent replay, the task it deleted (0: none) and the cache
     * epoch of its transaction.
     */
    private record Written(TaskView view, List<TaskEvent> events, boolean replayed, long deletedId, long epoch) {
        Written(TaskView view, List<TaskEvent> events, boolean replayed) {
            this(view, events, replayed, 0, 0);
        }

        Written deleting(long id) {
            return new Written(view, events, replayed, id, epoch);
        }

        Written inEpoch(long e) {
            return new Written(view, events, replayed, deletedId, e);
        }
    }
}
