package dev.atlas.push.websocket;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Builds client-to-server frames for the decoder tests: masked by default with a fixed non-trivial key, FIN
 * set, RSV 0, shortest length encoding; each property can be changed to build a faulty frame.
 */
final class ClientFrame {
    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    /** Default masking key: distinct bytes, none zero, so that an index error shows. */
    static final byte[] KEY = {(byte) 0x37, (byte) 0xFA, (byte) 0x21, (byte) 0x3D};

    private final int opcode;
    private boolean fin = true;
    private int rsv;
    private byte[] key = KEY;
    private byte[] payload = new byte[0];
    /** 0: shortest; 2: force the 16-bit form; 8: force the 64-bit form. */
    private int lengthBytes;
    /** Overrides the announced payload length (the payload bytes written stay as set). */
    private long announcedLength = -1;

    private ClientFrame(int opcode) {
        this.opcode = opcode;
    }

    static ClientFrame of(int opcode) {
        return new ClientFrame(opcode);
    }

    static ClientFrame text(String s) {
        return of(TEXT).payload(s);
    }

    static ClientFrame continuation(String s) {
        return of(CONTINUATION).payload(s);
    }

    ClientFrame fin(boolean value) {
        this.fin = value;
        return this;
    }

    /** @param bits the three RSV bits as 0-7 (RSV1 = 4, RSV2 = 2, RSV3 = 1) */
    ClientFrame rsv(int bits) {
        this.rsv = bits;
        return this;
    }

    /** @param value the 4-byte masking key, or null for an unmasked frame */
    ClientFrame key(byte[] value) {
        this.key = value;
        return this;
    }

    ClientFrame payload(byte[] value) {
        this.payload = value;
        return this;
    }

    ClientFrame payload(String utf8) {
        return payload(utf8.getBytes(StandardCharsets.UTF_8));
    }

    ClientFrame lengthBytes(int value) {
        this.lengthBytes = value;
        return this;
    }

    ClientFrame announcedLength(long value) {
        this.announcedLength = value;
        return this;
    }

    byte[] build() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write((fin ? 0x80 : 0) | (rsv << 4) | opcode);
        long n = announcedLength >= 0 ? announcedLength : payload.length;
        int maskBit = key == null ? 0 : 0x80;
        int form = lengthBytes != 0 ? lengthBytes : n < 126 ? 0 : n < 65536 ? 2 : 8;
        if (form == 0) {
            out.write(maskBit | (int) n);
        } else {
            out.write(maskBit | (form == 2 ? 126 : 127));
            for (int i = form - 1; i >= 0; i--) {
                out.write((int) (n >>> (8 * i)));
            }
        }
        if (key != null) {
            out.writeBytes(key);
        }
        for (int i = 0; i < payload.length; i++) {
            out.write(key == null ? payload[i] : payload[i] ^ key[i & 3]);
        }
        return out.toByteArray();
    }

    /** The frames' bytes one after another. */
    static byte[] concat(byte[]... frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] f : frames) {
            out.writeBytes(f);
        }
        return out.toByteArray();
    }

    /** A close frame payload: 2-byte code then the reason bytes. */
    static byte[] closePayload(int code, byte[] reason) {
        byte[] p = new byte[2 + reason.length];
        p[0] = (byte) (code >>> 8);
        p[1] = (byte) code;
        System.arraycopy(reason, 0, p, 2, reason.length);
        return p;
    }
}
