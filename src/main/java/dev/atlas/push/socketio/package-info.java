/**
 * The pure wire layer of the {@code /socket.io/} endpoint: Engine.IO protocol v4 packets and long-polling
 * payloads, Socket.IO protocol v5 packets, the handshake, the polling error bodies and session ids.
 *
 * <p>Nothing here touches a servlet, a WebSocket session or CDI: every type is an immutable value or a
 * class of static functions, so the endpoints can call them from any thread. Atlas speaks the text
 * encodings only; binary packets (Engine.IO {@code b} base64 packets, Socket.IO {@code BINARY_EVENT} and
 * {@code BINARY_ACK}) are rejected as malformed with a message that says so.
 *
 * <p>Behaviour follows the protocol documents and the compliance suites of
 * {@code socketio/engine.io-protocol} and {@code socketio/socket.io-protocol} ({@code test-suite/}), and the
 * decoder of the reference {@code socket.io-parser}; where Atlas is stricter than the reference parser the
 * type's Javadoc says so.
 */
package dev.atlas.push.socketio;
