package dev.atlas.push;

import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import jakarta.websocket.server.ServerContainer;
import java.util.logging.Logger;

/**
 * Sizes the container's per-session WebSocket message buffers with the standard API, before any session opens.
 * Tomcat allocates both for every session before {@code onOpen} (the text buffer as {@code char[]}, two bytes a
 * character) and its defaults are 8 Ki each: 24 KiB of heap per idle connection that Atlas never needs. Client
 * messages are small (a ping, a token, a resume) and both endpoints take text in parts and join them within the
 * byte limit, so a small text buffer only means more parts for a long token; binary messages are refused at their
 * first part.
 */
@WebListener
public class PushContainerSetup implements ServletContextListener {
    /** Characters per part of a client text message. */
    static final int TEXT_BUFFER_CHARS = 256;
    /** Bytes per part of a client binary message (refused anyway). */
    static final int BINARY_BUFFER_BYTES = 128;
    private static final Logger LOG = Logger.getLogger(PushContainerSetup.class.getName());

    @Override
    public void contextInitialized(ServletContextEvent event) {
        Object container = event.getServletContext().getAttribute(ServerContainer.class.getName());
        if (container instanceof ServerContainer sc) {
            sc.setDefaultMaxTextMessageBufferSize(TEXT_BUFFER_CHARS);
            sc.setDefaultMaxBinaryMessageBufferSize(BINARY_BUFFER_BYTES);
        } else {
            LOG.severe("The servlet container has no WebSocket container (jakarta.websocket): /ws and the WebSocket "
                    + "transport of /socket.io/ cannot work");
        }
    }
}
