package dev.atlas.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.config.AtlasConfig;
import dev.atlas.config.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ATLAS_VIRTUAL_THREADS: virtual threads by default only where they cannot pin their carriers (Java 24 on). */
class RequestThreadsTest {
    private static AtlasConfig with(String value) {
        return AtlasConfig.load(value == null ? Map.of() : Map.of("ATLAS_VIRTUAL_THREADS", value), null);
    }

    @Test
    void autoIsOnFromJava24AndOffBefore() {
        assertFalse(RequestThreads.virtual(with(null), 17));
        assertFalse(RequestThreads.virtual(with(null), 21));
        assertFalse(RequestThreads.virtual(with("auto"), 23));
        assertTrue(RequestThreads.virtual(with("auto"), 24));
        assertTrue(RequestThreads.virtual(with(null), 25));
    }

    @Test
    void onIsHonouredFromJava21AndRefusedBefore() {
        assertTrue(RequestThreads.virtual(with("on"), 21));
        assertTrue(RequestThreads.virtual(with(" ON "), 25));
        ConfigException e = assertThrows(ConfigException.class, () -> RequestThreads.virtual(with("on"), 17));
        assertEquals("ATLAS_VIRTUAL_THREADS=on needs Java 21 or later; this is Java 17 (use auto or off)", e.getMessage());
    }

    @Test
    void offIsOffEverywhere() {
        assertFalse(RequestThreads.virtual(with("off"), 17));
        assertFalse(RequestThreads.virtual(with("Off"), 25));
    }

    @Test
    void anyOtherValueIsRefusedByName() {
        ConfigException e = assertThrows(ConfigException.class, () -> RequestThreads.virtual(with("yes"), 25));
        assertEquals("ATLAS_VIRTUAL_THREADS must be auto, on or off, got 'yes'", e.getMessage());
    }
}
