package dev.atlas.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.config.AtlasConfig;
import dev.atlas.config.ConfigException;
import dev.atlas.security.AuthenticationException;
import dev.atlas.security.AuthenticationException.Reason;
import dev.atlas.security.Principal;
import dev.atlas.security.Role;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Who may read /metrics, for every kind of peer, forwarding header and token. */
class MetricsAccessTest {
    static final String METRICS_TOKEN = "prometheus-scrape-0123456789";
    static final Principal ADMIN = new Principal("ops", Role.ADMIN, null, Instant.MAX);
    static final Principal AGENT = new Principal("a", Role.AGENT, "0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", Instant.MAX);

    /** Tokens as the server would check them (auth on): "admin" and "agent" are valid, anything else is refused. */
    static Principal verify(String token) throws AuthenticationException {
        if (token == null) {
            throw new AuthenticationException(Reason.MISSING);
        }
        return switch (token) {
            case "admin" -> ADMIN;
            case "agent" -> AGENT;
            default -> throw new AuthenticationException(Reason.BAD_SIGNATURE);
        };
    }

    final MetricsAccess local = new MetricsAccess(MetricsAccess.Mode.LOCAL, METRICS_TOKEN);

    MetricsAccess.Outcome decide(MetricsAccess a, String peer, String xff, String realIp, String forwarded, String bearer) {
        return a.decide(peer, xff, realIp, forwarded, bearer, MetricsAccessTest::verify);
    }

    @Test
    void localClientsReadWithoutAToken() {
        for (String peer : new String[] {"127.0.0.1", "0:0:0:0:0:0:0:1", "::1", "[::1]", "::ffff:127.0.0.1"}) {
            MetricsAccess.Outcome o = decide(local, peer, null, null, null, null);
            assertTrue(o.allowed(), peer);
            assertEquals("local", o.how());
        }
        assertTrue(decide(local, "127.0.0.1", "127.0.0.1", "127.0.0.1", null, null).allowed(),
                "relayed by a local proxy for a local client");
    }

    @Test
    void otherPeersNeedAToken() {
        for (String peer : new String[] {"192.0.2.7", "127.0.0.2", "10.0.0.1", "2001:db8::1", "::", "0.0.0.0", "localhost", "", null}) {
            MetricsAccess.Outcome o = decide(local, peer, null, null, null, null);
            assertFalse(o.allowed(), String.valueOf(peer));
            assertEquals(401, o.status());
            assertEquals(Reason.MISSING, o.failure());
        }
    }

    @Test
    void aRequestRelayedByALocalProxyForAnotherClientIsNotLocal() {
        assertEquals(401, decide(local, "127.0.0.1", "203.0.113.9", null, null, null).status());
        assertEquals(401, decide(local, "127.0.0.1", "127.0.0.1, 203.0.113.9", null, null, null).status());
        assertEquals(401, decide(local, "127.0.0.1", null, "203.0.113.9", null, null).status());
        assertEquals(401, decide(local, "127.0.0.1", null, null, "for=203.0.113.9", null).status());
        assertEquals(401, decide(local, "127.0.0.1", "garbage", null, null, null).status());
    }

    @Test
    void forwardingHeadersFromARemotePeerNeverMakeItLocal() {
        assertEquals(401, decide(local, "192.0.2.7", "127.0.0.1", "127.0.0.1", null, null).status());
        assertEquals(401, decide(local, "192.0.2.7", "::1", null, null, null).status());
    }

    @Test
    void theMetricsTokenOrAnAdminTokenOpensIt() {
        MetricsAccess.Outcome byMetricsToken = decide(local, "192.0.2.7", null, null, null, METRICS_TOKEN);
        assertTrue(byMetricsToken.allowed());
        assertEquals("metrics token", byMetricsToken.how());
        MetricsAccess.Outcome byAdmin = decide(local, "192.0.2.7", null, null, null, "admin");
        assertTrue(byAdmin.allowed());
        assertEquals("admin token", byAdmin.how());
    }

    @Test
    void anAgentTokenIsForbiddenAndABadTokenUnauthorized() {
        MetricsAccess.Outcome agent = decide(local, "192.0.2.7", null, null, null, "agent");
        assertEquals(403, agent.status());
        assertNull(agent.failure());
        MetricsAccess.Outcome bad = decide(local, "192.0.2.7", null, null, null, METRICS_TOKEN + "x");
        assertEquals(401, bad.status());
        assertEquals(Reason.BAD_SIGNATURE, bad.failure());
    }

    @Test
    void withoutAMetricsTokenOnlyAdminsRead() {
        MetricsAccess noToken = new MetricsAccess(MetricsAccess.Mode.LOCAL, "");
        assertEquals(401, decide(noToken, "192.0.2.7", null, null, null, "").status());
        assertTrue(decide(noToken, "192.0.2.7", null, null, null, "admin").allowed());
    }

    @Test
    void tokenModeAsksLocalClientsForATokenToo() {
        MetricsAccess token = new MetricsAccess(MetricsAccess.Mode.TOKEN, METRICS_TOKEN);
        assertEquals(401, decide(token, "127.0.0.1", null, null, null, null).status());
        assertTrue(decide(token, "127.0.0.1", null, null, null, METRICS_TOKEN).allowed());
    }

    @Test
    void openModeAsksNobody() {
        MetricsAccess open = new MetricsAccess(MetricsAccess.Mode.OPEN, "");
        assertTrue(decide(open, "192.0.2.7", null, null, null, null).allowed());
    }

    @Test
    void developmentModeIsOpenAsTheApiIs() {
        MetricsAccess.Outcome o = local.decide("192.0.2.7", null, null, null, null,
                t -> dev.atlas.security.Authenticator.DEVELOPMENT);
        assertTrue(o.allowed());
    }

    @Test
    void settingsAreCheckedAtStart() {
        assertEquals(MetricsAccess.Mode.LOCAL, MetricsAccess.from(AtlasConfig.load(Map.of(), null)).mode());
        assertEquals(MetricsAccess.Mode.TOKEN, MetricsAccess.from(config("ATLAS_METRICS_ACCESS", "Token")).mode());
        assertEquals(MetricsAccess.Mode.OPEN, MetricsAccess.from(config("ATLAS_METRICS_ACCESS", "open")).mode());
        ConfigException bad = assertThrows(ConfigException.class, () -> MetricsAccess.from(config("ATLAS_METRICS_ACCESS", "public")));
        assertTrue(bad.getMessage().contains("ATLAS_METRICS_ACCESS"), bad.getMessage());
        ConfigException shortToken = assertThrows(ConfigException.class, () -> MetricsAccess.from(config("ATLAS_METRICS_TOKEN", "short")));
        assertTrue(shortToken.getMessage().contains("ATLAS_METRICS_TOKEN"), shortToken.getMessage());
        assertThrows(ConfigException.class, () -> MetricsAccess.from(config("ATLAS_METRICS_TOKEN", "has spaces in it, sixteen+")));
        MetricsAccess.from(config("ATLAS_METRICS_TOKEN", METRICS_TOKEN));
    }

    static AtlasConfig config(String name, String value) {
        return AtlasConfig.load(Map.of(name, value), null);
    }
}
