package dev.atlas.it;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A WebSocket client written from RFC 6455 on a plain {@link Socket} (loopback only), for protocol tests that
 * must hold whatever implementation serves {@code /ws}: it does the HTTP/1.1 upgrade by hand, sends frames it
 * builds byte by byte (any FIN/RSV/opcode/payload, masked with a random key unless told otherwise) and reads
 * the server's frames raw, checking that they are unmasked. Every read has a timeout ({@link #TIMEOUT_MS}),
 * every loop a bound. Not thread-safe: one test drives one instance.
 */
final class RawWebSocket implements AutoCloseable {
    static final int TIMEOUT_MS = 10_000;
    static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_HEADER_BYTES = 16 * 1024;
    private static final long MAX_FRAME_BYTES = 16L * 1024 * 1024;
    private static final int MAX_SKIPPED_FRAMES = 1000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final HttpAnswer handshake;
    private final String key;
    private boolean closeSent;

    /** One frame as it came off the wire. */
    record Frame(boolean fin, int rsv, int opcode, boolean masked, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The close code of a close frame: 1005 (no status) for an empty payload, -1 for a 1-byte one. */
        int closeCode() {
            if (payload.length == 0) {
                return 1005;
            }
            if (payload.length == 1) {
                return -1;
            }
            return ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
        }

        @Override
        public String toString() {
            String body = opcode == TEXT || opcode == CONTINUATION
                    ? abbreviate(text()) : payload.length + " bytes";
            return "Frame[fin=" + fin + ", rsv=" + rsv + ", opcode=" + opcode + ", masked=" + masked + ", " + body + "]";
        }
    }

    /** An HTTP response: status, headers (names lower-cased; repeated ones joined with ", ") and body. */
    record HttpAnswer(int status, String statusLine, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private RawWebSocket(Socket socket, HttpAnswer handshake, String key) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.handshake = handshake;
        this.key = key;
    }

    /** A new random 16-byte key, base64: what a client sends as Sec-WebSocket-Key. */
    static String newKey() {
        byte[] k = new byte[16];
        RANDOM.nextBytes(k);
        return Base64.getEncoder().encodeToString(k);
    }

