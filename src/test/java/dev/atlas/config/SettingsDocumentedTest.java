package dev.atlas.config;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's settings table names every setting with its default, so the table cannot drift from the code. */
class SettingsDocumentedTest {
    @Test
    void everySettingIsInTheReadmeWithItsDefault() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        for (Setting s : Setting.values()) {
            String def = s.defaultValue().isEmpty() ? "(empty)" : "`" + s.defaultValue() + "`";
            String row = "| `" + s.envName() + "` | " + def + " |";
            assertTrue(readme.contains(row), () -> "README.md lacks the row starting " + row);
        }
    }
}
