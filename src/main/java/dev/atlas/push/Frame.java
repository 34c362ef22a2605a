package dev.atlas.push;

/**
 * A message ready for the wire: its text, built once, and its size in UTF-8 bytes, measured once. The dispatcher
 * builds one Frame per event and wire and offers the same instance to every session, so neither building the text
 * nor queue accounting costs anything per session. Immutable.
 */
public final class Frame {
    private final String text;
    private final int bytes;
    private final long committedAtMillis;

    private Frame(String text, long committedAtMillis) {
        this.text = text;
        this.bytes = utf8Length(text);
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

    public long committedAtMillis() {
        return committedAtMillis;
    }

    /** The UTF-8 length of a string without encoding it (a lone surrogate counts as the one '?' it becomes). */
    public static int utf8Length(CharSequence s) {
        int n = 0;
        for (int i = 0, len = s.length(); i < len; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += Character.isSurrogate(c) ? 1 : 3;
            }
        }
        return n;
    }

    @Override
    public String toString() {
        return text;
    }
}
