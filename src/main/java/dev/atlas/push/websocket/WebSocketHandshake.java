package dev.atlas.push.websocket;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;

/**
 * The server's half of the RFC 6455 opening handshake (section 4.2): checks the request, then switches the
 * connection to a {@link WebSocketConnection}. No extension and no subprotocol is ever negotiated, so
 * {@code permessage-deflate} offers are declined (see docs/architecture.md: a compressed connection would
 * compress every event again for every client). Stateless.
 */
public final class WebSocketHandshake {
    /** The GUID of RFC 6455 section 1.3, appended to the client's key. */
    static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private WebSocketHandshake() {
    }

    /**
     * Why a request is not a valid opening handshake: the HTTP status to answer (400, or 426 with
     * {@code Sec-WebSocket-Version: 13} for another protocol version) and a sentence for the client.
     */
    public record Refusal(int status, String detail) {
    }

    /** Null when {@code req} is a valid opening handshake, else why not. */
    public static Refusal check(HttpServletRequest req) {
        if (!"GET".equals(req.getMethod())) {
            return new Refusal(400, "A WebSocket handshake is a GET request.");
        }
        if (!hasToken(req.getHeader("Upgrade"), "websocket")) {
            return new Refusal(400, "This is a WebSocket endpoint: connect with ws:// or wss://.");
        }
        if (!hasToken(req.getHeader("Connection"), "upgrade")) {
            return new Refusal(400, "The Connection header must include 'Upgrade'.");
        }
        if (!"13".equals(trim(req.getHeader("Sec-WebSocket-Version")))) {
            return new Refusal(426, "Only WebSocket protocol version 13 is supported.");
        }
        String key = trim(req.getHeader("Sec-WebSocket-Key"));
        if (!validKey(key)) {
            return new Refusal(400, "Sec-WebSocket-Key must be 16 bytes in base64.");
        }
        return null;
    }

    /** Answers a refusal's status and headers; the caller writes the body in its protocol's format. */
    public static void refuseHeaders(Refusal refusal, HttpServletResponse resp) {
        resp.setStatus(refusal.status());
        if (refusal.status() == 426) {
            resp.setHeader("Sec-WebSocket-Version", "13");
        }
    }

    /**
     * Accepts a request that passed {@link #check}: answers 101 with the accept key and hands the socket to a
     * new connection of {@code group} that reports to {@code listener}. Its {@code onOpen} runs once the
     * servlet has returned.
     */
    public static WebSocketConnection upgrade(HttpServletRequest req, HttpServletResponse resp, WebSocketGroup group,
            WebSocketConnection.Listener listener) throws IOException {
        resp.setHeader("Upgrade", "websocket");
        resp.setHeader("Connection", "Upgrade");
        resp.setHeader("Sec-WebSocket-Accept", acceptKey(trim(req.getHeader("Sec-WebSocket-Key"))));
        WebSocketConnection c;
        try {
            c = req.upgrade(WebSocketConnection.class);
        } catch (ServletException e) {
            throw new IOException("WebSocket upgrade failed", e);
        }
        c.configure(group, listener);
        return c;
    }

    /** {@code Sec-WebSocket-Accept} for a key: base64(SHA-1(key + GUID)). */
    static String acceptKey(String key) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-1", e);
        }
    }

    private static boolean validKey(String key) {
        if (key == null || key.length() != 24) {
            return false;
        }
        try {
            return Base64.getDecoder().decode(key).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Whether a comma-separated header value lists {@code token} (case-insensitive). */
    private static boolean hasToken(String header, String token) {
        if (header == null) {
            return false;
        }
        for (String part : header.split(",")) {
            if (part.trim().toLowerCase(Locale.ROOT).equals(token)) {
                return true;
            }
        }
        return false;
    }

    private static String trim(String s) {
        return s == null ? null : s.trim();
    }
}
