package dev.atlas.push.socketio;

import dev.atlas.push.CloseCodes;
import dev.atlas.push.MessageAssembler;
import dev.atlas.push.WebSocketTransport;
import dev.atlas.security.Principal;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The WebSocket transport of {@code /socket.io/}: a programmatic endpoint of the container's
 * {@code jakarta.websocket} implementation, installed per connection by {@link SocketIoServlet} with
 * {@code ServerContainer.upgradeHttpToWebSocket} after it checked the request (so a bad {@code EIO} or sid gets
 * the protocol's HTTP error, not a socket). Either a new Engine.IO session (its handshake is sent on open) or the
 * upgrade of a polling one (probed first). What the servlet established arrives in the configuration's user
 * properties. Text messages arrive in parts and are joined here within the size limit (1009 past it).
 *
 * <p>One instance per connection, made by the container; it calls one method at a time.
 */
public class EngineWebSocket extends Endpoint {
    static final String SERVER = "atlas.sio.server";
    static final String SID = "atlas.sio.sid";
    static final String PRINCIPAL = "atlas.sio.principal";
    static final String CLIENT_IP = "atlas.sio.clientIp";
    private static final Logger LOG = Logger.getLogger(EngineWebSocket.class.getName());

    private Session session;
    private WebSocketTransport transport;
    private MessageAssembler assembler;
    private EngineTransport engine;

    /** The container makes the instance (the default configurator needs this constructor). */
    public EngineWebSocket() {
    }

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        Map<String, Object> props = config.getUserProperties();
        EngineServer server = (EngineServer) props.get(SERVER);
        this.session = session;
        transport = server.connections().webSocket(session);
        assembler = new MessageAssembler(server.settings().maxPayloadBytes());
        session.addMessageHandler(String.class, (MessageHandler.Partial<String>) this::onPart);
        session.addMessageHandler(ByteBuffer.class, (MessageHandler.Partial<ByteBuffer>) (part, last) -> onBinary());
        String sid = (String) props.get(SID);
        if (sid == null) {
            engine = server.open(this, (Principal) props.get(PRINCIPAL), (String) props.get(CLIENT_IP));
            return;
        }
        EngineTransport polling = server.find(sid);
        if (polling == null) {
            transport.close(CloseCodes.POLICY_VIOLATION, "Session ID unknown");
            return;
        }
        engine = polling;
        polling.beginProbe(this);
    }

    private void onPart(String part, boolean last) {
        String text = assembler.add(part, last);
        if (assembler.tooBig()) {
            String reason = "message larger than " + assembler.maxBytes() + " bytes";
            if (engine != null) {
                engine.onWebSocketRefused(this, CloseCodes.TOO_BIG, reason);
            } else {
                transport.close(CloseCodes.TOO_BIG, reason);
            }
        } else if (text != null && engine != null) {
            engine.onWebSocketMessage(this, text);
        }
    }

    /** Atlas speaks Engine.IO's text encoding only: a binary message ends the connection with 1003. */
    private void onBinary() {
        String reason = "binary messages are not supported";
        if (engine != null) {
            engine.onWebSocketRefused(this, CloseCodes.UNSUPPORTED_DATA, reason);
        } else {
            transport.close(CloseCodes.UNSUPPORTED_DATA, reason);
        }
    }

    /** The sending side of this connection. */
    WebSocketTransport transport() {
        return transport;
    }

    /**
     * Sends one message now, on the calling thread (the probe's answer, before the session's writer uses this
     * connection): a blocking send has completed when it returns, so it never overlaps a later asynchronous one.
     */
    void sendNow(String text) {
        try {
            session.getBasicRemote().sendText(text);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "Send failed on Socket.IO WebSocket " + session.getId(), e);
            transport.close(CloseCodes.INTERNAL_ERROR, "send failed");
        }
    }

    @Override
    public void onClose(Session session, CloseReason reason) {
        if (engine != null) {
            engine.onWebSocketClosed(this);
        }
    }

    @Override
    public void onError(Session session, Throwable t) {
        LOG.log(Level.FINE, "WebSocket error on Socket.IO WebSocket " + session.getId(), t);
    }
}
