package dev.atlas.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A stock Tomcat distribution (unpacked from Maven Central by the build) running {@code atlas.war} as
 * {@code ROOT.war}, in a fresh {@code CATALINA_BASE} with only its ports changed to free ones. The test
 * double of an operator's install: nothing about the WAR is special-cased.
 *
 * <p>By default the distribution's own {@code server.xml} is used; {@link #withAtlasConf()} installs the
 * repository's {@code conf/tomcat/server.xml} and {@code conf/tomcat/setenv.sh} instead, as docs/deploy.md
 * tells an operator to, changing nothing but the connector port.
 */
final class StockTomcat implements AutoCloseable {
    private final Path home = Path.of(System.getProperty("atlas.stockTomcat"));
    private final Path base;
    private final int port = AtlasProcess.freePort();
    private final Map<String, String> env;
    private Process process;
    private boolean atlasConf;

    StockTomcat(String name, Map<String, String> env) {
        this.base = AtlasProcess.target().resolve("stock-base").resolve(name);
        this.env = env;
    }

    StockTomcat start() throws IOException {
        launch();
        try {
            awaitReady();
        } catch (RuntimeException | IOException e) {
            // a caller's try-with-resources never sees a StockTomcat whose start() threw: stop it here
            try {
                close();
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
            throw e;
        }
        return this;
    }

    /**
     * Starts Tomcat expecting the application to refuse to deploy: waits until the console log mentions
     * {@code expected} and returns the log; fails if the application becomes ready instead.
     */
    String startExpectingFailure(String expected) throws IOException {
        launch();
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        Path console = base.resolve("logs/console.log");
        while (System.nanoTime() < deadline) {
            String log = Files.exists(console) ? Files.readString(console) : "";
            if (log.contains(expected)) {
                return log.substring(log.indexOf(expected) - Math.min(log.indexOf(expected), 300),
                        Math.min(log.length(), log.indexOf(expected) + 300));
            }
            try {
                if (client.send(HttpRequest.newBuilder(uri("/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    throw new AssertionError("the application started although it should have refused to");
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            AtlasProcess.pause(250);
        }
        throw new AssertionError("Tomcat's log never mentioned " + expected);
    }

    private void launch() throws IOException {
        AtlasProcess.deleteTree(base);
        Files.createDirectories(base.resolve("webapps"));
        for (String dir : List.of("logs", "temp", "work")) {
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
            Files.writeString(serverXml, xml.replace(connectorPort, "port=\"" + port + "\""));
            Files.createDirectories(base.resolve("bin"));
            Files.copy(conf.resolve("setenv.sh"), base.resolve("bin/setenv.sh"), StandardCopyOption.REPLACE_EXISTING);
        } else {
            String xml = Files.readString(serverXml)
                    .replace("port=\"8080\"", "port=\"" + port + "\" address=\"127.0.0.1\"")
                    .replace("port=\"8005\"", "port=\"-1\"");
            Files.writeString(serverXml, xml);
        }
        Files.copy(Path.of(System.getProperty("atlas.war")), base.resolve("webapps/ROOT.war"),
                StandardCopyOption.REPLACE_EXISTING);
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/catalina.sh").toString(), "run")
                .redirectErrorStream(true)
                .redirectOutput(base.resolve("logs/console.log").toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("ATLAS_") || k.startsWith("CATALINA_"));
        pb.environment().put("CATALINA_HOME", home.toString());
        pb.environment().put("CATALINA_BASE", base.toString());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().putAll(env);
        home.resolve("bin/catalina.sh").toFile().setExecutable(true);
        process = pb.start();
    }

    private void awaitReady() throws IOException {
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Tomcat exited:\n" + Files.readString(base.resolve("logs/console.log")));
            }
            try {
                if (client.send(HttpRequest.newBuilder(uri("/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            AtlasProcess.pause(250);
        }
        throw new IllegalStateException("Tomcat did not deploy Atlas in time:\n" + Files.readString(base.resolve("logs/console.log")));
    }

    /**
     * Use the repository's {@code conf/tomcat/server.xml} (port changed only) and {@code conf/tomcat/setenv.sh}
     * ({@code $CATALINA_BASE/bin/setenv.sh}); call before {@link #start()}.
     */
    StockTomcat withAtlasConf() {
        this.atlasConf = true;
        return this;
    }

    /** The connector's port on 127.0.0.1. */
    int port() {
        return port;
    }

    /** {@code CATALINA_BASE}: its {@code logs/} holds Tomcat's logs, the access log and {@code console.log}. */
    Path base() {
        return base;
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    URI wsUri(String path) {
        return URI.create("ws://127.0.0.1:" + port + path);
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path dest = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(p, dest, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
