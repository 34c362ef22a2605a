package dev.atlas.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Properties;

/**
 * The one reader of settings: built-in defaults, overridden by a properties file, overridden by
 * environment variables. Immutable once loaded; safe to share between threads.
 *
 * <p>The properties file is {@code ATLAS_CONFIG_FILE} when set; otherwise {@code conf/atlas.properties}
 * under {@code catalina.base} inside a stock Tomcat, or under the working directory for the embedded run.
 * A missing file is not an error; an unreadable or malformed one is.
 */
public final class AtlasConfig {
    private final Map<Setting, String> values;
    private final Path source;

    private AtlasConfig(Map<Setting, String> values, Path source) {
        this.values = values;
        this.source = source;
    }

    /** Loads the settings of this process: its environment and the properties file it points at. */
    public static AtlasConfig load() {
        return load(System.getenv(), defaultFile(System.getenv()));
    }

    /** Loads from the given environment and properties file (which may not exist). */
    public static AtlasConfig load(Map<String, String> env, Path file) {
        Properties props = new Properties();
        Path used = null;
        if (file != null && Files.isRegularFile(file)) {
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                props.load(in);
                used = file;
            } catch (IOException | IllegalArgumentException e) {
                throw new ConfigException("Cannot read settings file " + file + ": " + e.getMessage());
            }
        }
        Map<Setting, String> values = new EnumMap<>(Setting.class);
        for (Setting s : Setting.values()) {
            String v = s.defaultValue();
            String fromFile = props.getProperty(s.propertyName());
            if (fromFile != null) {
                v = fromFile.trim();
            }
            String fromEnv = env.get(s.envName());
            if (fromEnv != null) {
                v = fromEnv.trim();
            }
            values.put(s, v);
        }
        return new AtlasConfig(values, used);
    }

    static Path defaultFile(Map<String, String> env) {
        String explicit = env.get("ATLAS_CONFIG_FILE");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String base = System.getProperty("catalina.base");
        Path embeddedOrCwd = Path.of("conf", "atlas.properties");
        if (base != null && !Files.isRegularFile(embeddedOrCwd)) {
            return Path.of(base, "conf", "atlas.properties");
        }
        return embeddedOrCwd;
    }

    /** The raw value of a setting, never null (empty when unset and without default). */
    public String get(Setting s) {
        return values.get(s);
    }

    public int getInt(Setting s) {
        String v = get(s);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new ConfigException(s.envName() + " must be a whole number, got '" + v + "'");
        }
    }

    public long getLong(Setting s) {
        String v = get(s);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new ConfigException(s.envName() + " must be a whole number, got '" + v + "'");
        }
    }

    /** A whole number from {@code min} to {@code max}; anything else is refused naming the setting, range and unit. */
    public long getLong(Setting s, long min, long max, String unit) {
        long v = getLong(s);
        if (v < min || v > max) {
            throw new ConfigException(s.envName() + " must be between " + min + " and " + max + " (" + unit + "), got " + v);
        }
        return v;
    }

    /** The properties file that was read, or null when none was found. */
    public Path source() {
        return source;
    }
}
