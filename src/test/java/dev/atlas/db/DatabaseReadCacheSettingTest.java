package dev.atlas.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.config.AtlasConfig;
import dev.atlas.config.ConfigException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ATLAS_READ_CACHE} and {@code ATLAS_READ_CACHE_SIZE}: what they accept, and every other value refused with the
 * setting named, before the database is opened.
 */
class DatabaseReadCacheSettingTest {

    private static AtlasConfig config(String name, String value) {
        return AtlasConfig.load(Map.of(name, value), null);
    }

    @Test
    void autoAndOffInAnyCaseAndTheDefault() {
        assertTrue(Database.readCacheAllowed(AtlasConfig.load(Map.of(), null)));
        assertTrue(Database.readCacheAllowed(config("ATLAS_READ_CACHE", " Auto ")));
        assertFalse(Database.readCacheAllowed(config("ATLAS_READ_CACHE", "OFF")));
        assertEquals(50_000, Database.readCacheSize(AtlasConfig.load(Map.of(), null)));
        assertEquals(1_000, Database.readCacheSize(config("ATLAS_READ_CACHE_SIZE", "1000")));
    }

    @Test
    void anyOtherModeIsRefusedNamingTheSetting() {
        for (String bad : new String[] {"on", "true", "maybe", ""}) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> Database.readCacheAllowed(config("ATLAS_READ_CACHE", bad)));
            assertEquals("ATLAS_READ_CACHE must be auto or off, got '" + bad + "'", e.getMessage());
        }
    }

    @Test
    void aSizeOutsideItsRangeIsRefusedNamingTheSetting() {
        for (String bad : new String[] {"999", "0", "-5", "10000001"}) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> Database.readCacheSize(config("ATLAS_READ_CACHE_SIZE", bad)));
            assertEquals("ATLAS_READ_CACHE_SIZE must be between 1000 and 10000000 (tasks), got " + bad, e.getMessage());
        }
        ConfigException e = assertThrows(ConfigException.class,
                () -> Database.readCacheSize(config("ATLAS_READ_CACHE_SIZE", "50k")));
        assertEquals("ATLAS_READ_CACHE_SIZE must be a whole number, got '50k'", e.getMessage());
    }

    @Test
    void aBadModeStopsTheStartBeforeAnythingOpens(@TempDir Path dir) {
        ConfigException e = assertThrows(ConfigException.class, () -> Database.open(AtlasConfig.load(
                Map.of("ATLAS_DATA_DIR", dir.toString(), "ATLAS_READ_CACHE", "sometimes"), null)));
        assertEquals("ATLAS_READ_CACHE must be auto or off, got 'sometimes'", e.getMessage());
    }
}
