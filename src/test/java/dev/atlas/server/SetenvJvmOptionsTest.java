package dev.atlas.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The JVM options of conf/tomcat/setenv.sh, given to the Java that runs this test as catalina.sh would give them: the
 * JVM accepts every one (a misspelt or retired option stops Tomcat before it starts) and applies the GC settings.
 */
class SetenvJvmOptionsTest {
    /** Runs {@code command} to its end and returns its output (stdout and stderr); fails unless it exits 0. */
    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "did not finish: " + command);
        assertEquals(0, p.exitValue(), () -> command + " failed:\n" + out);
        return out;
    }

    @Test
    void theJvmTakesEveryOptionAndPromotesAfterTwoYoungCollections() throws Exception {
        String javaHome = System.getProperty("java.home");
        SetenvScript.Result setenv = SetenvScript.source(
                Map.of("JAVA_HOME", javaHome, "TOMCAT_HEAP", "64m", "CATALINA_BASE", "target"));
        assertEquals(0, setenv.exit(), setenv::errors);
        List<String> command = new ArrayList<>();
        command.add(Path.of(javaHome, "bin", "java").toString());
        for (String o : setenv.opts().trim().split("\\s+")) {
            command.add(o);
        }
        command.addAll(List.of("-XX:+PrintFlagsFinal", "-version"));
        String flags = run(command);

        assertEquals("2", flag(flags, "MaxTenuringThreshold"));
        assertEquals("true", flag(flags, "UseG1GC"));
        assertEquals(Long.toString(64L << 20), flag(flags, "MaxHeapSize"));
    }

    private static String flag(String printFlagsFinal, String name) {
        Matcher m = Pattern.compile("\\s" + name + "\\s+=\\s+(\\S+)").matcher(printFlagsFinal);
        assertTrue(m.find(), name + " not in the JVM's flags");
        return m.group(1);
    }
}
