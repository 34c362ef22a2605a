package dev.atlas.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The built WAR, unchanged, as {@code ROOT.war} in a stock Tomcat from Maven Central — 10.1 and 11 — configured by
 * environment variables only (a production setup: a signing secret, tokens required): REST and {@code /ws} work as
 * in the embedded run.
 */
class StockTomcatIT {
    @RegisterExtension
    static final StockContainer.LogOnFailure LOGS = new StockContainer.LogOnFailure();

    @ParameterizedTest(name = "{0}")
    @EnumSource(StockTomcat.Distribution.class)
    void theWarDeploysUnchangedIntoAStockTomcat(StockTomcat.Distribution distribution) throws Exception {
        String name = distribution.name().toLowerCase(Locale.ROOT);
        Map<String, String> env = Map.of("ATLAS_DATA_DIR", AtlasProcess.target().resolve("stock-base/data-" + name).toString(),
                "ATLAS_JWT_SECRET", Tokens.SECRET);
        try (StockTomcat tomcat = LOGS.track(new StockTomcat(distribution, name, env)).start()) {
            Api api = new Api(tomcat::uri, Tokens.admin());
            assertEquals(401, new Api(tomcat::uri).get("/api/tasks").status(), "no token, no tasks");
            try (WsClient ws = WsClient.connectReady(tomcat.wsUri("/ws?access_token=" + Tokens.admin()))) {
                JsonNode task = api.create("{\"title\":\"on stock tomcat\",\"agentWallet\":\"0x" + "e".repeat(40) + "\"}");
                JsonNode created = ws.nextJson();
                assertEquals("taskCreated", created.path("event").asText());
                assertEquals(task, created.path("data"));
                assertEquals("taskAssigned", ws.nextJson().path("event").asText());
            }
            assertEquals(200, api.get("/index.html").status());
            assertEquals(404, api.get("/api/tasks/424242").status());
        }
    }

    /**
     * {@code conf/tomcat/server.xml} as the runbook installs it: what Tomcat refuses before the WAR sees it is its JSON
     * report without name or version, and the WAR's error page answers the rest (see {@link Refusals}).
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(StockTomcat.Distribution.class)
    void withTheShippedConfNoRefusalNamesTomcat(StockTomcat.Distribution distribution) throws Exception {
        String name = distribution.name().toLowerCase(Locale.ROOT) + "-conf";
        Map<String, String> env = Map.of("ATLAS_DATA_DIR", AtlasProcess.target().resolve("stock-base/data-" + name).toString(),
                "ATLAS_JWT_SECRET", Tokens.SECRET);
        try (StockTomcat tomcat = LOGS.track(new StockTomcat(distribution, name, env).withAtlasConf()).start()) {
            Refusals.assertEachIsClean(Refusals.to(tomcat.port()));
            Refusals.assertHeadIsClean(Refusals.to(tomcat.port()));
        }
    }
}
