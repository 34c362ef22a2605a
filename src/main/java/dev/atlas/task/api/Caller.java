package dev.atlas.task.api;

import dev.atlas.security.Principal;
import dev.atlas.security.RequestPrincipal;
import dev.atlas.task.Guard;
import jakarta.ws.rs.ForbiddenException;

/**
 * Who is calling, as the authentication filter established it, and what that allows: admins do
 * everything; agents read, start and complete only the tasks assigned to them (others look absent), and
 * may not create, edit, assign or delete.
 */
final class Caller {
    private final Principal principal;

    private Caller(Principal principal) {
        this.principal = principal;
    }

    /** The caller of the request this thread is serving ({@link RequestPrincipal}). */
    static Caller current() {
        return new Caller(RequestPrincipal.get());
    }

    void requireAdmin(String action) {
        if (!principal.isAdmin()) {
            throw new ForbiddenException("Agents may not " + action + " tasks.");
        }
    }

    /** The guard that limits an agent to its own tasks (none for an admin). */
    Guard guard() {
        return principal.isAdmin() ? Guard.NONE : Guard.ownedBy(principal.wallet());
    }

    Principal principal() {
        return principal;
    }
}
