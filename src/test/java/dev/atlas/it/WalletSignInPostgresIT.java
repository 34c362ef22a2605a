package dev.atlas.it;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;

/** Wallet sign-in and the roster on PostgreSQL (nonces in the shared database, consumed once across requests). */
class WalletSignInPostgresIT extends WalletSignInContract {
    private Postgres pg;

    @Override
    AtlasProcess startServer(Map<String, String> settings) {
        pg = new Postgres();
        Map<String, String> all = new HashMap<>(settings);
        all.putAll(pg.settings());
        return new AtlasProcess("wallet-pg", all).start();
    }

    @AfterAll
    void dropSchema() {
        if (pg != null) {
            pg.close();
        }
    }
}
