package dev.atlas.push;

import jakarta.websocket.Extension;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;

/**
 * The handshake configurator of {@code /ws} and {@code /socket.io/}: it negotiates no extension, so
 * {@code permessage-deflate}, which every browser offers, is declined and frames go out uncompressed.
 *
 * <p>Why: a compressed connection carries its own zlib state (about 140 KiB of native memory per connection,
 * measured) and compresses every message again for every session, which undoes "each frame built once": with
 * 1,000 deflate clients the server could not keep up with 20 events/s (docs/benchmarks.md). Events are a few
 * hundred bytes of JSON; the Socket.IO server Atlas replaces does not compress either (its
 * {@code perMessageDeflate} is off by default). Stateless; thread-safe.
 */
public final class NoCompression extends ServerEndpointConfig.Configurator {
    public static final NoCompression INSTANCE = new NoCompression();

    @Override
    public List<Extension> getNegotiatedExtensions(List<Extension> installed, List<Extension> requested) {
        return List.of();
    }
}
