package dev.atlas.it;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;

/**
 * The text suite on PostgreSQL, which counts {@code VARCHAR(n)} in code points, cannot store U+0000 at all and
 * stores an unpaired surrogate as {@code ?} (the driver's UTF-8 encoder): without the rule those were 500s or a
 * reply that a later GET contradicts.
 */
class TaskTextPostgresIT extends TaskTextContract {
    private Postgres pg;

    @Override
    AtlasProcess startServer(Map<String, String> settings) {
        pg = new Postgres();
        Map<String, String> all = new HashMap<>(pg.settings());
        all.putAll(settings);
        return new AtlasProcess("text-pg", all).start();
    }

    @AfterAll
    void dropSchema() {
        if (pg != null) {
            pg.close();
        }
    }
}
