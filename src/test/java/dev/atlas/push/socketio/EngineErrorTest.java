package dev.atlas.push.socketio;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The long-polling error bodies, exactly as the reference Engine.IO server writes them. */
class EngineErrorTest {

    @Test
    void transportUnknown() {
        assertEquals("{\"code\":0,\"message\":\"Transport unknown\"}", EngineError.UNKNOWN_TRANSPORT.json());
        assertEquals(400, EngineError.UNKNOWN_TRANSPORT.httpStatus());
    }

    @Test
    void sessionIdUnknown() {
        assertEquals("{\"code\":1,\"message\":\"Session ID unknown\"}", EngineError.UNKNOWN_SID.json());
        assertEquals(400, EngineError.UNKNOWN_SID.httpStatus());
    }

    @Test
    void badHandshakeMethod() {
        assertEquals("{\"code\":2,\"message\":\"Bad handshake method\"}", EngineError.BAD_HANDSHAKE_METHOD.json());
        assertEquals(400, EngineError.BAD_HANDSHAKE_METHOD.httpStatus());
    }

    @Test
    void badRequest() {
        assertEquals("{\"code\":3,\"message\":\"Bad request\"}", EngineError.BAD_REQUEST.json());
        assertEquals(400, EngineError.BAD_REQUEST.httpStatus());
    }

    @Test
    void forbiddenIsTheOnly403() {
        assertEquals("{\"code\":4,\"message\":\"Forbidden\"}", EngineError.FORBIDDEN.json());
        assertEquals(403, EngineError.FORBIDDEN.httpStatus());
    }

    @Test
    void unsupportedProtocolVersion() {
        assertEquals("{\"code\":5,\"message\":\"Unsupported protocol version\"}",
                EngineError.UNSUPPORTED_PROTOCOL_VERSION.json());
        assertEquals(400, EngineError.UNSUPPORTED_PROTOCOL_VERSION.httpStatus());
    }

    @Test
    void codesAreZeroToFiveInDeclarationOrder() {
        EngineError[] all = EngineError.values();
        assertEquals(6, all.length);
        for (int i = 0; i < all.length; i++) {
            assertEquals(i, all[i].code());
        }
    }

    @Test
    void messageAccessorMatchesTheBody() {
        for (EngineError e : EngineError.values()) {
            assertEquals("{\"code\":" + e.code() + ",\"message\":\"" + e.message() + "\"}", e.json());
        }
    }

    @Test
    void contentTypeIsPlainJson() {
        assertEquals("application/json", EngineError.CONTENT_TYPE);
    }
}
