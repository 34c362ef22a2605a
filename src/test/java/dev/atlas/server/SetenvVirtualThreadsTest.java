package dev.atlas.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * conf/tomcat/setenv.sh makes the embedded run's choice for a stock Tomcat ({@code ATLAS_VIRTUAL_THREADS} and the Java
 * version, as {@link RequestThreads}): sourced by {@code sh} as catalina.sh does, with a stand-in {@code java} that
 * prints a given version, so every version can be tried on any machine.
 */
class SetenvVirtualThreadsTest {
    @TempDir
    Path dir;

    private SetenvScript.Result source(String javaVersion, String setting) throws IOException, InterruptedException {
        Path home = dir.resolve("jdk-" + javaVersion.replace('"', '_'));
        Files.createDirectories(home.resolve("bin"));
        Path java = home.resolve("bin").resolve("java");
        Files.writeString(java, "#!/bin/sh\necho 'openjdk version \"" + javaVersion + "\" 2026-01-20' >&2\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, String> env = new HashMap<>(Map.of("JAVA_HOME", home.toString()));
        if (setting != null) {
            env.put("ATLAS_VIRTUAL_THREADS", setting);
        }
        return SetenvScript.source(env);
    }

    private String choice(String javaVersion, String setting) throws Exception {
        SetenvScript.Result r = source(javaVersion, setting);
        assertEquals(0, r.exit(), r::errors);
        assertTrue(r.opts().contains(" -Xms"), "not setenv.sh's options: " + r.opts());
        Matcher m = Pattern.compile("-Datlas\\.virtualThreads=(\\w+)").matcher(r.opts());
        assertTrue(m.find(), "no -Datlas.virtualThreads in " + r.opts());
        return m.group(1);
    }

    @Test
    void autoIsOnFromJava24AndOffBefore() throws Exception {
        assertEquals("false", choice("17.0.15", null));
        assertEquals("false", choice("21.0.5", "auto"));
        assertEquals("true", choice("24", null));
        assertEquals("true", choice("25.0.3", "auto"));
    }

    @Test
    void onAndOffAreHonouredWhereJavaAllows() throws Exception {
        assertEquals("true", choice("21.0.5", "on"));
        assertEquals("false", choice("25.0.3", "OFF"));
    }

    @Test
    void onBeforeJava21AndUnknownValuesStopTomcatWithTheReason() throws Exception {
        SetenvScript.Result old = source("17.0.15", "on");
        assertEquals(1, old.exit());
        assertEquals("atlas: ATLAS_VIRTUAL_THREADS=on needs Java 21 or later; " + dir.resolve("jdk-17.0.15/bin/java")
                + " is Java 17 (use auto or off)\n", old.errors());
        SetenvScript.Result bad = source("25.0.3", "maybe");
        assertEquals(1, bad.exit());
        assertEquals("atlas: ATLAS_VIRTUAL_THREADS must be auto, on or off, got 'maybe'\n", bad.errors());
    }
}
