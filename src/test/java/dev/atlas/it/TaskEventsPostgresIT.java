package dev.atlas.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The REST + event suite against PostgreSQL, plus a change that really rolls back in the database: the
 * test adds a CHECK constraint to the outbox, so a task whose event would break it fails at insert time.
 */
class TaskEventsPostgresIT extends TaskEventsContract {
    private Postgres pg;

    @Override
    AtlasProcess startServer() {
        pg = new Postgres();
        return new AtlasProcess("events-pg", pg.settings()).start();
    }

    @AfterAll
    void dropSchema() {
        if (pg != null) {
            pg.close();
        }
    }

    /**
     * A failure of the database itself (here a trigger that raises) is a 500 problem with an error id, logged once:
     * one record, Atlas's, with that id and the stack, and nothing from EclipseLink besides.
     */
    @Test
    void aDatabaseFailureIsA500LoggedOnceUnderItsErrorId() throws Exception {
        try (Connection c = pg.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE FUNCTION refuse_boom() RETURNS trigger AS $$ BEGIN IF NEW.title = 'boom' THEN "
                    + "RAISE EXCEPTION 'refused by a trigger'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql");
            s.execute("CREATE TRIGGER refuse_boom BEFORE INSERT ON task FOR EACH ROW EXECUTE FUNCTION refuse_boom()");
        }
        try {
            int before = server.logText().length();
            Api.Reply r = api.post("/api/tasks", "{\"title\":\"boom\"}");
            assertEquals(500, r.status(), r::body);
            assertEquals("application/problem+json", r.contentType());
            String errorId = r.json().path("errorId").asText();
            assertTrue(r.json().path("detail").asText().contains(errorId), r::body);
            String logged = server.logText().substring(before);
            for (int i = 0; i < 100 && !logged.contains(errorId); i++) {
                AtlasProcess.pause(50);
                logged = server.logText().substring(before);
            }
            String written = logged;
            assertTrue(written.contains("refused by a trigger"), () -> "the cause is in the log: " + written);
            long records = written.lines().filter(l -> l.startsWith("WARNING: ") || l.startsWith("SEVERE: ")).count();
            assertEquals(1, records, () -> "one record for one 500: " + written);
            assertTrue(written.contains("SEVERE: Unexpected error " + errorId), written);
        } finally {
            try (Connection c = pg.connect(); Statement s = c.createStatement()) {
                s.execute("DROP TRIGGER refuse_boom ON task");
                s.execute("DROP FUNCTION refuse_boom()");
            }
        }
    }

    @Test
    void anIdempotencyKeyIsForgottenAfter24Hours() throws Exception {
        java.net.http.HttpRequest.Builder create = java.net.http.HttpRequest.newBuilder(server.uri("/api/tasks"))
                .header("Content-Type", "application/json").header("Idempotency-Key", "expiring-key")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"title\":\"once a day\"}"));
        long first = api.send(create).json().path("id").asLong();
        assertEquals(first, api.send(create).json().path("id").asLong(), "within 24 h: the original");
        try (Connection c = pg.connect(); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE idempotency_key SET created_at = created_at - " + (25L * 3600 * 1000)
                    + " WHERE idem_key = 'expiring-key'");
        }
        Api.Reply later = api.send(create);
        assertEquals(201, later.status());
        assertTrue(later.json().path("id").asLong() > first, "after 24 h the key is new again");
        assertEquals(null, later.header("Idempotent-Replayed"));
    }

    @Test
    void aRolledBackChangeEmitsNothingAndStoresNothing() throws Exception {
        try (Connection c = pg.connect(); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE task_event ADD CONSTRAINT it_no_boom CHECK (data NOT LIKE '%rollback-me%')");
        }
        try (WsClient ws = client()) {
            long base = ws.helloId();
            Api.Reply failed = api.post("/api/tasks", "{\"title\":\"rollback-me\"}");
            assertEquals(500, failed.status());
            assertEquals("application/problem+json", failed.contentType());
            JsonNode problem = failed.json();
            assertEquals(36, problem.path("errorId").asText().length(), "an error id to quote");

            // The next successful change gets the very next id: nothing was pushed or stored in between.
            api.create("{\"title\":\"fine\"}");
            JsonNode next = ws.nextJson();
            assertEquals("taskCreated", next.path("event").asText());
            assertEquals(base + 1, Long.parseLong(next.path("id").asText()));
            assertEquals("fine", next.path("data").path("title").asText());
        } finally {
            try (Connection c = pg.connect(); Statement s = c.createStatement()) {
                s.execute("ALTER TABLE task_event DROP CONSTRAINT it_no_boom");
            }
        }
        try (Connection c = pg.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM task WHERE title = 'rollback-me'")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "the task row rolled back with its event");
        }
    }
}