    /** base64(SHA-1(key + GUID)), the only acceptable Sec-WebSocket-Accept for {@code key}. */
    static String acceptFor(String key) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), TIMEOUT_MS);
        s.setSoTimeout(TIMEOUT_MS);
        s.setTcpNoDelay(true);
        return s;
    }

    /** The standard upgrade request headers for {@code key}, in order; callers may change or remove some. */
    static Map<String, String> upgradeHeaders(int port, String key) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Host", "127.0.0.1:" + port);
        h.put("Upgrade", "websocket");
        h.put("Connection", "Upgrade");
        h.put("Sec-WebSocket-Key", key);
        h.put("Sec-WebSocket-Version", "13");
        return h;
    }

    /**
     * Upgrades {@code pathAndQuery} with the standard headers plus {@code extra} (a null value removes a
     * header) and fails unless the answer is a 101 with the right Sec-WebSocket-Accept.
     */
    static RawWebSocket open(int port, String pathAndQuery, Map<String, String> extra) {
        String key = newKey();
        Map<String, String> headers = upgradeHeaders(port, key);
        extra.forEach((k, v) -> {
            if (v == null) {
                headers.remove(k);
            } else {
                headers.put(k, v);
            }
        });
        Socket s = null;
        try {
            s = connect(port);
            writeRequest(s.getOutputStream(), "GET", pathAndQuery, headers);
            HttpAnswer answer = readHead(s.getInputStream());
            if (answer.status() != 101) {
                throw new AssertionError("expected 101 Switching Protocols, got " + answer.statusLine() + " "
                        + answer.headers());
            }
            String accept = answer.header("Sec-WebSocket-Accept");
            if (!acceptFor(key).equals(accept)) {
                throw new AssertionError("Sec-WebSocket-Accept " + accept + " for key " + key + ", expected "
                        + acceptFor(key));
            }
            return new RawWebSocket(s, answer, key);
        } catch (IOException e) {
            closeQuietly(s);
            throw new AssertionError("WebSocket handshake on " + pathAndQuery + " failed", e);
        } catch (AssertionError | RuntimeException e) {
            closeQuietly(s);
            throw e;
        }
    }

    /**
     * Sends one HTTP/1.1 request with exactly these headers on a new connection and returns the answer's head
     * and, when it declares one (Content-Length or chunked), its body. For refused handshakes.
     */
    static HttpAnswer request(int port, String method, String pathAndQuery, Map<String, String> headers) {
        try (Socket s = connect(port)) {
            writeRequest(s.getOutputStream(), method, pathAndQuery, headers);
            return readAnswer(s.getInputStream());
        } catch (IOException e) {
            throw new AssertionError(method + " " + pathAndQuery + " failed", e);
        }
    }

    /** Reads one answer (head, and its body when it declares one) from a connection that may carry more. */
    static HttpAnswer readAnswer(InputStream in) throws IOException {
        HttpAnswer head = readHead(in);
        return new HttpAnswer(head.status(), head.statusLine(), head.headers(), readBody(in, head));
    }

    private static void writeRequest(OutputStream out, String method, String target, Map<String, String> headers)
            throws IOException {
        StringBuilder req = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
        req.append("\r\n");
        out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Reads the status line and headers, byte by byte so that nothing after the blank line is consumed. */
    private static HttpAnswer readHead(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            if (buf.size() >= MAX_HEADER_BYTES) {
                throw new IOException("response head longer than " + MAX_HEADER_BYTES + " bytes");
            }
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection ended inside the response head: " + buf.toString(StandardCharsets.ISO_8859_1));
            }
            buf.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String[] lines = buf.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        String statusLine = lines[0];
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.x status line: " + statusLine);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = lines[i].substring(colon + 1).trim();
                headers.merge(name, value, (a, b) -> a + ", " + b);
            }
        }
        return new HttpAnswer(Integer.parseInt(parts[1]), statusLine, headers, new byte[0]);
    }

    private static byte[] readBody(InputStream in, HttpAnswer head) throws IOException {
        String length = head.header("Content-Length");
        if (length != null) {
            int n = Integer.parseInt(length.trim());
            if (n < 0 || n > MAX_FRAME_BYTES) {
                throw new IOException("Content-Length " + n);
            }
            return readExactly(in, n);
        }
        String te = head.header("Transfer-Encoding");
        if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            for (int chunks = 0; chunks < 10_000; chunks++) {
                String sizeLine = readLine(in);
                int semi = sizeLine.indexOf(';');
                int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
                if (size == 0) {
                    return body.toByteArray(); // trailers, if any, are not needed
                }
                if (body.size() + size > MAX_FRAME_BYTES) {
                    throw new IOException("chunked body too long");
                }
                body.write(readExactly(in, size));
                readLine(in);
            }
            throw new IOException("too many chunks");
        }
        return new byte[0];
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (line.size() < MAX_HEADER_BYTES) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection ended inside a line");
            }
            if (b == '\n') {
                String s = line.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            line.write(b);
        }
        throw new IOException("line too long");
    }

    private static byte[] readExactly(InputStream in, long n) throws IOException {
        byte[] b = new byte[(int) n];
        int off = 0;
        while (off < n) {
            int r = in.read(b, off, (int) n - off);
            if (r < 0) {
                throw new EOFException("connection ended after " + off + " of " + n + " bytes ("
                        + new String(b, 0, off, StandardCharsets.ISO_8859_1) + ")");
            }
            off += r;
        }
        return b;
    }

    HttpAnswer handshake() {
        return handshake;
    }

    String key() {
        return key;
    }

    // ---- frames out ----

    /** Builds one frame: FIN, RSV bits (0-7, RSV1 = 4), opcode, payload; masked with a random key if asked. */
    static byte[] frame(boolean fin, int rsv, int opcode, byte[] payload, boolean mask) {
        ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
        f.write((fin ? 0x80 : 0) | ((rsv & 0x7) << 4) | (opcode & 0xF));
        int maskBit = mask ? 0x80 : 0;
        if (payload.length <= 125) {
            f.write(maskBit | payload.length);
        } else if (payload.length <= 0xFFFF) {
            f.write(maskBit | 126);
            f.write(payload.length >>> 8);
            f.write(payload.length & 0xFF);
        } else {
            f.write(maskBit | 127);
            long len = payload.length;
            for (int shift = 56; shift >= 0; shift -= 8) {
                f.write((int) (len >>> shift) & 0xFF);
            }
        }
        if (mask) {
            byte[] key = new byte[4];
            RANDOM.nextBytes(key);
            f.writeBytes(key);
            byte[] masked = new byte[payload.length];
            for (int i = 0; i < payload.length; i++) {
                masked[i] = (byte) (payload[i] ^ key[i & 3]);
            }
            f.writeBytes(masked);
        } else {
            f.writeBytes(payload);
        }
        return f.toByteArray();
    }

    /** Sends one frame (see {@link #frame}). */
    void send(boolean fin, int rsv, int opcode, byte[] payload, boolean mask) throws IOException {
        if (opcode == CLOSE) {
            closeSent = true;
        }
        out.write(frame(fin, rsv, opcode, payload, mask));
        out.flush();
    }

    /** Sends a well-formed masked frame. */
    void send(boolean fin, int opcode, byte[] payload) throws IOException {
        send(fin, 0, opcode, payload, true);
    }

    /** Sends a whole text message in one masked frame. */
    void sendText(String text) throws IOException {
        send(true, TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends a masked close frame with this code and reason. */
    void sendClose(int code, String reason) throws IOException {
        byte[] r = reason.getBytes(StandardCharsets.UTF_8);
        byte[] p = new byte[2 + r.length];
        p[0] = (byte) (code >>> 8);
        p[1] = (byte) code;
        System.arraycopy(r, 0, p, 2, r.length);
        send(true, CLOSE, p);
    }

    // ---- frames in ----

    /**
     * The next frame the server sends, exactly as sent; fails if it is masked (servers must not mask), if it
     * does not come within the timeout, or if the connection ends first.
     */
    Frame readFrame() throws IOException {
        int b0 = in.read();
        if (b0 < 0) {
            throw new EOFException("connection ended, no frame");
        }
        int b1 = readByte();
        boolean masked = (b1 & 0x80) != 0;
        long len = b1 & 0x7F;
        if (len == 126) {
            len = ((long) readByte() << 8) | readByte();
        } else if (len == 127) {
            len = 0;
            for (int i = 0; i < 8; i++) {
                len = (len << 8) | readByte();
            }
        }
        if (len < 0 || len > MAX_FRAME_BYTES) {
            throw new IOException("frame length " + len);
        }
        byte[] key = masked ? readExactly(in, 4) : null;
        byte[] payload;
        try {
            payload = readExactly(in, len);
        } catch (EOFException e) {
            throw new EOFException(e.getMessage() + " of a frame with first byte 0x" + Integer.toHexString(b0)
                    + " (opcode " + (b0 & 0xF) + ")");
        }
        if (masked) {
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= key[i & 3];
            }
        }
        Frame f = new Frame((b0 & 0x80) != 0, (b0 >>> 4) & 0x7, b0 & 0xF, masked, payload);
        if (masked) {
            throw new AssertionError("the server masked a frame (RFC 6455 5.1 forbids it): " + f);
        }
        return f;
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("connection ended inside a frame");
        }
        return b;
    }

    /**
     * The next frame that is not a server ping; a ping (the server's heartbeat) is answered with a pong as a
     * client must, and skipped.
     */
    Frame next() throws IOException {
        for (int i = 0; i < MAX_SKIPPED_FRAMES; i++) {
            Frame f = readFrame();
            if (f.opcode() != PING) {
                return f;
            }
            send(true, PONG, f.payload());
        }
        throw new AssertionError("more than " + MAX_SKIPPED_FRAMES + " pings in a row");
    }

    /** The next complete text message (joined from its fragments), skipping server pings. */
    String nextText() throws IOException {
        Frame f = next();
        if (f.opcode() != TEXT) {
            throw new AssertionError("expected a text frame, got " + f);
        }
        ByteArrayOutputStream msg = new ByteArrayOutputStream();
        msg.writeBytes(f.payload());
        for (int i = 0; !f.fin(); i++) {
            if (i >= MAX_SKIPPED_FRAMES) {
                throw new AssertionError("text message in more than " + MAX_SKIPPED_FRAMES + " fragments");
            }
            f = next();
            if (f.opcode() != CONTINUATION) {
                throw new AssertionError("expected a continuation frame, got " + f);
            }
            msg.writeBytes(f.payload());
        }
        return msg.toString(StandardCharsets.UTF_8);
    }

    /**
     * Waits for the server's close frame and the end of the connection; returns the close code. Text frames
     * (events, replies still in flight) and server pings before it are skipped. A close frame that breaks the
     * RFC (not FIN, payload of 1 byte or over 125, a reason that is not UTF-8) fails. When this client has not
     * sent a close frame itself it answers with one echoing the code, as RFC 6455 5.5.1 asks (best effort: the
     * server may already have ended the connection). Then the connection must end — EOF or a reset — within
     * the timeout, with no frame after the close.
     */
    int awaitClose() throws IOException {
        Frame close = null;
        for (int i = 0; i < MAX_SKIPPED_FRAMES && close == null; i++) {
            Frame f;
            try {
                f = next();
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no close frame within " + TIMEOUT_MS + " ms", e);
            } catch (SocketException | EOFException e) {
                throw new AssertionError("the connection ended without a close frame: " + e, e);
            }
            if (f.opcode() == CLOSE) {
                close = f;
            }
        }
        if (close == null) {
            throw new AssertionError("no close frame among " + MAX_SKIPPED_FRAMES + " frames");
        }
        checkCloseFrame(close);
        int code = close.closeCode();
        if (!closeSent) {
            try {
                sendClose(code == 1005 ? 1000 : code, "");
            } catch (IOException e) {
                // the server closed the connection already: allowed
            }
        }
        awaitEnd();
        return code;
    }

    static void checkCloseFrame(Frame close) {
        if (!close.fin() || close.rsv() != 0) {
            throw new AssertionError("close frame must be FIN with no RSV bits: " + close);
        }
        if (close.payload().length == 1 || close.payload().length > 125) {
            throw new AssertionError("close frame payload of " + close.payload().length + " bytes");
        }
        if (close.payload().length > 2) {
            try {
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(close.payload(), 2, close.payload().length - 2));
            } catch (CharacterCodingException e) {
                throw new AssertionError("close reason is not UTF-8", e);
            }
        }
    }

    /**
     * Waits until the server ends the TCP connection: read returns -1 or the connection is reset. Fails on a
     * timeout and on any byte after the close frame.
     */
    void awaitEnd() {
        try {
            int b = in.read();
            if (b >= 0) {
                throw new AssertionError("data after the close frame (first byte 0x" + Integer.toHexString(b) + ")");
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server did not end the TCP connection within " + TIMEOUT_MS + " ms", e);
        } catch (SocketException e) {
            // connection reset: counts as ended
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Ends the TCP connection with no close frame; with {@code reset}, with an RST instead of a FIN. */
    void abort(boolean reset) throws IOException {
        if (reset) {
            socket.setSoLinger(true, 0);
        }
        socket.close();
    }

    @Override
    public void close() {
        closeQuietly(socket);
    }

    private static void closeQuietly(Socket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // nothing to do
            }
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "… (" + s.length() + " chars)";
    }
}
