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
