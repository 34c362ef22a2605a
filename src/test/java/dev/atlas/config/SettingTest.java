package dev.atlas.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class SettingTest {

    @ParameterizedTest
    @CsvSource({
            "PORT,                  ATLAS_PORT,                  atlas.port",
            "BIND_ADDRESS,          ATLAS_BIND_ADDRESS,          atlas.bind.address",
            "DB_URL,                ATLAS_DB_URL,                atlas.db.url",
            "DB_POOL_SIZE,          ATLAS_DB_POOL_SIZE,          atlas.db.pool.size",
            "WALLET_PATTERN,        ATLAS_WALLET_PATTERN,        atlas.wallet.pattern",
            "WS_QUEUE_MAX_BYTES,    ATLAS_WS_QUEUE_MAX_BYTES,    atlas.ws.queue.max.bytes",
            "WS_SEND_TIMEOUT_MS,    ATLAS_WS_SEND_TIMEOUT_MS,    atlas.ws.send.timeout.ms"})
    void spellings(Setting s, String env, String property) {
        assertEquals(env, s.envName());
        assertEquals(property, s.propertyName());
    }

    @ParameterizedTest
    @EnumSource(Setting.class)
    void bothSpellingsNameTheSameSetting(Setting s) {
        assertTrue(s.envName().matches("ATLAS_[A-Z0-9_]+"), s.envName());
        assertTrue(s.propertyName().matches("atlas\\.[a-z0-9.]+"), s.propertyName());
        assertEquals(s.envName(), s.propertyName().toUpperCase(Locale.ROOT).replace('.', '_'));
        assertNotNull(s.defaultValue());
        assertFalse(s.description().isBlank());
    }

    @Test
    void spellingsAreUnique() {
        assertEquals(Setting.values().length,
                Arrays.stream(Setting.values()).map(Setting::envName).distinct().count());
        assertEquals(Setting.values().length,
                Arrays.stream(Setting.values()).map(Setting::propertyName).distinct().count());
    }
}
