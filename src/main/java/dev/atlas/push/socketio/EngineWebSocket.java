package dev.atlas.push.socketio;

import dev.atlas.push.CloseCodes;
import dev.atlas.push.websocket.WebSocketConnection;
import dev.atlas.security.Principal;

/**
 * The WebSocket transport of {@code /socket.io/}, installed by {@link SocketIoServlet} after it has
 * checked the request (so a bad {@code EIO} or sid gets the protocol's HTTP error, not a socket). Either
 * a new session (handshake sent on open) or the upgrade of a polling session (probe first).
 *
 * <p>One instance per connection; the connection calls it from one thread at a time.
 */
final class EngineWebSocket implements WebSocketConnection.Listener {
    private final EngineServer server;
    private final String sid;
    private final Principal principal;
    private final String clientIp;
    private EngineSession session;

    /**
     * @param sid       the polling session to upgrade, or null for a new session
     * @param principal who the handshake authenticated (new sessions only), or null
     * @param clientIp  the client's IP holding a connection slot (new sessions only), or null
     */
    EngineWebSocket(EngineServer server, String sid, Principal principal, String clientIp) {
        this.server = server;
        this.sid = sid;
        this.principal = principal;
        this.clientIp = clientIp;
    }

    @Override
    public void onOpen(WebSocketConnection ws) {
        if (sid == null) {
            session = server.openWebSocket(ws, principal, clientIp);
            return;
        }
        session = server.find(sid);
        if (session == null) {
            ws.close(CloseCodes.POLICY_VIOLATION, "Session ID unknown");
            return;
        }
        session.beginProbe(ws);
    }

    @Override
    public void onText(WebSocketConnection ws, String message) {
        if (session != null) {
            session.onWebSocketMessage(ws, message);
        }
    }

    @Override
    public void onClose(WebSocketConnection ws, int code) {
        if (session != null) {
            session.onWebSocketClosed(ws);
        }
    }
}
