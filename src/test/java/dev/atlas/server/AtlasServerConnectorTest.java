package dev.atlas.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.atlas.config.AtlasConfig;
import java.util.Map;
import org.apache.catalina.connector.Connector;
import org.junit.jupiter.api.Test;

/**
 * The embedded run's connector is sized for many long-lived WebSockets: more connections than Tomcat's default
 * 8192 (ATLAS_MAX_CONNECTIONS), and small per-connection buffers (docs/benchmarks.md has the measurements).
 */
class AtlasServerConnectorTest {
    @Test
    void acceptsTwentyThousandConnectionsByDefault() {
        Connector c = AtlasServer.connector(AtlasConfig.load(Map.of(), null));
        assertEquals("20000", String.valueOf(c.getProperty("maxConnections")));
    }

    @Test
    void maxConnectionsFollowsTheSetting() {
        Connector c = AtlasServer.connector(AtlasConfig.load(Map.of("ATLAS_MAX_CONNECTIONS", "30000"), null));
        assertEquals("30000", String.valueOf(c.getProperty("maxConnections")));
    }

    @Test
    void perConnectionBuffersAreSmall() {
        Connector c = AtlasServer.connector(AtlasConfig.load(Map.of(), null));
        assertEquals("1024", String.valueOf(c.getProperty("socket.appReadBufSize")));
        assertEquals("1024", String.valueOf(c.getProperty("socket.appWriteBufSize")));
    }

    @Test
    void virtualThreadsFollowTheSettingAndTheRuntime() {
        boolean unpinned = Runtime.version().feature() >= RequestThreads.FIRST_UNPINNED;
        assertEquals(String.valueOf(unpinned),
                String.valueOf(AtlasServer.connector(AtlasConfig.load(Map.of(), null)).getProperty("useVirtualThreads")));
        assertEquals("false", String.valueOf(AtlasServer.connector(
                AtlasConfig.load(Map.of("ATLAS_VIRTUAL_THREADS", "off"), null)).getProperty("useVirtualThreads")));
    }
}
