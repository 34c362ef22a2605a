package dev.atlas.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/** Makes the process-wide {@link AtlasConfig} injectable; it is read once per application start. */
@ApplicationScoped
public class ConfigProducer {
    private final AtlasConfig config = AtlasConfig.load();

    @Produces
    public AtlasConfig config() {
        return config;
    }
}
