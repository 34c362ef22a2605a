package dev.atlas.push;

import dev.atlas.metrics.Metrics;
import dev.atlas.security.AuthenticationException;
import dev.atlas.security.Authenticator;
import dev.atlas.security.Principal;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.logging.Logger;

/**
 * The authentication of one push connection, the same on every wire: a connection without a principal must
 * authenticate within the deadline ({@code ATLAS_AUTH_TIMEOUT_SECONDS}) or is closed with 1008; an authenticated
 * one is closed with 1008 when its token expires, unless it authenticated again in-band, which moves the expiry;
 * and it joins the push pipeline exactly once, at its first authentication ({@link Owner#register}).
 *
 * <p>Threading: every method may be called from any thread; the owner's callbacks are called without a lock held
 * (the deadline and expiry from the timer thread).
 */
public final class AuthLifecycle {
    private static final Logger LOG = Logger.getLogger(AuthLifecycle.class.getName());

    /** The connection this lifecycle belongs to. */
    public interface Owner {
        /** The first successful authentication: the connection joins the push pipeline as {@code principal}. */
        void register(Principal principal);

        /** Closes the connection (1008 on a missed deadline or an expired token). */
        void close(int code, String reason);
    }

    private final Authenticator authenticator;
    private final PushThreads threads;
    private final Metrics metrics;
    private final String channel;
    private final String connection;
    private final Owner owner;

    // guarded by this
    private ScheduledFuture<?> timer;
    private boolean registered;
    private boolean ended;

    /**
     * @param channel    {@code ws} or {@code socket.io}: the wire, in logs and meters
     * @param connection what logs call the connection (its id and client IP)
     */
    public AuthLifecycle(Authenticator authenticator, PushThreads threads, Metrics metrics, String channel,
            String connection, Owner owner) {
        this.authenticator = authenticator;
        this.threads = threads;
        this.metrics = metrics;
        this.channel = channel;
        this.connection = connection;
        this.owner = owner;
    }

    /**
     * Starts the lifecycle: with the handshake's principal the connection is authenticated at once; without one
     * (null) the deadline runs.
     */
    public void start(Principal fromHandshake) {
        if (fromHandshake != null) {
            authenticated(fromHandshake);
            return;
        }
        synchronized (this) {
            if (ended) {
                return;
            }
            timer = threads.schedule(() -> owner.close(CloseCodes.POLICY_VIOLATION, "authentication required"),
                    authenticator.authTimeout());
        }
    }

    /** Whether authentication is required at all (it is not in the development mode {@code ATLAS_AUTH=off}). */
    public boolean required() {
        return authenticator.enabled();
    }

    /**
     * Verifies a token the client sent in-band and, if it is good, authenticates (or re-authenticates) the
     * connection with it. A refusal is logged and counted, never with the token; the caller tells the client
     * and decides whether to close.
     */
    public Principal authenticate(String token) throws AuthenticationException {
        Principal p = verify(token);
        authenticated(p);
        return p;
    }

    /** Verifies a token without changing the connection (logged and counted when refused). */
    public Principal verify(String token) throws AuthenticationException {
        try {
            return authenticator.verify(token);
        } catch (AuthenticationException e) {
            LOG.info(() -> "Authentication failed on " + channel + " " + connection + ": " + e.getMessage());
            metrics.authFailure(channel, e.reason());
            throw e;
        }
    }

    /**
     * The connection is authenticated as {@code p}: the deadline (or the previous token's expiry) is replaced by
     * {@code p}'s expiry, and the first time the owner registers the connection.
     */
    public void authenticated(Principal p) {
        boolean register;
        synchronized (this) {
            if (ended) {
                return;
            }
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
            if (!p.expiresAt().equals(Instant.MAX)) {
                timer = threads.schedule(() -> {
                    LOG.info(() -> "Token expired on " + channel + " " + connection);
                    owner.close(CloseCodes.POLICY_VIOLATION, "token expired");
                }, Duration.between(Instant.now(), p.expiresAt()));
            }
            register = !registered;
            registered = true;
        }
        if (register) {
            LOG.info(() -> "Authenticated " + channel + " " + connection + " as " + describe(p));
            owner.register(p);
        }
    }

    /** Whether the connection joined the push pipeline. */
    public synchronized boolean registered() {
        return registered;
    }

    /**
     * Starts over without a principal, as after a Socket.IO namespace disconnect: the next authentication
     * registers again. No deadline runs until {@link #start}.
     */
    public synchronized void reset() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        registered = false;
    }

    /** The connection ended: no deadline or expiry fires any more. Idempotent. */
    public synchronized void end() {
        ended = true;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** A principal for logs: role, wallet, subject; never the token. */
    public static String describe(Principal p) {
        return p.role().claim() + (p.wallet() == null ? "" : " " + p.wallet())
                + (p.subject() == null ? "" : " (sub " + p.subject() + ")");
    }
}
