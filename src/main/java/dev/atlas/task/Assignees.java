package dev.atlas.task;

import dev.atlas.config.AtlasConfig;
import dev.atlas.config.Setting;
import dev.atlas.db.Database;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;

/**
 * Who a task may be assigned to. By default any wallet that matches the pattern; with
 * {@code ATLAS_AGENTS_REGISTERED_ONLY=true}, only the wallet of an active agent of the roster (the {@code agent}
 * table, read here with SQL because the roster's entity belongs to the {@code agent} package). Thread-safe.
 */
@ApplicationScoped
public class Assignees {
    /** Outside CDI (tests): every wallet may be assigned. */
    public static final Assignees ANY = new Assignees(null, false);

    private Database db;
    private boolean registeredOnly;

    /** For CDI proxies only. */
    protected Assignees() {
    }

    @Inject
    public Assignees(Database db, AtlasConfig config) {
        this(db, "true".equalsIgnoreCase(config.get(Setting.AGENTS_REGISTERED_ONLY).trim()));
    }

    public Assignees(Database db, boolean registeredOnly) {
        this.db = db;
        this.registeredOnly = registeredOnly;
    }

    /** Adds an error on {@code field} when {@code wallet} (normalized, lower-case; null for none) may not be assigned. */
    void check(String wallet, String field, List<FieldError> errors) {
        if (!registeredOnly || wallet == null) {
            return;
        }
        boolean active = db.read(em -> !em.createNativeQuery("SELECT 1 FROM agent WHERE wallet = ? AND active = TRUE")
                .setParameter(1, wallet).getResultList().isEmpty());
        if (!active) {
            errors.add(new FieldError(field, "is not an active agent (ATLAS_AGENTS_REGISTERED_ONLY is on)"));
        }
    }
}
