package dev.atlas.server;

import dev.atlas.config.AtlasConfig;
import dev.atlas.config.ConfigException;
import dev.atlas.config.Setting;
import java.util.Locale;

/**
 * Whether the embedded connector runs requests on virtual threads ({@code ATLAS_VIRTUAL_THREADS}): the decision
 * alone, from the setting and the Java feature version, so that it can be tested for every version.
 *
 * <p>Why: on a thread pool every request is handed from Tomcat's poller to a pooled thread, and every write waiting
 * for its group commit parks that thread; both are futex system calls and context switches, about a fifth of a
 * request's CPU on two cores (docs/benchmarks.md, sixteenth session). A virtual thread parks and is resumed on one
 * of a few carrier threads without either. Tomcat's {@code useVirtualThreads} connector attribute (Java 21 and
 * later) does this; the web application is the same on either.
 *
 * <p>Java 24 is where it is safe by default: before it (JEP 491), a virtual thread blocked while it holds a monitor
 * ({@code synchronized}, as EclipseLink and H2 do around their I/O) keeps its carrier, and with as many carriers as
 * cores a few such waits stall every request.
 */
final class RequestThreads {
    /** The first Java with virtual threads (JEP 444): Tomcat refuses {@code useVirtualThreads} before it. */
    static final int FIRST_VIRTUAL = 21;
    /** The first Java where a virtual thread blocked in {@code synchronized} code releases its carrier (JEP 491). */
    static final int FIRST_UNPINNED = 24;

    private RequestThreads() {
    }

    /** The decision for this JVM. */
    static boolean virtual(AtlasConfig config) {
        return virtual(config, Runtime.version().feature());
    }

    /** The decision for a JVM of feature version {@code java}; a value that cannot be honoured is a startup error. */
    static boolean virtual(AtlasConfig config, int java) {
        String value = config.get(Setting.VIRTUAL_THREADS).trim().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "auto" -> java >= FIRST_UNPINNED;
            case "off" -> false;
            case "on" -> {
                if (java < FIRST_VIRTUAL) {
                    throw new ConfigException(Setting.VIRTUAL_THREADS.envName() + "=on needs Java " + FIRST_VIRTUAL
                            + " or later; this is Java " + java + " (use auto or off)");
                }
                yield true;
            }
            default -> throw new ConfigException(Setting.VIRTUAL_THREADS.envName() + " must be auto, on or off, got '"
                    + config.get(Setting.VIRTUAL_THREADS) + "'");
        };
    }
}
