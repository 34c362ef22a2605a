package dev.atlas.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The principal's invariants, its view rule and its log name; the role claim mapping. */
class PrincipalTest {
    private static final Instant EXP = Instant.parse("2026-11-25T19:00:00Z");
    private static final String W = "0x52908400098527886e0f7030069857d2e4169ee7";

    @Test
    void adminSeesEverything() {
        Principal admin = new Principal("root", Role.ADMIN, null, EXP);
        assertTrue(admin.maySee(W));
        assertTrue(admin.maySee("0xsomeoneelse"));
        assertTrue(admin.maySee(null));
    }

    @Test
    void agentSeesOnlyItsOwnWalletInAnyCase() {
        Principal agent = new Principal("alice", Role.AGENT, W, EXP);
        assertTrue(agent.maySee(W));
        assertTrue(agent.maySee(W.toUpperCase().replace("0X", "0x")));
        assertFalse(agent.maySee("0x0000000000000000000000000000000000000000"));
        assertFalse(agent.maySee(null), "unassigned tasks are not an agent's");
    }

    @Test
    void invariants() {
        assertThrows(NullPointerException.class, () -> new Principal("a", Role.AGENT, null, EXP));
        assertThrows(IllegalArgumentException.class, () -> new Principal("a", Role.AGENT, W.toUpperCase(), EXP));
        assertThrows(IllegalArgumentException.class, () -> new Principal("a", Role.ADMIN, W, EXP));
        assertThrows(NullPointerException.class, () -> new Principal("a", null, null, EXP));
        assertThrows(NullPointerException.class, () -> new Principal("a", Role.ADMIN, null, null));
    }

    @Test
    void nameForLogs() {
        assertEquals("alice", new Principal("alice", Role.AGENT, W, EXP).getName());
        assertEquals(W, new Principal(null, Role.AGENT, W, EXP).getName());
        assertEquals("admin", new Principal(null, Role.ADMIN, null, EXP).getName());
    }

    @Test
    void roleClaims() {
        assertEquals("admin", Role.ADMIN.claim());
        assertEquals("agent", Role.AGENT.claim());
        assertEquals(Optional.of(Role.ADMIN), Role.fromClaim("admin"));
        assertEquals(Optional.of(Role.AGENT), Role.fromClaim("agent"));
        assertEquals(Optional.empty(), Role.fromClaim("ADMIN"));
        assertEquals(Optional.empty(), Role.fromClaim(null));
    }

    @Test
    void algorithmNames() {
        assertEquals(Optional.of(TokenAlgorithm.RS256), TokenAlgorithm.parse(" rs256 "));
        assertEquals(Optional.of(TokenAlgorithm.HS256), TokenAlgorithm.parse("HS256"));
        assertEquals(Optional.empty(), TokenAlgorithm.parse("none"));
        assertEquals(Optional.empty(), TokenAlgorithm.parse("HS512"));
        assertEquals(Optional.empty(), TokenAlgorithm.parse(null));
        assertTrue(TokenAlgorithm.HS256.symmetric());
        assertFalse(TokenAlgorithm.ES256.symmetric());
    }
}
