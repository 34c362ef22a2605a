package dev.atlas.push.ws;

import dev.atlas.push.CloseCodes;
import jakarta.websocket.CloseReason;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.nio.ByteBuffer;

/**
 * {@code /ws}: the container's WebSocket endpoint, one instance per connection, made by {@link WsConfigurator}. It
 * holds no application state: each callback goes to the connection's {@link WsConnection}, made by the
 * application-scoped {@link WsSessions} manager. Text messages arrive in parts (the connection joins them and
 * enforces the size limit in bytes); a binary message is closed with 1003 (Tomcat would otherwise swallow it).
 *
 * <p>The container calls one method at a time per connection.
 */
@ServerEndpoint(value = "/ws", configurator = WsConfigurator.class)
public class WsEndpoint {
    private final WsSessions sessions;
    private WsConnection connection;

    WsEndpoint(WsSessions sessions) {
        this.sessions = sessions;
    }

    @OnOpen
    public void onOpen(Session session, EndpointConfig config) {
        connection = sessions.open(session, config.getUserProperties());
    }

    @OnMessage
    public void onText(String part, boolean last) {
        if (connection != null) {
            connection.onText(part, last);
        }
    }

    /** Binary messages are not part of the protocol: 1003 at the first part, nothing buffered. */
    @OnMessage
    public void onBinary(ByteBuffer part, boolean last) {
        if (connection != null) {
            connection.close(CloseCodes.UNSUPPORTED_DATA, "binary messages are not supported");
        }
    }

    @OnMessage
    public void onPong(PongMessage pong) {
        if (connection != null) {
            connection.onPong();
        }
    }

    @OnClose
    public void onClose(Session session, CloseReason reason) {
        if (connection != null) {
            connection.ended(reason.getCloseCode().getCode());
        }
    }

    @OnError
    public void onError(Session session, Throwable t) {
        if (connection != null) {
            connection.failed(t);
        }
    }
}
