package dev.atlas.push.websocket;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** A decoder handler that records each call as a line such as {@code text:hello} or {@code ping:0a0b}. */
final class Recorder implements FrameDecoder.Handler {
    final List<String> events = new ArrayList<>();

    @Override
    public void onText(String message) {
        events.add("text:" + message);
    }

    @Override
    public void onPing(byte[] payload) {
        events.add("ping:" + HexFormat.of().formatHex(payload));
    }

    @Override
    public void onPong(byte[] payload) {
        events.add("pong:" + HexFormat.of().formatHex(payload));
    }

    @Override
    public void onClose(int code, String reason) {
        events.add("close:" + code + ":" + reason);
    }
}
