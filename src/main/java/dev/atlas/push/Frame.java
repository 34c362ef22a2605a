package dev.atlas.push;

import dev.atlas.push.websocket.Frames;
import java.nio.charset.StandardCharsets;

/**
 * A message ready for the wire: its text, and its whole WebSocket frame (header and UTF-8 payload), both built
 * once. The dispatcher builds one Frame per event and wire and offers the same instance to every session, so
 * neither encoding nor queue accounting costs anything per session: every WebSocket client of a wire gets the
 * same bytes written to its socket. Immutable.
 */
public final class Frame {
    private final String text;
    private final byte[] websocket;
    private final int bytes;
    private final long committedAtMillis;

    private Frame(String text, long committedAtMillis) {
        this.text = text;
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        this.bytes = utf8.length;
        this.websocket = Frames.text(utf8);
        this.committedAtMillis = committedAtMillis;
    }

    public static Frame of(String text) {
        return new Frame(text, 0);
    }

    /**
     * A live event's frame, which carries its commit time (epoch milliseconds) so that the writer can measure
     * the delivery latency when the send completes; other frames (hello, pong, replayed events) carry 0.
     */
    public static Frame event(String text, long committedAtMillis) {
        return new Frame(text, committedAtMillis);
    }

    public String text() {
        return text;
    }

    /** The message's size in UTF-8 bytes. */
    public int bytes() {
        return bytes;
    }

    /** The WebSocket text frame that carries the message, unmasked as server frames are: do not modify. */
    public byte[] websocket() {
        return websocket;
    }

    public long committedAtMillis() {
        return committedAtMillis;
    }

    @Override
    public String toString() {
        return text;
    }
}
