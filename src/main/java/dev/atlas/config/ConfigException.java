package dev.atlas.config;

/** A setting is missing or malformed; the message names the setting so that an operator can fix it. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
