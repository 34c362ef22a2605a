package dev.atlas.it;

import java.util.Map;

/** The REST + event suite on the embedded default: H2 file database. */
class TaskEventsH2IT extends TaskEventsContract {
    @Override
    AtlasProcess startServer() {
        AtlasProcess.wipeData("events-h2");
        return new AtlasProcess("events-h2", Map.of()).start();
    }
}
