package dev.atlas.push.socketio;

import java.util.List;
import java.util.Objects;

/**
 * The data of the Engine.IO {@code open} packet, the first thing a new session receives:
 * {@code 0{"sid":"…","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}}.
 * Fields are written in exactly that order, the order of the reference server.
 *
 * <p>A session that starts on long-polling is offered {@code ["websocket"]}; a session opened directly
 * on WebSocket has nowhere to upgrade to and gets {@code []} (use {@link #forPolling} and
 * {@link #forWebSocket}).
 *
 * <p>Immutable, so thread-safe.
 *
 * @param sid the Engine.IO session id (see {@link Sids})
 * @param upgrades transports the client may upgrade to
 * @param pingIntervalMillis how often the server sends a ping
 * @param pingTimeoutMillis how long the server waits for the pong before closing the session
 * @param maxPayloadBytes the largest polling body the server accepts; the client batches packets below it
 */
public record Handshake(String sid, List<String> upgrades, long pingIntervalMillis, long pingTimeoutMillis,
                        long maxPayloadBytes) {
    public static final long DEFAULT_PING_INTERVAL_MILLIS = 25_000;
    public static final long DEFAULT_PING_TIMEOUT_MILLIS = 20_000;
    public static final long DEFAULT_MAX_PAYLOAD_BYTES = 1_000_000;

    /** The only transport a polling session can upgrade to. */
    public static final String WEBSOCKET = "websocket";

    public Handshake {
        Objects.requireNonNull(sid, "sid");
        upgrades = List.copyOf(upgrades);
        if (pingIntervalMillis <= 0 || pingTimeoutMillis <= 0 || maxPayloadBytes <= 0) {
            throw new IllegalArgumentException("pingInterval, pingTimeout and maxPayload must be positive");
        }
    }

    /** The handshake of a session that started on HTTP long-polling: it may upgrade to WebSocket. */
    public static Handshake forPolling(String sid, long pingIntervalMillis, long pingTimeoutMillis,
                                       long maxPayloadBytes) {
        return new Handshake(sid, List.of(WEBSOCKET), pingIntervalMillis, pingTimeoutMillis, maxPayloadBytes);
    }

    /** The handshake of a WebSocket-only session: no upgrades. */
    public static Handshake forWebSocket(String sid, long pingIntervalMillis, long pingTimeoutMillis,
                                         long maxPayloadBytes) {
        return new Handshake(sid, List.of(), pingIntervalMillis, pingTimeoutMillis, maxPayloadBytes);
    }

    /** The handshake JSON object, fields in the reference order. */
    public String json() {
        StringBuilder out = new StringBuilder(128);
        out.append("{\"sid\":");
        JsonText.appendQuoted(out, sid);
        out.append(",\"upgrades\":[");
        for (int i = 0; i < upgrades.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            JsonText.appendQuoted(out, upgrades.get(i));
        }
        out.append("],\"pingInterval\":").append(pingIntervalMillis)
                .append(",\"pingTimeout\":").append(pingTimeoutMillis)
                .append(",\"maxPayload\":").append(maxPayloadBytes)
                .append('}');
        return out.toString();
    }

    /** The {@code open} packet carrying {@link #json()}. */
    public EnginePacket packet() {
        return new EnginePacket(EnginePacket.Type.OPEN, json());
    }

    /** The text of the {@code open} packet: {@code 0} followed by {@link #json()}. */
    public String encode() {
        return packet().encode();
    }
}
