package dev.atlas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The WAR is plain Jakarta EE: no class that goes into {@code WEB-INF/classes} (every compiled class but the embedded
 * launcher, {@code dev.atlas.server}, which the WAR plugin leaves out) refers to a type of Tomcat —
 * {@code org.apache.catalina}, {@code org.apache.coyote}, {@code org.apache.tomcat} — in a class name, a descriptor, a
 * signature or an annotation, so the same WAR deploys on any Servlet 6 / WebSocket 2.1 container. String constants do
 * not count: a Tomcat-specific user property is named by a plain string and ignored elsewhere. And every Jackson
 * factory of the WAR shares one buffer pool.
 */
class WarClassesTest {
    private static final List<String> CONTAINER_PACKAGES = List.of("org/apache/catalina/", "org/apache/coyote/",
            "org/apache/tomcat/");
    private static final Path CLASSES = Path.of("target/classes");

    /** Calls that make a Jackson factory or mapper, each with a buffer pool of its own unless made by config.Json. */
    private static final Set<String> JACKSON_FACTORY_MAKERS = Set.of(
            "com/fasterxml/jackson/core/JsonFactory.<init>", "com/fasterxml/jackson/core/JsonFactory.builder",
            "com/fasterxml/jackson/core/JsonFactoryBuilder.<init>",
            "com/fasterxml/jackson/databind/MappingJsonFactory.<init>",
            "com/fasterxml/jackson/databind/ObjectMapper.<init>",
            "com/fasterxml/jackson/databind/json/JsonMapper.<init>",
            "com/fasterxml/jackson/databind/json/JsonMapper.builder");
    private static final Path JSON_CLASS = Path.of("dev/atlas/config/Json.class");

    @Test
    void noClassOfTheWarRefersToTheContainersInternals() throws IOException {
        Set<String> found = new TreeSet<>();
        List<Path> classes = warClasses();
        for (Path f : classes) {
            for (String ref : containerReferences(f)) {
                found.add(CLASSES.relativize(f) + " -> " + ref);
            }
        }
        assertTrue(classes.size() > 50, "the WAR's classes were found (" + classes.size() + ")");
        assertEquals(Set.of(), found, "classes of the WAR that refer to Tomcat's own types");
    }

    /**
     * Every Jackson factory and mapper of the WAR is made by {@link dev.atlas.config.Json}, on its shared buffer pool:
     * one made elsewhere would fall back to Jackson's per-thread buffers, which virtual threads never reuse.
     */
    @Test
    void everyJacksonFactoryOfTheWarIsMadeByConfigJson() throws IOException {
        Set<String> found = new TreeSet<>();
        for (Path f : warClasses()) {
            for (String call : ClassConstants.read(f).methodCalls()) {
                if (JACKSON_FACTORY_MAKERS.contains(call) && !CLASSES.relativize(f).equals(JSON_CLASS)) {
                    found.add(CLASSES.relativize(f) + " -> " + call);
                }
            }
        }
        assertEquals(Set.of(), found, "classes of the WAR that make a Jackson factory themselves");
        assertTrue(ClassConstants.read(CLASSES.resolve(JSON_CLASS)).methodCalls().stream()
                .anyMatch(JACKSON_FACTORY_MAKERS::contains), "the scan sees config.Json make its factories");
    }

    @Test
    void theScanFindsTheLaunchersReferencesToTomcat() throws IOException {
        List<String> refs = containerReferences(CLASSES.resolve("dev/atlas/server/AtlasServer.class"));
        assertTrue(refs.stream().anyMatch(r -> r.contains("org/apache/catalina/startup/Tomcat")), refs.toString());
    }

    /**
     * The constant-pool texts of a class file that name a container type: every UTF-8 constant (class names,
     * descriptors, signatures, annotation types) except those that are the values of string literals.
     */
    /** Every compiled class of the WAR: all but the embedded launcher, {@code dev.atlas.server}. */
    private static List<Path> warClasses() throws IOException {
        try (Stream<Path> files = Files.walk(CLASSES.resolve("dev/atlas"))) {
            return files.filter(p -> p.toString().endsWith(".class"))
                    .filter(p -> !CLASSES.relativize(p).startsWith("dev/atlas/server")) // outside the WAR
                    .toList();
        }
    }

    static List<String> containerReferences(Path classFile) throws IOException {
        return ClassConstants.read(classFile).names().stream()
                .filter(s -> CONTAINER_PACKAGES.stream().anyMatch(s::contains)).toList();
    }
}
