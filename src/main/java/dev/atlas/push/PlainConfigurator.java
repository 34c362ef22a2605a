package dev.atlas.push;

import jakarta.websocket.Extension;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;

/**
 * The handshake policy of both WebSocket endpoints: no extension and no subprotocol. Above all no
 * {@code permessage-deflate}, which containers accept by default when a browser offers it: every message would be
 * compressed again for every client, and each connection would hold a zlib state (~288 KiB of native memory in
 * Tomcat). Stateless; thread-safe.
 */
public class PlainConfigurator extends ServerEndpointConfig.Configurator {
    @Override
    public List<Extension> getNegotiatedExtensions(List<Extension> installed, List<Extension> requested) {
        return List.of();
    }

    @Override
    public String getNegotiatedSubprotocol(List<String> supported, List<String> requested) {
        return "";
    }
}
