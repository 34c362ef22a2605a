package dev.atlas.push;

import java.time.Instant;

/**
 * One connected client, whatever its transport: an id, the transport name shown in counts, its
 * {@link Wire}, and the client's {@link SessionWriter}. Immutable apart from the writer, which is thread-safe.
 */
public final class PushSession {
    private final String id;
    private final String transport;
    private final Wire wire;
    private final SessionWriter writer;
    private final Instant openedAt = Instant.now();

    public PushSession(String id, String transport, Wire wire, SessionWriter writer) {
        this.id = id;
        this.transport = transport;
        this.wire = wire;
        this.writer = writer;
    }

    /** How events are framed for this session. */
    public Wire wire() {
        return wire;
    }

    public String id() {
        return id;
    }

    /** {@code ws} for {@code /ws}, {@code socket.io} for {@code /socket.io/}. */
    public String transport() {
        return transport;
    }

    public SessionWriter writer() {
        return writer;
    }

    public Instant openedAt() {
        return openedAt;
    }

    private final java.util.concurrent.atomic.AtomicBoolean resumeClaimed = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * A session resumes at most once, from the first position it gives (in its URL or connect payload, or in a
     * resume message): true for that first claim, false for every later one, which the caller refuses with an
     * explicit error rather than a second replay.
     */
    public boolean claimResume() {
        return resumeClaimed.compareAndSet(false, true);
    }

    // ---- replay (guarded by this) ----
    /** Written once by the dispatcher before the session is registered; read by the sender threads. */
    private volatile long helloId = -1;
    private boolean replaying;
    private java.util.ArrayList<Frame> heldLive;

    /** The id the session's hello carried: every later event reaches it live, earlier ones only by replay. */
    long helloId() {
        return helloId;
    }

    void helloSent(long id) {
        helloId = id;
    }

    private volatile dev.atlas.security.Principal viewer;
    private volatile boolean greeted;

    /** Who is connected: decides which events this session receives. Null until authenticated. */
    public void viewer(dev.atlas.security.Principal p) {
        viewer = p;
    }

    public dev.atlas.security.Principal viewer() {
        return viewer;
    }

    /** The protocol already greeted the client itself (Socket.IO's connect reply): no hello on registration. */
    public void greeted() {
        greeted = true;
    }

    boolean alreadyGreeted() {
        return greeted;
    }

    /**
     * Whether this session may receive the event: admins every event; an agent only events of tasks assigned
     * to it, plus the one {@code taskUpdated} that takes a task away from it (so its app can drop the task).
     */
    public boolean canSee(dev.atlas.event.TaskEvent e) {
        dev.atlas.security.Principal v = viewer;
        if (v == null) {
            return false;
        }
        if (v.isAdmin()) {
            return true;
        }
        String w = v.wallet();
        return w.equals(e.agentWallet())
                || (e.type() == dev.atlas.event.EventType.TASK_UPDATED && w.equals(e.previousWallet()));
    }

    /**
     * A live event, from the dispatcher thread: queued for the client, or held back while a replay runs.
     * False when it was refused (the session is closed, or is being closed as a slow consumer).
     */
    boolean deliverLive(Frame frame) {
        synchronized (this) {
            if (replaying) {
                heldLive.add(frame);
                if (heldLive.size() > writer.capacity()) {
                    heldLive = null;
                    replaying = false;
                    writer.close(CloseCodes.TRY_AGAIN_LATER, "slow consumer: replay did not keep up with live events");
                    return false;
                }
                return true;
            }
        }
        return writer.offer(frame);
    }

    /** From now on live events wait until {@link #endReplay}. */
    synchronized void beginReplay() {
        replaying = true;
        heldLive = new java.util.ArrayList<>();
    }

    synchronized boolean isReplaying() {
        return replaying;
    }

    /**
     * Ends a replay: sends {@code first} (a resync notice, or null), then the live events held meanwhile,
     * in order, and lets later ones through directly.
     */
    void endReplay(Frame first) {
        synchronized (this) {
            if (!replaying) {
                return;
            }
            if (first != null) {
                writer.offer(first);
            }
            for (Frame f : heldLive) {
                writer.offer(f);
            }
            heldLive = null;
            replaying = false;
        }
    }
}
