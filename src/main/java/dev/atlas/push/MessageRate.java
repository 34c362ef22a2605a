package dev.atlas.push;

/**
 * The client-message limit of one connection ({@code ATLAS_WS_MAX_MESSAGES_PER_MINUTE}), counted where the
 * client's messages enter, on every wire: a fixed one-minute window. Used by one reading thread at a time.
 */
public final class MessageRate {
    private final int perMinute;
    private long windowStart;
    private int inWindow;

    public MessageRate(int perMinute) {
        this.perMinute = perMinute;
    }

    /** Counts one message; true when it is over the limit (the caller closes with 1008). */
    public boolean exceeded() {
        long now = System.currentTimeMillis();
        if (now - windowStart >= 60_000) {
            windowStart = now;
            inWindow = 0;
        }
        return ++inWindow > perMinute;
    }

    /** The reason a connection closed by this limit is given. */
    public String reason() {
        return "more than " + perMinute + " messages in a minute";
    }
}
