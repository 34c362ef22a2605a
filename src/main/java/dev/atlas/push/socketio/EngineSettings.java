package dev.atlas.push.socketio;

import dev.atlas.config.AtlasConfig;
import dev.atlas.config.Setting;

/**
 * The Engine.IO timings and limits from settings. Immutable. {@code maxPayloadBytes} is the one size limit of a
 * session, advertised as the open packet's {@code maxPayload} and enforced on both transports: a polling body (413)
 * and a WebSocket message (1009). {@code maxMessagesPerMinute} is the client-message limit shared with {@code /ws}.
 */
record EngineSettings(long pingIntervalMillis, long pingTimeoutMillis, int maxPayloadBytes, int maxMessagesPerMinute,
                      int maxQueuedMessages, long maxQueuedBytes) {
    static EngineSettings from(AtlasConfig c) {
        return new EngineSettings(c.getLong(Setting.SIO_PING_INTERVAL_MS), c.getLong(Setting.SIO_PING_TIMEOUT_MS),
                c.getInt(Setting.SIO_MAX_PAYLOAD_BYTES), c.getInt(Setting.WS_MAX_MESSAGES_PER_MINUTE),
                c.getInt(Setting.WS_QUEUE_MAX_MESSAGES), c.getLong(Setting.WS_QUEUE_MAX_BYTES));
    }

    Handshake handshake(String sid, boolean polling) {
        return polling
                ? Handshake.forPolling(sid, pingIntervalMillis, pingTimeoutMillis, maxPayloadBytes)
                : Handshake.forWebSocket(sid, pingIntervalMillis, pingTimeoutMillis, maxPayloadBytes);
    }
}
