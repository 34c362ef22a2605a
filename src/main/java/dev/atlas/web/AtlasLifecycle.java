package dev.atlas.web;

import dev.atlas.event.EventRetention;
import dev.atlas.push.PushDispatcher;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.logging.Logger;

/**
 * Starts the application eagerly when the web application starts: database and migrations, then the
 * push dispatcher. A failure here (bad settings, database unreachable) fails the deployment with the
 * reason in the log, instead of failing the first request.
 */
@ApplicationScoped
public class AtlasLifecycle {
    private static final Logger LOG = Logger.getLogger(AtlasLifecycle.class.getName());

    @Inject
    PushDispatcher dispatcher;
    @Inject
    EventRetention retention;

    void onStart(@Observes @Initialized(ApplicationScoped.class) Object event) {
        retention.start();
        LOG.info(() -> "Atlas started; last event id " + dispatcher.lastDispatched());
    }
}
