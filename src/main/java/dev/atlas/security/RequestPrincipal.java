package dev.atlas.security;

/**
 * The principal of the {@code /api} request the current thread is serving, as the authentication filter
 * established it: how the task resource, one instance for the application, learns who is calling.
 *
 * <p>Why not a {@code @Context SecurityContext} parameter: Jersey resolves that per request through HK2's request
 * scope, 3.6 % of a REST request's CPU in a profile (docs/benchmarks.md, eighth session), for a value the filter
 * already holds. A request is served on one thread from the JAX-RS filters to the resource method (no resource of
 * this application is asynchronous), so a thread-local carries it.
 *
 * <p>Never one request's caller in another's: the authentication filter {@link #clear()}s it first thing for every
 * {@code /api} request, before it decides anything, so a request it refuses or lets through without a token (wallet
 * sign-in) has none; and the servlet filter around {@code /api} clears it when the request ends, so an idle pooled
 * thread holds nothing. {@link #get()} on a thread without one fails rather than guess.
 */
public final class RequestPrincipal {
    private static final ThreadLocal<Principal> CURRENT = new ThreadLocal<>();

    private RequestPrincipal() {
    }

    /** The caller of this thread's request, once authenticated. */
    public static void set(Principal principal) {
        CURRENT.set(java.util.Objects.requireNonNull(principal, "principal"));
    }

    /** The caller of this thread's request; fails when the request was not authenticated on this thread. */
    public static Principal get() {
        Principal p = CURRENT.get();
        if (p == null) {
            throw new IllegalStateException("no authenticated principal on this thread's /api request");
        }
        return p;
    }

    /** Forgets the caller: a request begins or ends. */
    public static void clear() {
        CURRENT.remove();
    }
}
