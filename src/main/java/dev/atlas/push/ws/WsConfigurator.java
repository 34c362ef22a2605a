package dev.atlas.push.ws;

import dev.atlas.push.PlainConfigurator;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;
import java.util.Map;

/**
 * Creates each {@link WsEndpoint} with the application's {@link WsSessions} manager, looked up through CDI: Weld
 * does not inject into WebSocket endpoints under Tomcat (STACK.md), so the endpoint is a thin object the container
 * makes through this configurator. Hands what {@link WsHandshakeFilter} established to the new session's user
 * properties; negotiates no extension and no subprotocol ({@link PlainConfigurator}).
 *
 * <p>Stateless; thread-safe. The container calls {@link #modifyHandshake} on the handshake request's thread.
 */
public class WsConfigurator extends PlainConfigurator {
    static final String ACCEPTED = "atlas.ws.accepted";
    static final String RESUME_AFTER = "atlas.ws.resumeAfter";
    /** The handshake as the endpoint needs it when the filter did not see it (see {@link WsHandshakeFilter}). */
    static final String UNCHECKED = "atlas.ws.unchecked";

    /** The parts of a handshake the endpoint checks itself when the filter did not. */
    record Unchecked(String token, String origin, String host, String resumeAfter) {
    }

    @Override
    public <T> T getEndpointInstance(Class<T> endpointClass) {
        return endpointClass.cast(new WsEndpoint(CDI.current().select(WsSessions.class).get()));
    }

    @Override
    public void modifyHandshake(ServerEndpointConfig sec, HandshakeRequest request, HandshakeResponse response) {
        WsHandshakeFilter.Checked checked = WsHandshakeFilter.CHECKED.get();
        Map<String, Object> props = sec.getUserProperties();
        if (checked != null) {
            checked.taken = true;
            props.put(ACCEPTED, checked.accepted);
            if (checked.resumeAfter != null) {
                props.put(RESUME_AFTER, checked.resumeAfter);
            }
            return;
        }
        String authorization = first(request.getHeaders(), "Authorization");
        String token = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).trim() : first(request.getParameterMap(), "access_token");
        props.put(UNCHECKED, new Unchecked(token, first(request.getHeaders(), "Origin"),
                first(request.getHeaders(), "Host"), first(request.getParameterMap(), "lastEventId")));
    }

    /** The first value of a header or parameter; header names are matched without regard to case. */
    private static String first(Map<String, List<String>> values, String name) {
        List<String> v = values.get(name);
        if (v == null) {
            for (Map.Entry<String, List<String>> e : values.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    v = e.getValue();
                    break;
                }
            }
        }
        return v == null || v.isEmpty() ? null : v.get(0);
    }
}
