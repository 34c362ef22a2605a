package dev.atlas.web;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * A request body checked as strict UTF-8 while it is read: the bytes pass through unchanged, each only once it
 * is known to belong to a valid character (a sequence cut by a read is held back until its end arrives), and the
 * read that reaches a malformed sequence (an overlong form such as {@code C0 AF}, an encoded surrogate {@code ED A0 80}, a
 * byte that cannot occur such as {@code FF}, a code point past U+10FFFF, a sequence cut short by the next byte or
 * by the end of the body) or a {@code 00} byte throws {@link InvalidUtf8Exception} naming the bytes and their
 * offset — before the JSON parser sees any of that read. The checking is the JDK's UTF-8 decoder with
 * {@link CodingErrorAction#REPORT}; Jackson's own UTF-8 reader accepts overlong forms and encoded surrogates.
 *
 * <p>A {@code 00} byte is refused too: a JSON text cannot contain U+0000 unescaped, and zero bytes are what
 * makes Jackson guess UTF-16 or UTF-32 instead of reading the body as the UTF-8 that RFC 8259 requires.
 * One instance per request body; not thread-safe.
 */
final class StrictUtf8InputStream extends FilterInputStream {
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    /** Decoded text is not kept, only checked: one small buffer, overwritten. */
    private final CharBuffer sink = CharBuffer.allocate(512);
    /**
     * Bytes read ahead: [pos, checked) are checked and not yet handed out; [checked, end) begin a sequence
     * that the last read cut in two (at most 3 bytes), held back until its end has come.
     */
    private final byte[] buf = new byte[2048]; // a task's body is a few hundred bytes: one per request, kept small
    private int pos;
    private int checked;
    private int end;
    /** Offset in the body of buf[0]. */
    private long origin;
    private boolean eof;

    StrictUtf8InputStream(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        if (pos == checked && !fill()) {
            return -1;
        }
        return buf[pos++] & 0xFF;
    }

    @Override
    public int read(byte[] dst, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (pos == checked && !fill()) {
            return -1;
        }
        int n = Math.min(len, checked - pos);
        System.arraycopy(buf, pos, dst, off, n);
        pos += n;
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = 0;
        while (skipped < n && (pos < checked || fill())) {
            int k = (int) Math.min(n - skipped, checked - pos);
            pos += k;
            skipped += k;
        }
        return skipped;
    }

    @Override
    public int available() {
        return checked - pos;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    @Override
    public synchronized void mark(int readlimit) {
        // not supported
    }

    @Override
    public synchronized void reset() throws IOException {
        throw new IOException("mark/reset not supported");
    }

    /** Reads and checks more of the body; false at its end (after checking that no sequence was cut short). */
    private boolean fill() throws IOException {
        while (!eof) {
            int tail = end - checked;
            System.arraycopy(buf, checked, buf, 0, tail);
            origin += checked;
            pos = 0;
            checked = 0;
            end = tail;
            int n = super.read(buf, end, buf.length - end);
            if (n < 0) {
                eof = true;
                decode(ByteBuffer.wrap(buf, 0, end), true);
                return false;
            }
            for (int i = end; i < end + n; i++) {
                if (buf[i] == 0) {
                    throw new InvalidUtf8Exception("a 00 byte (U+0000 unescaped) at offset " + (origin + i)
                            + "; JSON text cannot contain it, write \\u0000 inside a string");
                }
            }
            end += n;
            ByteBuffer in = ByteBuffer.wrap(buf, 0, end);
            decode(in, false);
            checked = in.position();
            if (checked > 0) {
                return true;
            }
        }
        return false;
    }

    private void decode(ByteBuffer in, boolean endOfInput) throws IOException {
        while (true) {
            CoderResult r = decoder.decode(in, sink, endOfInput);
            sink.clear();
            if (r.isOverflow()) {
                continue;
            }
            if (r.isError()) {
                int at = in.position();
                // the decoder may stop at the lead byte: read the bytes that tell what is wrong, when there are any
                while (!eof && end - at < 4 && end < buf.length) {
                    int n = super.read(buf, end, Math.min(4, buf.length - end));
                    if (n < 0) {
                        eof = true;
                    } else {
                        end += n;
                    }
                }
                throw new InvalidUtf8Exception(describe(ByteBuffer.wrap(buf, 0, end), at, r.length(), eof)
                        + " at offset " + (origin + at));
            }
            return; // underflow: all decoded, or an incomplete sequence left in `in` for the next read
        }
    }

    /**
     * What is wrong with the malformed sequence at {@code at} (the decoder's {@code length} bytes, plus the
     * continuation bytes its lead byte announced), in words and hex, e.g. "an overlong encoding (C0 AF)".
     */
    static String describe(ByteBuffer in, int at, int length, boolean endOfInput) {
        int b0 = in.get(at) & 0xFF;
        int announced = b0 >= 0xF8 ? 1 : b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC0 ? 2 : 1;
        int end = Math.min(at + length, in.limit());
        while (end < in.limit() && end - at < announced && (in.get(end) & 0xC0) == 0x80) {
            end++;
        }
        byte[] bad = new byte[end - at];
        in.get(at, bad);
        int b1 = bad.length > 1 ? bad[1] & 0xFF : -1;
        String what;
        if (b0 >= 0x80 && b0 <= 0xBF) {
            what = "a continuation byte without a lead byte";
        } else if (b0 >= 0xF8) {
            what = "a byte that never occurs in UTF-8";
        } else if (b0 == 0xC0 || b0 == 0xC1 || (b0 == 0xE0 && b1 >= 0x80 && b1 < 0xA0)
                || (b0 == 0xF0 && b1 >= 0x80 && b1 < 0x90)) {
            what = "an overlong encoding";
        } else if (b0 == 0xED && b1 >= 0xA0 && b1 <= 0xBF) {
            what = "an encoded surrogate (UTF-16 halves are not UTF-8)";
        } else if (b0 >= 0xF5 || (b0 == 0xF4 && b1 >= 0x90)) {
            what = "a code point beyond U+10FFFF";
        } else if (endOfInput && end == in.limit()) {
            what = "a sequence cut short by the end of the body";
        } else {
            what = "a sequence cut short";
        }
        return what + " (" + HexFormat.ofDelimiter(" ").withUpperCase().formatHex(bad) + ")";
    }
}
