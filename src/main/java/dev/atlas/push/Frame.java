package dev.atlas.push;

/**
 * A message ready for the wire: its text, built once, and its size in UTF-8 bytes, measured once. The dispatcher
 * builds one Frame per event and wire and offers the same instance to every session, so neither building the text
 * nor queue accounting costs anything per session. Immutable.
 *
 * <p>The text is made encodable first: a lone surrogate (which a client can put in a task title as the JSON escape
 * {@code \ud800}, and which Jackson writes out raw) is replaced by its JSON escape. Every Atlas frame is JSON or an
 * Engine.IO packet around JSON, where such a character can only stand inside a string, so the escape means the same
 * text to the client; unescaped, the container's UTF-8 encoder refuses the message and every session it is sent to
 * would fail (1011), again at each replay.
 */
public final class Frame {
    private final String text;
    private final int bytes;
    private final long committedAtMillis;

    private Frame(String text, long committedAtMillis) {
        this.text = escapeLoneSurrogates(text);
        this.bytes = utf8Length(this.text);
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

    /** {@code text} with every unpaired surrogate replaced by its JSON escape; the same instance when there is none. */
    static String escapeLoneSurrogates(String text) {
        int len = text.length();
        int i = 0;
        while (i < len && !lone(text, i)) {
            i += Character.isHighSurrogate(text.charAt(i)) ? 2 : 1;
        }
        if (i >= len) {
            return text;
        }
        StringBuilder b = new StringBuilder(len + 12).append(text, 0, i);
        while (i < len) {
            char c = text.charAt(i);
            if (lone(text, i)) {
                b.append(String.format("\\u%04x", (int) c));
                i++;
            } else if (Character.isHighSurrogate(c)) {
                b.append(c).append(text.charAt(i + 1));
                i += 2;
            } else {
                b.append(c);
                i++;
            }
        }
        return b.toString();
    }

    /** Whether the char at {@code i} is a surrogate without its partner. */
    private static boolean lone(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        }
        return Character.isLowSurrogate(c);
    }

    /** The UTF-8 length of a string without encoding it (well-formed UTF-16: frames have no unpaired surrogates). */
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
