package dev.atlas.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtlasConfigTest {
    @TempDir
    Path dir;

    private Path properties(String text) throws IOException {
        Path file = dir.resolve("atlas.properties");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    @Test
    void defaults() {
        AtlasConfig c = AtlasConfig.load(Map.of(), null);
        for (Setting s : Setting.values()) {
            assertEquals(s.defaultValue(), c.get(s), s.name());
        }
        assertEquals(3001, c.getInt(Setting.PORT));
        assertEquals("", c.get(Setting.DB_URL));
        assertEquals("^0x[0-9a-fA-F]{40}$", c.get(Setting.WALLET_PATTERN));
        assertEquals(4_194_304L, c.getLong(Setting.WS_QUEUE_MAX_BYTES));
        assertNull(c.source());
    }

    @Test
    void missingFileIsFine() {
        Path absent = dir.resolve("nope.properties");
        AtlasConfig c = AtlasConfig.load(Map.of(), absent);
        assertEquals("3001", c.get(Setting.PORT));
        assertNull(c.source());
    }

    @Test
    void fileOverridesDefaults() throws IOException {
        Path file = properties("""
                # comment
                atlas.port = 8080
                atlas.db.url=jdbc:postgresql://db:5432/atlas
                atlas.ws.queue.max.messages=50
                ATLAS_DATA_DIR=/not/a/property/name
                """);
        AtlasConfig c = AtlasConfig.load(Map.of(), file);
        assertEquals(8080, c.getInt(Setting.PORT));
        assertEquals("jdbc:postgresql://db:5432/atlas", c.get(Setting.DB_URL));
        assertEquals(50, c.getInt(Setting.WS_QUEUE_MAX_MESSAGES));
        assertEquals("./data", c.get(Setting.DATA_DIR), "env spelling in a properties file is not read");
        assertEquals("10", c.get(Setting.DB_POOL_SIZE), "untouched settings keep their default");
        assertEquals(file, c.source());
    }

    @Test
    void environmentOverridesFile() throws IOException {
        Path file = properties("atlas.port=8080\natlas.db.user=from-file\natlas.db.password=file-secret\n");
        AtlasConfig c = AtlasConfig.load(Map.of(
                "ATLAS_PORT", "9090",
                "ATLAS_DB_USER", "from-env",
                "atlas.db.password", "property spelling in the environment is not read"), file);
        assertEquals(9090, c.getInt(Setting.PORT));
        assertEquals("from-env", c.get(Setting.DB_USER));
        assertEquals("file-secret", c.get(Setting.DB_PASSWORD));
    }

    @Test
    void environmentOverridesDefaultsWithoutFile() {
        AtlasConfig c = AtlasConfig.load(Map.of("ATLAS_BIND_ADDRESS", "127.0.0.1"), null);
        assertEquals("127.0.0.1", c.get(Setting.BIND_ADDRESS));
    }

    @Test
    void valuesAreTrimmed() throws IOException {
        Path file = properties("atlas.db.url=  jdbc:h2:mem:x  \n");
        AtlasConfig c = AtlasConfig.load(Map.of("ATLAS_PORT", " 7000 "), file);
        assertEquals("jdbc:h2:mem:x", c.get(Setting.DB_URL));
        assertEquals(7000, c.getInt(Setting.PORT));
    }

    @Test
    void nonNumberNamesTheSetting() {
        AtlasConfig c = AtlasConfig.load(Map.of("ATLAS_PORT", "eighty"), null);
        ConfigException e = assertThrows(ConfigException.class, () -> c.getInt(Setting.PORT));
        assertTrue(e.getMessage().contains("ATLAS_PORT"), e.getMessage());
        assertTrue(e.getMessage().contains("eighty"), e.getMessage());
    }

    @Test
    void nonNumberFromFileNamesTheSetting() throws IOException {
        AtlasConfig c = AtlasConfig.load(Map.of(), properties("atlas.port=80.5\n"));
        ConfigException e = assertThrows(ConfigException.class, () -> c.getInt(Setting.PORT));
        assertTrue(e.getMessage().contains("ATLAS_PORT"), e.getMessage());
    }

    @Test
    void nonNumberLongNamesTheSetting() {
        AtlasConfig c = AtlasConfig.load(Map.of("ATLAS_WS_QUEUE_MAX_BYTES", "4MB"), null);
        ConfigException e = assertThrows(ConfigException.class, () -> c.getLong(Setting.WS_QUEUE_MAX_BYTES));
        assertTrue(e.getMessage().contains("ATLAS_WS_QUEUE_MAX_BYTES"), e.getMessage());
    }

    @Test
    void malformedFileIsAnError() throws IOException {
        Path file = properties("atlas.port=\\u12G4\n"); // a broken \\u escape
        ConfigException e = assertThrows(ConfigException.class, () -> AtlasConfig.load(Map.of(), file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void fileIsReadAsUtf8() throws IOException {
        AtlasConfig c = AtlasConfig.load(Map.of(), properties("atlas.db.password=pässwörd\u2603\n"));
        assertEquals("pässwörd\u2603", c.get(Setting.DB_PASSWORD));
    }

    @Test
    void explicitConfigFileVariableChoosesTheFile() {
        Path file = dir.resolve("elsewhere.properties");
        assertEquals(file, AtlasConfig.defaultFile(Map.of("ATLAS_CONFIG_FILE", file.toString())));
    }

    @Test
    void aBoundedNumberIsTakenWithinItsRangeAndRefusedOutsideNamingSettingRangeAndUnit() {
        assertEquals(0, AtlasConfig.load(Map.of("ATLAS_JWT_CLOCK_SKEW_SECONDS", "0"), null)
                .getLong(Setting.JWT_CLOCK_SKEW_SECONDS, 0, 60, "seconds"));
        assertEquals(60, AtlasConfig.load(Map.of("ATLAS_JWT_CLOCK_SKEW_SECONDS", "60"), null)
                .getLong(Setting.JWT_CLOCK_SKEW_SECONDS, 0, 60, "seconds"));
        for (String bad : new String[] {"-1", "61"}) {
            ConfigException e = assertThrows(ConfigException.class, () -> AtlasConfig.load(
                    Map.of("ATLAS_JWT_CLOCK_SKEW_SECONDS", bad), null).getLong(Setting.JWT_CLOCK_SKEW_SECONDS, 0, 60, "seconds"));
            assertEquals("ATLAS_JWT_CLOCK_SKEW_SECONDS must be between 0 and 60 (seconds), got " + bad, e.getMessage());
        }
        ConfigException e = assertThrows(ConfigException.class, () -> AtlasConfig.load(
                Map.of("ATLAS_JWT_CLOCK_SKEW_SECONDS", "1m"), null).getLong(Setting.JWT_CLOCK_SKEW_SECONDS, 0, 60, "seconds"));
        assertEquals("ATLAS_JWT_CLOCK_SKEW_SECONDS must be a whole number, got '1m'", e.getMessage());
    }
}
