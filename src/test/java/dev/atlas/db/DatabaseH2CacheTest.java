package dev.atlas.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.atlas.config.AtlasConfig;
import dev.atlas.config.ConfigException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded H2 database's page cache ({@code ATLAS_DB_H2_CACHE_KB}): the size the database really runs with, by
 * default and when set, and a size outside 256 KiB .. 4 GiB refused with the setting named.
 */
class DatabaseH2CacheTest {

    /** The cache size in MiB as the open database reports it. */
    static long cacheMaxMb(Path dir, Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(extra);
        settings.put("ATLAS_DATA_DIR", dir.toString());
        Database db = Database.open(AtlasConfig.load(settings, null));
        try {
            Object v = db.read(em -> em.createNativeQuery(
                    "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'info.CACHE_MAX_SIZE'")
                    .getSingleResult());
            return Long.parseLong(v.toString());
        } finally {
            db.close();
        }
    }

    @Test
    void theDefaultIsFourMebibytesNotH2sSixteen(@TempDir Path dir) {
        assertEquals(4, cacheMaxMb(dir, Map.of()));
    }

    @Test
    void theSettingSizesTheCache(@TempDir Path dir) {
        assertEquals(32, cacheMaxMb(dir, Map.of("ATLAS_DB_H2_CACHE_KB", "32768")));
    }

    @Test
    void aSizeOutsideItsRangeIsRefusedNamingTheSetting() {
        for (String bad : new String[] {"255", "0", "-1", "4194305"}) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> Database.h2CacheKb(AtlasConfig.load(Map.of("ATLAS_DB_H2_CACHE_KB", bad), null)));
            assertEquals("ATLAS_DB_H2_CACHE_KB must be between 256 and 4194304 (KiB), got " + bad, e.getMessage());
        }
        ConfigException e = assertThrows(ConfigException.class,
                () -> Database.h2CacheKb(AtlasConfig.load(Map.of("ATLAS_DB_H2_CACHE_KB", "4MB"), null)));
        assertEquals("ATLAS_DB_H2_CACHE_KB must be a whole number, got '4MB'", e.getMessage());
    }
}
