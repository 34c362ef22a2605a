package dev.atlas.push.socketio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atlas.push.socketio.SocketIoSocket.Recovery;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a CONNECT payload asks of connection state recovery: where to resume, and which pid to echo. */
class RecoveryTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Recovery of(String payload) throws Exception {
        return Recovery.of(payload == null ? null : JSON.readTree(payload));
    }

    @Test
    void aFirstConnectAsksForNothing() throws Exception {
        for (String p : new String[] {null, "{}", "{\"token\":\"t\"}", "[1]", "\"x\""}) {
            assertEquals(new Recovery(null, null), of(p), p);
        }
    }

    @Test
    void theOffsetIsWhereTheClientResumes() throws Exception {
        assertEquals(new Recovery("7.abc", 9L), of("{\"pid\":\"7.abc\",\"offset\":\"9\",\"token\":\"t\"}"));
    }

    @Test
    void withoutAnOffsetThePidsPositionIsUsed() throws Exception {
        assertEquals(new Recovery("7.abc", 7L), of("{\"pid\":\"7.abc\"}"));
    }

    @Test
    void atlassOwnLastEventIdComesFirst() throws Exception {
        assertEquals(new Recovery("7.abc", 3L), of("{\"pid\":\"7.abc\",\"offset\":\"9\",\"lastEventId\":3}"));
        assertEquals(new Recovery(null, 3L), of("{\"lastEventId\":\"3\"}"));
    }

    @Test
    void aPidNotOfOurMakingIsIgnored() throws Exception {
        for (String pid : List.of("\"\"", "\"abc\"", "\"7.\"", "\".abc\"", "\"7.a b\"", "\"1234567890123456789.x\"", "7",
                "{}", "\"7.abc\\n\"")) {
            Recovery r = of("{\"pid\":" + pid + "}");
            assertNull(r.pid(), pid);
            assertNull(r.resumeAfter(), pid);
        }
    }

    @Test
    void aMalformedOffsetMeansResync() throws Exception {
        // -1 is the dispatcher's "unknown event id": the client is told to resync and not recovered
        assertEquals(-1L, of("{\"pid\":\"7.abc\",\"offset\":\"x\"}").resumeAfter());
        assertEquals(-1L, of("{\"offset\":{}}").resumeAfter());
    }

    @Test
    void aNewPidStartsWithThePosition() {
        String pid = Recovery.newPid(1042);
        assertTrue(pid.startsWith("1042."), pid);
        JsonNode payload = JSON.createObjectNode().put("pid", pid);
        assertEquals(new Recovery(pid, 1042L), Recovery.of(payload), "a pid we issued parses back");
    }
}
