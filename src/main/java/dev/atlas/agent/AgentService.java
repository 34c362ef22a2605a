package dev.atlas.agent;

import dev.atlas.config.AtlasConfig;
import dev.atlas.config.Setting;
import dev.atlas.db.Database;
import dev.atlas.security.AgentDeactivated;
import dev.atlas.task.FieldError;
import dev.atlas.task.TaskRules;
import dev.atlas.task.ValidationException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.TypedQuery;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The agent roster: list, register, change and deactivate agents, each by its wallet (validated against
 * {@code ATLAS_WALLET_PATTERN}, stored lower-case, matched case-insensitively). Deactivation keeps the row and
 * the agent's tasks; after it committed, {@link AgentDeactivated} is fired so the push side closes the agent's
 * sessions. Thread-safe: stateless apart from its collaborators.
 */
@ApplicationScoped
public class AgentService implements dev.atlas.security.WalletStatus {
    private static final Logger LOG = Logger.getLogger(AgentService.class.getName());
    public static final int NAME_MAX = 200;

    private Database db;
    private Pattern walletPattern;
    private TaskRules rules;
    private Consumer<AgentDeactivated> deactivated;

    /** For CDI proxies only. */
    protected AgentService() {
    }

    @Inject
    public AgentService(Database db, AtlasConfig config, Event<AgentDeactivated> events) {
        this(db, config.get(Setting.WALLET_PATTERN), events::fire);
    }

    /** Outside CDI (tests). */
    public AgentService(Database db, String walletRegex, Consumer<AgentDeactivated> deactivated) {
        this.db = db;
        this.walletPattern = Pattern.compile(walletRegex, Pattern.CASE_INSENSITIVE);
        this.rules = new TaskRules(walletRegex);
        this.deactivated = deactivated;
    }

    /** Every agent, by wallet; {@code active} null for all, otherwise only those with that flag. */
    public List<AgentView> list(Boolean active) {
        return db.read(em -> {
            TypedQuery<Agent> q = active == null
                    ? em.createQuery("SELECT a FROM Agent a ORDER BY a.wallet", Agent.class)
                    : em.createQuery("SELECT a FROM Agent a WHERE a.active = :active ORDER BY a.wallet", Agent.class)
                            .setParameter("active", active);
            return q.getResultList().stream().map(Agent::view).toList();
        });
    }

    /** The agent with this wallet (any case). */
    public AgentView get(String wallet) {
        String w = wallet(wallet, "wallet");
        return db.read(em -> {
            Agent a = em.find(Agent.class, w);
            if (a == null) {
                throw new AgentNotFoundException(w);
            }
            return a.view();
        });
    }

    /** Whether {@code wallet} (any case) is an active agent; false for anything that is not a wallet. */
    public boolean isActive(String wallet) {
        if (wallet == null || !walletPattern.matcher(wallet).matches()) {
            return false;
        }
        String w = wallet.toLowerCase(Locale.ROOT);
        return db.read(em -> {
            Agent a = em.find(Agent.class, w);
            return a != null && a.active();
        });
    }

    /**
     * Whether {@code wallet} is on the roster and inactive. A database that cannot be read counts as "not
     * deactivated" (logged): the token was valid, and the call it guards needs the database anyway.
     */
    @Override
    public boolean deactivated(String wallet) {
        if (wallet == null) {
            return false;
        }
        String w = wallet.toLowerCase(Locale.ROOT);
        try {
            return db.read(em -> {
                Agent a = em.find(Agent.class, w);
                return a != null && !a.active();
            });
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "Cannot read the roster for " + w, e);
            return false;
        }
    }

    /** Registers an active agent. */
    public AgentView create(String wallet, String displayName) {
        List<FieldError> errors = new ArrayList<>();
        String w = wallet(wallet, "wallet", errors);
        String name = name(displayName, true, errors);
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        long now = System.currentTimeMillis();
        try {
            return db.inTransaction(em -> {
                if (em.find(Agent.class, w) != null) {
                    throw new AgentExistsException(w);
                }
                Agent a = new Agent(w, name, now);
                em.persist(a);
                em.flush();
                return a.view();
            });
        } catch (jakarta.persistence.PersistenceException e) {
            // two registrations of one wallet at once: the primary key lets one in
            if (db.read(em -> em.find(Agent.class, w)) != null) {
                throw new AgentExistsException(w);
            }
            throw e;
        }
    }

    /** Changes an agent's display name and/or active flag (null: unchanged). */
    public AgentView update(String wallet, String displayName, Boolean active) {
        List<FieldError> errors = new ArrayList<>();
        String w = wallet(wallet, "wallet", errors);
        String name = displayName == null ? null : name(displayName, false, errors);
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        boolean[] wasActive = new boolean[1];
        AgentView view = db.inTransaction(em -> {
            Agent a = em.find(Agent.class, w);
            if (a == null) {
                throw new AgentNotFoundException(w);
            }
            wasActive[0] = a.active();
            a.change(name, active, System.currentTimeMillis());
            return a.view();
        });
        if (wasActive[0] && !view.active()) {
            fireDeactivated(w);
        }
        return view;
    }

    /** Deactivates an agent: it keeps its tasks, its sessions are closed and it can no longer sign in. */
    public AgentView deactivate(String wallet) {
        return update(wallet, null, Boolean.FALSE);
    }

    private void fireDeactivated(String wallet) {
        try {
            deactivated.accept(new AgentDeactivated(wallet));
        } catch (RuntimeException e) {
            // committed already: a failing observer must not turn the answer into an error
            LOG.log(Level.WARNING, "Observer of the deactivation of " + wallet + " failed", e);
        }
    }

    private String wallet(String raw, String field) {
        List<FieldError> errors = new ArrayList<>();
        String w = wallet(raw, field, errors);
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        return w;
    }

    /** The task API's wallet rule (TaskRules: characters, pattern, length after lower-casing), and required. */
    private String wallet(String raw, String field, List<FieldError> errors) {
        if (raw == null || raw.isBlank()) {
            errors.add(new FieldError(field, "is required"));
            return null;
        }
        return rules.wallet(raw, field, errors);
    }

    private static String name(String raw, boolean required, List<FieldError> errors) {
        String n = raw == null ? null : raw.strip();
        if (n == null || n.isEmpty()) {
            errors.add(new FieldError("displayName", required ? "is required" : "must not be blank"));
            return null;
        }
        String refused = TaskRules.refusedCharacter(n, false);
        if (refused != null) {
            errors.add(new FieldError("displayName", refused));
            return null;
        }
        if (n.codePointCount(0, n.length()) > NAME_MAX) {
            errors.add(new FieldError("displayName", "must be at most " + NAME_MAX + " characters"));
            return null;
        }
        return n;
    }
}
