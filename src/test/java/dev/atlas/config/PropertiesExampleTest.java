package dev.atlas.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@code conf/atlas.properties.example} lists every {@link Setting}, read from the enum so that a setting added
 * later is caught: its key spelled as {@link Setting#propertyName()}, commented out with its default as the value,
 * under a comment that holds its description. The file names no key that is not a setting (a renamed one).
 */
class PropertiesExampleTest {
    private static final Path EXAMPLE = Path.of("conf", "atlas.properties.example");

    /** One commented-out entry: its value as {@link Properties} reads it, and the comment block above it. */
    private record Entry(String value, String comment) {
    }

    @Test
    void everySettingIsListedWithItsDefaultAndDescription() throws IOException {
        Map<String, Entry> entries = entries(Files.readAllLines(EXAMPLE));
        List<String> problems = new ArrayList<>();
        StringBuilder toPaste = new StringBuilder();
        for (Setting s : Setting.values()) {
            Entry e = entries.get(s.propertyName());
            if (e == null) {
                problems.add(s.propertyName() + " is missing");
            } else if (!e.value().equals(s.defaultValue())) {
                problems.add(s.propertyName() + " shows '" + e.value() + "', but its default is '" + s.defaultValue() + "'");
            } else if (!e.comment().contains(s.description())) {
                problems.add(s.propertyName() + ": the comment above it lacks the description \"" + s.description() + "\"");
            } else if (!e.comment().contains(s.envName())) {
                problems.add(s.propertyName() + ": the comment above it lacks the variable name " + s.envName());
            } else {
                continue;
            }
            toPaste.append(block(s));
        }
        if (!problems.isEmpty()) {
            fail(EXAMPLE + " is out of date with Setting.java:\n  " + String.join("\n  ", problems)
                    + "\nExpected entries (paste them in enum order):\n" + toPaste);
        }
    }

    @Test
    void listsNoKeyThatIsNotASetting() throws IOException {
        Set<String> known = new TreeSet<>();
        for (Setting s : Setting.values()) {
            known.add(s.propertyName());
        }
        Set<String> unknown = new TreeSet<>(entries(Files.readAllLines(EXAMPLE)).keySet());
        unknown.removeAll(known);
        assertTrue(unknown.isEmpty(), () -> EXAMPLE + " names keys Atlas does not read: " + unknown);
    }

    @Test
    void usedAsItIsTheFileChangesNothing() {
        // Every entry is commented out: copying the example to atlas.properties keeps every default.
        AtlasConfig config = AtlasConfig.load(Map.of(), EXAMPLE);
        assertEquals(EXAMPLE, config.source());
        for (Setting s : Setting.values()) {
            assertEquals(s.defaultValue(), config.get(s), s.propertyName());
        }
    }

    /** The entry the file should hold for a setting, in the file's format. */
    static String block(Setting s) {
        String value = s.defaultValue().replace("\\", "\\\\");
        return "\n# " + s.envName() + ": " + s.description() + "\n# Default: "
                + (s.defaultValue().isEmpty() ? "(empty)" : s.defaultValue()) + "\n#" + s.propertyName() + "=" + value + "\n";
    }

    /**
     * Every line {@code #atlas.…=…}, parsed as {@link Properties} would parse it once uncommented, with the
     * contiguous comment lines above it.
     */
    private static Map<String, Entry> entries(List<String> lines) throws IOException {
        Map<String, Entry> out = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (!line.startsWith("#atlas.")) {
                continue;
            }
            Properties p = new Properties();
            p.load(new StringReader(line.substring(1)));
            String key = p.stringPropertyNames().iterator().next();
            StringBuilder comment = new StringBuilder();
            for (int j = i - 1; j >= 0 && lines.get(j).startsWith("# "); j--) {
                comment.insert(0, lines.get(j).substring(2) + "\n");
            }
            if (out.put(key, new Entry(p.getProperty(key), comment.toString())) != null) {
                fail(EXAMPLE + " lists " + key + " twice");
            }
        }
        return out;
    }
}
