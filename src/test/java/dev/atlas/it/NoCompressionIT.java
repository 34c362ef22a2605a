package dev.atlas.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code /ws} and {@code /socket.io/} decline {@code permessage-deflate}, which every browser offers: a
 * compressed session would compress each event again for itself (the frame is no longer built once) and hold
 * its own zlib state (docs/benchmarks.md measured both). A raw handshake shows what the server negotiated.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NoCompressionIT {
    AtlasProcess server;

    @BeforeAll
    void start() {
        server = new AtlasProcess("no-compression", Map.of()).start();
    }

    @AfterAll
    void stop() {
        server.stop();
    }

    @Test
    void wsDeclinesPermessageDeflate() throws IOException {
        List<String> head = handshake("/ws");
        assertEquals("HTTP/1.1 101", head.get(0).substring(0, 12), () -> "upgrade refused: " + head);
        assertFalse(head.stream().anyMatch(h -> h.toLowerCase().startsWith("sec-websocket-extensions:")),
                () -> "an extension was negotiated: " + head);
    }

    @Test
    void socketIoDeclinesPermessageDeflate() throws IOException {
        List<String> head = handshake("/socket.io/?EIO=4&transport=websocket");
        assertEquals("HTTP/1.1 101", head.get(0).substring(0, 12), () -> "upgrade refused: " + head);
        assertFalse(head.stream().anyMatch(h -> h.toLowerCase().startsWith("sec-websocket-extensions:")),
                () -> "an extension was negotiated: " + head);
    }

    /** Sends a browser-like upgrade request offering permessage-deflate; returns the response's head lines. */
    private List<String> handshake(String path) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\n"
                    + "Host: 127.0.0.1:" + server.port() + "\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            List<String> head = new ArrayList<>();
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                head.add(line);
            }
            return head;
        }
    }
}
