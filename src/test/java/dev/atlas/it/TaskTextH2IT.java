package dev.atlas.it;

import java.util.Map;

/**
 * The text suite on the embedded default, H2, whose {@code VARCHAR(n)} counts UTF-16 units: without migration V3
 * a title of 101–200 emoji (or 10,000 astral characters of description, or a 128-emoji wallet) fails there.
 */
class TaskTextH2IT extends TaskTextContract {
    @Override
    AtlasProcess startServer(Map<String, String> settings) {
        AtlasProcess.wipeData("text-h2");
        return new AtlasProcess("text-h2", settings).start();
    }
}
