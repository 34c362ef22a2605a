package dev.atlas.push;

import jakarta.servlet.ServletContext;
import jakarta.websocket.server.ServerContainer;
import java.util.logging.Logger;

/**
 * Sizes the per-session message buffers of the container's WebSocket sessions ({@code /ws} and
 * {@code /socket.io/}), once, when the application starts.
 *
 * <p>Tomcat gives every session a text buffer ({@code char[]}, so twice its size in bytes) and a binary buffer of
 * 8192 each by default: 24 KiB of an idle connection's memory. Atlas's endpoints take client messages in parts and
 * join them with their own limit ({@link MessageAssembler}), so a small buffer limits nothing: a longer message
 * simply arrives in more parts. Set through the standard {@link ServerContainer} API, so it holds in a stock Tomcat
 * as in the embedded run. (Tomcat's other per-session buffers follow the JVM system property
 * {@code org.apache.tomcat.websocket.DEFAULT_BUFFER_SIZE}: set by the embedded launcher and
 * {@code conf/tomcat/setenv.sh}.) Stateless.
 */
public final class WebSocketBuffers {
    /** Characters (text) and bytes (binary) per session; measured in docs/benchmarks.md. */
    public static final int MESSAGE_BUFFER = 256;
    private static final Logger LOG = Logger.getLogger(WebSocketBuffers.class.getName());

    private WebSocketBuffers() {
    }

    /** Applies the sizes to the context's WebSocket container, if it has one. */
    public static void apply(ServletContext ctx) {
        Object container = ctx.getAttribute(ServerContainer.class.getName());
        if (container instanceof ServerContainer sc) {
            sc.setDefaultMaxTextMessageBufferSize(MESSAGE_BUFFER);
            sc.setDefaultMaxBinaryMessageBufferSize(MESSAGE_BUFFER);
        } else {
            LOG.warning("No WebSocket container in this web application: /ws and /socket.io/ cannot upgrade");
        }
    }
}
