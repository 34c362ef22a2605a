package dev.atlas.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP exchange written byte for byte over its own connection, for what the JDK client will not send or would
 * correct: another source address, {@code TRACE}, a malformed header, {@code %00} in the path, a request line or
 * header over the server's limit. The request ends the connection ({@code Connection: close}), and the whole reply
 * is read until the server closes it, bounded by a read timeout. The body is as sent: an HTTP/1.1 reply without a
 * length comes chunked.
 */
final class RawHttp {
    /** The reply: status, headers (names lower case; a repeated header keeps its last value), the body as text. */
    record Reply(int status, Map<String, String> headers, String head, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        /** The reply as it came, head and body. */
        String whole() {
            return head + "\r\n\r\n" + body;
        }
    }

    private RawHttp() {
    }

    /**
     * {@code request}: the request line and headers, each ending in CRLF, without Host or Connection; then, if there
     * is a body, a blank line and the body.
     */
    static Reply exchange(String from, int port, String request) {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            int firstLine = request.indexOf("\r\n") + 2;
            int bodyAt = request.indexOf("\r\n\r\n");
            String head = bodyAt < 0 ? request : request.substring(0, bodyAt + 2);
            String body = bodyAt < 0 ? "" : request.substring(bodyAt + 4);
            String whole = head.substring(0, firstLine) + "Host: 127.0.0.1:" + port + "\r\nConnection: close\r\n"
                    + head.substring(firstLine) + "\r\n" + body;
            out.write(whole.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.UTF_8);
            int end = text.indexOf("\r\n\r\n");
            if (end < 0) {
                throw new IllegalStateException("no complete reply head to " + request.lines().findFirst().orElse("")
                        + ": " + text);
            }
            String replyHead = text.substring(0, end);
            String[] lines = replyHead.split("\r\n");
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
            }
            return new Reply(Integer.parseInt(lines[0].split(" ")[1]), headers, replyHead, text.substring(end + 4));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An HTTP/1.0 GET (so that no reply is chunked) from {@code from} with these headers. */
    static Reply get(String from, int port, String path, Map<String, String> headers) {
        StringBuilder req = new StringBuilder("GET " + path + " HTTP/1.0\r\n");
        headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
        return exchange(from, port, req.toString());
    }
}
