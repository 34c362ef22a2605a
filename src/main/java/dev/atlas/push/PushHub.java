package dev.atlas.push;

import dev.atlas.config.AtlasConfig;
import dev.atlas.config.Setting;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.inject.Inject;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * What a WebSocket endpoint needs from the application, in one application-scoped bean: the dispatcher,
 * the limits, and an executor for closes. Endpoints look it up with {@link #lookup()} because injection
 * into {@code @ServerEndpoint} instances does not happen under Weld servlet + Tomcat.
 */
@ApplicationScoped
public class PushHub {
    @Inject
    PushDispatcher dispatcher;
    @Inject
    SessionRegistry registry;
    @Inject
    AtlasConfig config;

    private final ExecutorService closer = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "atlas-push-closer");
        t.setDaemon(true);
        return t;
    });

    public static PushHub lookup() {
        return CDI.current().select(PushHub.class).get();
    }

    public SessionWriter newWriter(Transport transport) {
        return new SessionWriter(transport, config.getInt(Setting.WS_QUEUE_MAX_MESSAGES),
                config.getLong(Setting.WS_QUEUE_MAX_BYTES));
    }

    WebSocketTransport transportFor(jakarta.websocket.Session session) {
        return new WebSocketTransport(session, config.getLong(Setting.WS_SEND_TIMEOUT_MS), closer);
    }

    public int maxMessageBytes() {
        return config.getInt(Setting.WS_MAX_MESSAGE_BYTES);
    }

    public PushDispatcher dispatcher() {
        return dispatcher;
    }

    public SessionRegistry registry() {
        return registry;
    }

    /** Runs a close off the caller's thread (Tomcat writes close frames synchronously). */
    public void closeLater(Runnable close) {
        closer.execute(close);
    }

    public AtlasConfig config() {
        return config;
    }

    @PreDestroy
    void stop() {
        closer.shutdown();
    }
}
