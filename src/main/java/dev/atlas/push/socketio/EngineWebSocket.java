package dev.atlas.push.socketio;

import dev.atlas.push.CloseCodes;
import dev.atlas.push.MessageAssembler;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import java.io.IOException;

/**
 * The WebSocket transport of {@code /socket.io/}, installed by {@link SocketIoServlet} after it has
 * checked the request (so a bad {@code EIO} or sid gets the protocol's HTTP error, not a socket). Either
 * a new session (handshake sent on open) or the upgrade of a polling session (probe first).
 *
 * <p>One instance per connection; the container calls it from one thread at a time.
 */
public final class EngineWebSocket extends Endpoint {
    static final String SERVER = "atlas.engineio.server";
    static final String SID = "atlas.engineio.sid";
    static final String PRINCIPAL = "atlas.engineio.principal";
    static final String CLIENT_IP = "atlas.engineio.clientIp";

    private Session ws;
    private EngineSession session;
    private MessageAssembler assembler;

    @Override
    public void onOpen(Session ws, EndpointConfig config) {
        EngineServer server = (EngineServer) config.getUserProperties().get(SERVER);
        String sid = (String) config.getUserProperties().get(SID);
        this.ws = ws;
        ws.getUserProperties().put("org.apache.tomcat.websocket.ABNORMAL_SESSION_CLOSE_SEND_TIMEOUT", 5_000L);
        assembler = new MessageAssembler(server.settings().maxMessageBytes());
        ws.addMessageHandler(String.class, (MessageHandler.Partial<String>) this::onPart);
        if (sid == null) {
            session = server.openWebSocket(ws, (dev.atlas.security.Principal) config.getUserProperties().get(PRINCIPAL),
                    (String) config.getUserProperties().get(CLIENT_IP));
            return;
        }
        session = server.find(sid);
        if (session == null) {
            try {
                ws.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(CloseCodes.POLICY_VIOLATION), "Session ID unknown"));
            } catch (IOException ignored) {
                // the client is gone already
            }
            return;
        }
        session.beginProbe(ws);
    }

    private void onPart(String part, boolean last) {
        if (session == null) {
            return;
        }
        String text = assembler.add(part, last);
        if (assembler.tooBig()) {
            session.terminate("message larger than " + assembler.maxBytes() + " bytes", CloseCodes.TOO_BIG);
        } else if (text != null) {
            session.onWebSocketMessage(ws, text);
        }
    }

    @Override
    public void onClose(Session ws, CloseReason reason) {
        if (session != null) {
            session.onWebSocketClosed(ws);
        }
    }

    @Override
    public void onError(Session ws, Throwable t) {
        if (session != null) {
            session.onWebSocketClosed(ws);
        }
    }
}
