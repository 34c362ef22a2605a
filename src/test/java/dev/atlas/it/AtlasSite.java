package dev.atlas.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.stream.Collectors;

/**
 * {@code conf/nginx/atlas.conf} as a test runs it, with only what must differ on a test machine substituted (each
 * substitution must match, so a changed file fails the test instead of being tested half-way): the two
 * {@code listen} ports become free ports on 127.0.0.1; the node line of each upstream ({@code atlas} and
 * {@code atlas_socketio}) becomes one line per test node, with the file's own {@code max_fails}/{@code fail_timeout};
 * the PLACEHOLDER certificate paths point at a test certificate; the access log goes to the test's directory.
 */
final class AtlasSite {
    /** The node line as the shipped file has it, once in each upstream. */
    static final String NODE_LINE = "\n    server 127.0.0.1:8080 ";

    private AtlasSite() {
    }

    static String render(Path repo, Path work, int httpPort, int httpsPort, List<Integer> nodePorts,
                         NginxEndToEndIT.Tls tls) throws IOException {
        String site = Files.readString(repo.resolve("conf/nginx/atlas.conf"));
        site = replaceOnce(site, "listen 80;", "listen 127.0.0.1:" + httpPort + ";");
        site = replaceOnce(site, "listen 443 ssl;", "listen 127.0.0.1:" + httpsPort + " ssl;");
        assertEquals(2, site.split(NODE_LINE, -1).length - 1,
                "conf/nginx/atlas.conf lists the first node once in each of its two upstreams (atlas, atlas_socketio)");
        String nodes = nodePorts.stream().map(p -> "\n    server 127.0.0.1:" + p + " max_fails=3 fail_timeout=10s;  # test node")
                .collect(Collectors.joining());
        site = site.replaceAll("\n    server 127\\.0\\.0\\.1:8080 [^\n]*", Matcher.quoteReplacement(nodes));
        site = replaceOnce(site, "/etc/atlas/tls/PLACEHOLDER-fullchain.pem", tls.certPem().toString());
        site = replaceOnce(site, "/etc/atlas/tls/PLACEHOLDER-privkey.pem", tls.keyPem().toString());
        return site.replace("/var/log/nginx/atlas.access.log", work.resolve("atlas.access.log").toString());
    }

    static String replaceOnce(String text, String from, String to) {
        int at = text.indexOf(from);
        assertTrue(at >= 0 && at == text.lastIndexOf(from), () -> "conf/nginx/atlas.conf must contain exactly one \""
                + from.strip() + "\" for the test wrapper to substitute");
        return text.replace(from, to);
    }
}
