package dev.atlas.web;

import dev.atlas.event.EventRetention;
import dev.atlas.push.OutboxListener;
import dev.atlas.push.PushDispatcher;
import dev.atlas.security.AuthMode;
import dev.atlas.security.Authenticator;
import dev.atlas.task.TaskService;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.servlet.ServletContext;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Starts the application eagerly when the web application starts: keys and authentication, database and
 * migrations, the push dispatcher, event retention. A failure here (bad settings, no key for a WAR,
 * database unreachable) fails the deployment with the reason in the log, instead of failing the first
 * request.
 *
 * <p>The embedded launcher marks its deployment with the context parameter {@value #EMBEDDED_PARAM}; only
 * then may a signing secret be generated, and the startup tokens are handed back to it through the
 * context attribute {@value #TOKENS_ATTRIBUTE} for its console banner (never to the log).
 */
@ApplicationScoped
public class AtlasLifecycle {
    public static final String EMBEDDED_PARAM = "atlas.embedded";
    public static final String TOKENS_ATTRIBUTE = "atlas.startupTokens";
    private static final Logger LOG = Logger.getLogger(AtlasLifecycle.class.getName());

    @Inject
    Authenticator authenticator;
    @Inject
    PushDispatcher dispatcher;
    @Inject
    EventRetention retention;
    @Inject
    TaskService tasks;
    @Inject
    AuthFilter.ApiLimits limits;
    @Inject
    OutboxListener listener;

    private ScheduledExecutorService housekeeping;

    void onStart(@Observes @Initialized(ApplicationScoped.class) ServletContext ctx) {
        authenticator.configure("true".equals(ctx.getInitParameter(EMBEDDED_PARAM)));
        housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "atlas-housekeeping");
            t.setDaemon(true);
            return t;
        });
        if (!authenticator.enabled()) {
            housekeeping.scheduleAtFixedRate(() -> LOG.warning(AuthMode.DEVELOPMENT_WARNING), 5, 5, TimeUnit.MINUTES);
        }
        housekeeping.scheduleWithFixedDelay(() -> limits.rest().evictIdle(System.currentTimeMillis()), 1, 1, TimeUnit.MINUTES);
        housekeeping.scheduleWithFixedDelay(this::pruneKeys, 1, 60, TimeUnit.MINUTES);
        ctx.setAttribute(TOKENS_ATTRIBUTE, authenticator.startupTokens());
        retention.start();
        listener.start();
        LOG.info(() -> "Atlas started; last event id " + dispatcher.lastDispatched());
    }

    private void pruneKeys() {
        try {
            tasks.pruneIdempotencyKeys();
        } catch (RuntimeException e) {
            LOG.warning(() -> "Pruning idempotency keys failed; retrying in an hour: " + e);
        }
    }

    @PreDestroy
    void stop() {
        if (housekeeping != null) {
            housekeeping.shutdownNow();
        }
    }
}
