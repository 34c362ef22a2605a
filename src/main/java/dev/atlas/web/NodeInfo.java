package dev.atlas.web;

import dev.atlas.config.AtlasConfig;
import dev.atlas.config.Setting;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * This node's identity and age, for logs and diagnostics: {@code ATLAS_NODE_ID}, else the host name plus
 * a random suffix. Immutable after construction.
 */
@ApplicationScoped
public class NodeInfo {
    private final Instant startedAt = Instant.now();
    private String nodeId;

    protected NodeInfo() {
    }

    @Inject
    public NodeInfo(AtlasConfig config) {
        String configured = config.get(Setting.NODE_ID);
        this.nodeId = configured.isEmpty() ? hostName() + "-" + UUID.randomUUID().toString().substring(0, 8) : configured;
    }

    public String nodeId() {
        return nodeId;
    }

    public long uptimeSeconds() {
        return Duration.between(startedAt, Instant.now()).toSeconds();
    }

    /** The build's version, from {@code build.properties} beside this class. */
    public String version() {
        try (var in = NodeInfo.class.getResourceAsStream("build.properties")) {
            java.util.Properties p = new java.util.Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "dev");
        } catch (java.io.IOException e) {
            return "dev";
        }
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "node";
        }
    }
}
