package dev.atlas.push.socketio;

import dev.atlas.config.AtlasConfig;
import dev.atlas.config.Setting;

/** The Engine.IO timings and limits from settings. Immutable. */
record EngineSettings(long pingIntervalMillis, long pingTimeoutMillis, int maxPayloadBytes, int maxMessageBytes,
                      int maxQueuedMessages, long maxQueuedBytes) {
    static EngineSettings from(AtlasConfig c) {
        return new EngineSettings(c.getLong(Setting.SIO_PING_INTERVAL_MS), c.getLong(Setting.SIO_PING_TIMEOUT_MS),
                c.getInt(Setting.SIO_MAX_PAYLOAD_BYTES), c.getInt(Setting.WS_MAX_MESSAGE_BYTES),
                c.getInt(Setting.WS_QUEUE_MAX_MESSAGES), c.getLong(Setting.WS_QUEUE_MAX_BYTES));
    }

    Handshake handshake(String sid, boolean polling) {
        return polling
                ? Handshake.forPolling(sid, pingIntervalMillis, pingTimeoutMillis, maxPayloadBytes)
                : Handshake.forWebSocket(sid, pingIntervalMillis, pingTimeoutMillis, maxPayloadBytes);
    }
}
