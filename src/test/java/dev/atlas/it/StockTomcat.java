package dev.atlas.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * A stock Tomcat distribution (unpacked from Maven Central by the build) running {@code atlas.war} as
 * {@code ROOT.war}, in a fresh {@code CATALINA_BASE} with only its ports changed to free ones. The test
 * double of an operator's install: nothing about the WAR is special-cased.
 *
 * <p>{@link Distribution} picks the Tomcat (10.1 by default, or 11). By default the distribution's own
 * {@code server.xml} is used; {@link #withAtlasConf()} installs the repository's {@code conf/tomcat/server.xml}
 * and {@code conf/tomcat/setenv.sh} instead, as docs/deploy.md tells an operator to, changing nothing but the
 * connector port.
 */
final class StockTomcat extends StockContainer<StockTomcat> {

    /** The stock Tomcats the build unpacks (pom.xml, execution {@code stock-tomcat}), each named by a system property. */
    enum Distribution {
        TOMCAT_10_1("atlas.stockTomcat"),
        TOMCAT_11("atlas.stockTomcat11");

        private final String property;

        Distribution(String property) {
            this.property = property;
        }

        /** {@code CATALINA_HOME}: the unpacked distribution. */
        Path home() {
            String dir = System.getProperty(property);
            if (dir == null) {
                throw new IllegalStateException("System property " + property + " (the unpacked Tomcat) is not set:"
                        + " run the integration tests through Maven (failsafe sets it)");
            }
            return Path.of(dir);
        }

        /** {@code apache-tomcat-11.0.24} → {@code Tomcat 11.0.24}. */
        String displayName() {
            return home().getFileName().toString().replace("apache-tomcat-", "Tomcat ");
        }
    }

    private final Distribution distribution;
    private final Path home;
    private boolean atlasConf;

    /** A stock Tomcat 10.1 (the version the WAR compiles against). */
    StockTomcat(String name, Map<String, String> env) {
        this(Distribution.TOMCAT_10_1, name, env);
    }

    StockTomcat(Distribution distribution, String name, Map<String, String> env) {
        super(AtlasProcess.target().resolve("stock-base").resolve(name), env);
        this.distribution = distribution;
        this.home = distribution.home();
    }

    @Override
    String displayName() {
        return distribution.displayName();
    }

    @Override
    List<String> prepareBase() throws IOException {
        Path base = base();
        for (String dir : List.of("temp", "work")) {
            Files.createDirectories(base.resolve(dir));
        }
        copyTree(home.resolve("conf"), base.resolve("conf"));
        Path serverXml = base.resolve("conf/server.xml");
        if (atlasConf) {
            Path conf = AtlasProcess.target().getParent().resolve("conf").resolve("tomcat");
            String xml = Files.readString(conf.resolve("server.xml"));
            String connectorPort = "port=\"8080\"";
            if (xml.indexOf(connectorPort) < 0 || xml.indexOf(connectorPort) != xml.lastIndexOf(connectorPort)) {
                throw new IllegalStateException("conf/tomcat/server.xml must hold exactly one " + connectorPort);
            }
            Files.writeString(serverXml, xml.replace(connectorPort, "port=\"" + port() + "\""));
            Files.createDirectories(base.resolve("bin"));
            Files.copy(conf.resolve("setenv.sh"), base.resolve("bin/setenv.sh"), StandardCopyOption.REPLACE_EXISTING);
        } else {
            String xml = Files.readString(serverXml)
                    .replace("port=\"8080\"", "port=\"" + port() + "\" address=\"127.0.0.1\"")
                    .replace("port=\"8005\"", "port=\"-1\"");
            Files.writeString(serverXml, xml);
        }
        Path catalina = home.resolve("bin/catalina.sh");
        catalina.toFile().setExecutable(true);
        return List.of(catalina.toString(), "run");
    }

    @Override
    Map<String, String> containerEnvironment() {
        return Map.of("CATALINA_HOME", home.toString(), "CATALINA_BASE", base().toString(),
                "JAVA_HOME", System.getProperty("java.home"));
    }

    @Override
    List<String> scrubbedEnvironmentPrefixes() {
        return List.of("CATALINA_");
    }

    /** Tomcat's {@code standardContext.startFailed}: the context did not start, Tomcat runs on and answers 404. */
    @Override
    String deployFailedMarker() {
        return "startup failed due to previous errors";
    }

    /** {@code logs/localhost.<date>.log}: where Tomcat puts the exceptions of a web application that fails to start. */
    @Override
    List<Path> otherLogs() throws IOException {
        Path logs = base().resolve("logs");
        if (!Files.isDirectory(logs)) {
            return List.of();
        }
        try (var files = Files.list(logs)) {
            return files.filter(p -> p.getFileName().toString().startsWith("localhost.")).sorted().toList();
        }
    }

    /**
     * Use the repository's {@code conf/tomcat/server.xml} (port changed only) and {@code conf/tomcat/setenv.sh}
     * ({@code $CATALINA_BASE/bin/setenv.sh}); call before {@link #start()}.
     */
    StockTomcat withAtlasConf() {
        this.atlasConf = true;
        return this;
    }
}
