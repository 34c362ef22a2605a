package dev.atlas.it;

import java.util.Map;

/** Wallet sign-in and the roster on the embedded default: H2 file database. */
class WalletSignInH2IT extends WalletSignInContract {
    @Override
    AtlasProcess startServer(Map<String, String> settings) {
        AtlasProcess.wipeData("wallet-h2");
        return new AtlasProcess("wallet-h2", settings).start();
    }
}
