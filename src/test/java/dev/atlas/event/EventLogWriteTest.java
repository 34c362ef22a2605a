package dev.atlas.event;

import dev.atlas.config.AtlasConfig;
import dev.atlas.db.Database;
import java.util.Map;
import java.util.UUID;

/** {@link EventLogWriteContract} on H2. */
class EventLogWriteTest extends EventLogWriteContract {
    @Override
    Database open() {
        String url = "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        return Database.open(AtlasConfig.load(Map.of("ATLAS_DB_URL", url), null));
    }
}
