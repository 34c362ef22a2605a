package dev.atlas.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** conf/tomcat/setenv.sh sourced by {@code sh} as catalina.sh does, for the tests of what it sets. */
final class SetenvScript {
    /** Its exit status, the {@code CATALINA_OPTS} it left, and what it wrote to stderr. */
    record Result(int exit, String opts, String errors) {
    }

    private SetenvScript() {
    }

    /**
     * Sources setenv.sh with {@code env} on top of this process's environment, less {@code JRE_HOME} and
     * {@code ATLAS_VIRTUAL_THREADS} (so that only {@code env} decides them).
     */
    static Result source(Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", ". conf/tomcat/setenv.sh && printf '%s' \"$CATALINA_OPTS\"");
        pb.environment().remove("JRE_HOME");
        pb.environment().remove("ATLAS_VIRTUAL_THREADS");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "setenv.sh did not finish");
        return new Result(p.exitValue(), out, err);
    }
}
