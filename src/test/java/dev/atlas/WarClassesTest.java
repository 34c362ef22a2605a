package dev.atlas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * not count: a Tomcat-specific user property is named by a plain string and ignored elsewhere.
 */
class WarClassesTest {
    private static final List<String> CONTAINER_PACKAGES = List.of("org/apache/catalina/", "org/apache/coyote/",
            "org/apache/tomcat/");
    private static final Path CLASSES = Path.of("target/classes");

    @Test
    void noClassOfTheWarRefersToTheContainersInternals() throws IOException {
        Set<String> found = new TreeSet<>();
        int scanned = 0;
        try (Stream<Path> files = Files.walk(CLASSES.resolve("dev/atlas"))) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".class"))::iterator) {
                if (CLASSES.relativize(f).startsWith("dev/atlas/server")) {
                    continue; // the embedded launcher: outside the WAR
                }
                scanned++;
                for (String ref : containerReferences(f)) {
                    found.add(CLASSES.relativize(f) + " -> " + ref);
                }
            }
        }
        assertTrue(scanned > 50, "the WAR's classes were found (" + scanned + ")");
        assertEquals(Set.of(), found, "classes of the WAR that refer to Tomcat's own types");
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
    static List<String> containerReferences(Path classFile) throws IOException {
        try (InputStream in = Files.newInputStream(classFile); DataInputStream data = new DataInputStream(in)) {
            if (data.readInt() != 0xCAFEBABE) {
                throw new IOException(classFile + " is not a class file");
            }
            data.readUnsignedShort(); // minor
            data.readUnsignedShort(); // major
            int count = data.readUnsignedShort();
            String[] utf8 = new String[count];
            Set<Integer> literals = new TreeSet<>();
            for (int i = 1; i < count; i++) {
                int tag = data.readUnsignedByte();
                switch (tag) {
                    case 1 -> utf8[i] = data.readUTF();
                    case 8 -> literals.add(data.readUnsignedShort()); // CONSTANT_String
                    case 7, 16, 19, 20 -> data.readUnsignedShort(); // Class, MethodType, Module, Package
                    case 15 -> { // MethodHandle
                        data.readUnsignedByte();
                        data.readUnsignedShort();
                    }
                    case 3, 4, 9, 10, 11, 12, 17, 18 -> data.readInt(); // Integer, Float, refs, NameAndType, dynamic
                    case 5, 6 -> { // Long, Double: two slots
                        data.readLong();
                        i++;
                    }
                    default -> throw new IOException("unknown constant tag " + tag + " in " + classFile);
                }
            }
            List<String> refs = new ArrayList<>();
            for (int i = 1; i < count; i++) {
                String s = utf8[i];
                if (s != null && !literals.contains(i) && CONTAINER_PACKAGES.stream().anyMatch(s::contains)) {
                    refs.add(s);
                }
            }
            return refs;
        }
    }
}
