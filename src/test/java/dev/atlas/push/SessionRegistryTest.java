package dev.atlas.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.atlas.config.AtlasConfig;
import dev.atlas.config.ConfigException;
import dev.atlas.push.ws.JsonWire;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SessionRegistryTest {

    private static SessionRegistry registry(String senders) {
        SessionRegistry r = new SessionRegistry();
        r.config = AtlasConfig.load(Map.of("ATLAS_PUSH_SENDERS", senders), null);
        r.init();
        return r;
    }

    private static PushSession session(String id) {
        return new PushSession(id, "ws", JsonWire.INSTANCE, new SessionWriter(new RecordingTransport(), 10, 1 << 20));
    }

    @Test
    void senderCountFollowsTheSettingOrTheCores() {
        assertEquals(3, SessionRegistry.senders(3, 8));
        assertEquals(1, SessionRegistry.senders(0, 1));
        assertEquals(1, SessionRegistry.senders(0, 2));
        assertEquals(1, SessionRegistry.senders(0, 3));
        assertEquals(2, SessionRegistry.senders(0, 4));
        assertEquals(SessionRegistry.MAX_AUTO_SENDERS, SessionRegistry.senders(0, 64));
        assertEquals("ATLAS_PUSH_SENDERS must be 0 (automatic) or more, got -1",
                assertThrows(ConfigException.class, () -> registry("-1")).getMessage());
    }

    @Test
    void sessionsAreSpreadEvenlyAndEachIsInExactlyOneShare() {
        SessionRegistry r = registry("3");
        assertEquals(3, r.shards());
        for (int i = 0; i < 10; i++) {
            r.add(session("s" + i));
        }
        r.add(session("s4")); // again: no second entry
        assertEquals(10, r.size());
        Set<String> seen = new HashSet<>();
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < r.shards(); i++) {
            sizes.add(r.shard(i).size());
            r.shard(i).forEach(s -> assertEquals(true, seen.add(s.id()), s.id() + " in two shares"));
        }
        assertEquals(List.of(4, 3, 3), sizes);
        assertEquals(10, seen.size());

        r.remove("s0");
        r.remove("s0");
        r.remove("nobody");
        assertEquals(9, r.size());
        int iterated = 0;
        for (PushSession ignored : r.all()) {
            iterated++;
        }
        assertEquals(9, iterated);
        assertEquals(Map.of("ws", 9), r.countByTransport());
        assertEquals(Map.of("unauthenticated", 9), r.countByRole());
    }
}
