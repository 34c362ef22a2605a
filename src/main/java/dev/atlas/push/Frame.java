package dev.atlas.push;

/**
 * A message ready for the wire with its UTF-8 size, measured once. The dispatcher builds one Frame per
 * event and wire and offers the same instance to every session, so queue accounting costs nothing per
 * session. Immutable.
 *
 * @param committedAtMillis for a live event, when it committed (epoch milliseconds), so that the writer can
 *                          measure the delivery latency when the send completes; 0 for anything else
 *                          (hello, pong, replayed events)
 */
public record Frame(String text, int bytes, long committedAtMillis) {
    public Frame(String text, int bytes) {
        this(text, bytes, 0);
    }

    public static Frame of(String text) {
        return new Frame(text, Utf8.length(text));
    }

    /** A live event's frame, which carries its commit time for the delivery latency. */
    public static Frame event(String text, long committedAtMillis) {
        return new Frame(text, Utf8.length(text), committedAtMillis);
    }
}
