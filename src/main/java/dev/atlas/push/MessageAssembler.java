package dev.atlas.push;

/**
 * Joins the parts of one client WebSocket text message and enforces the size limit in UTF-8 bytes. The endpoints
 * take messages in parts so that the container's per-session text buffer stays small whatever the limit (Tomcat
 * allocates it for every session, two bytes per character, before the first message), and so that the limit is
 * counted in bytes, as documented, not in the container's characters.
 *
 * <p>One instance per connection; used by the container's one reading thread at a time.
 */
public final class MessageAssembler {
    private final int maxBytes;
    private final StringBuilder message = new StringBuilder();
    private int bytes;
    private boolean tooBig;

    public MessageAssembler(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    /**
     * Adds a part. Returns the whole message when {@code last}, null while incomplete, and null forever once the
     * limit is passed ({@link #tooBig()} then says so, and the caller closes with 1009).
     */
    public String add(String part, boolean last) {
        if (tooBig) {
            return null;
        }
        bytes += Frame.utf8Length(part);
        if (bytes > maxBytes) {
            tooBig = true;
            message.setLength(0);
            return null;
        }
        if (last && message.length() == 0) {
            bytes = 0;
            return part; // the common case: a message in one part, no copy
        }
        message.append(part);
        if (!last) {
            return null;
        }
        String whole = message.toString();
        message.setLength(0);
        bytes = 0;
        return whole;
    }

    public boolean tooBig() {
        return tooBig;
    }

    public int maxBytes() {
        return maxBytes;
    }
}
