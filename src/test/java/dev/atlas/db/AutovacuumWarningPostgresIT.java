package dev.atlas.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atlas.it.Postgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * A node on PostgreSQL warns at start when nothing will vacuum Atlas's tables: autovacuum off for the server, or for one
 * of its tables in its own schema (not another schema's). The server's setting is whatever this PostgreSQL runs with
 * (CI's runs with autovacuum off), so the expectations are computed from it; the table settings are made here.
 */
class AutovacuumWarningPostgresIT {

    @Test
    void aTableWithAutovacuumOffIsNamedAndOnlyInItsOwnSchema() throws Exception {
        try (Postgres pg = new Postgres(); Postgres other = new Postgres()) {
            Database db = pg.database();
            Database otherDb = other.database();
            try {
                try (Connection c = other.connect(); Statement s = c.createStatement()) {
                    s.execute("ALTER TABLE task SET (autovacuum_enabled = off)");
                }
                try (Connection c = pg.connect()) {
                    assertEquals(serverWarnings(c), Database.autovacuumWarnings(c), "a fresh schema: the server's setting only");
                    try (Statement s = c.createStatement()) {
                        s.execute("ALTER TABLE task_event SET (autovacuum_enabled = 0)");
                        s.execute("ALTER TABLE agent SET (autovacuum_enabled = false, fillfactor = 90)");
                        s.execute("ALTER TABLE task SET (autovacuum_enabled = on)");
                    }
                    List<String> warnings = Database.autovacuumWarnings(c);
                    List<String> tables = warnings.stream().filter(w -> w.contains("for Atlas's table")).toList();
                    assertEquals(2, tables.size(), warnings.toString());
                    assertTrue(tables.get(0).contains("table agent "), tables.get(0));
                    assertTrue(tables.get(1).contains("table task_event "), tables.get(1));
                    assertEquals(serverWarnings(c).size() + 2, warnings.size(), warnings.toString());
                }
                try (Connection c = other.connect()) {
                    List<String> tables = Database.autovacuumWarnings(c).stream().filter(w -> w.contains("for Atlas's table")).toList();
                    assertEquals(1, tables.size(), tables.toString());
                    assertTrue(tables.get(0).contains("table task "), tables.get(0));
                }
            } finally {
                db.close();
                otherDb.close();
            }
        }
    }

    @Test
    void aNodeLogsTheWarningsWhenItStarts() throws Exception {
        try (Postgres pg = new Postgres()) {
            pg.database().close(); // migrates the schema
            try (Connection c = pg.connect(); Statement s = c.createStatement()) {
                s.execute("ALTER TABLE idempotency_key SET (autovacuum_enabled = off)");
            }
            List<LogRecord> logged = new ArrayList<>();
            Logger logger = Logger.getLogger(Database.class.getName());
            Handler capture = new Handler() {
                @Override
                public void publish(LogRecord r) {
                    if (r.getLevel() == Level.WARNING) {
                        logged.add(r);
                    }
                }

                @Override
                public void flush() {
                }

                @Override
                public void close() {
                }
            };
            logger.addHandler(capture);
            Database second = pg.database();
            try (Connection c = pg.connect()) {
                List<String> messages = logged.stream().map(LogRecord::getMessage).toList();
                List<String> expected = new ArrayList<>(serverWarnings(c));
                expected.add("PostgreSQL's autovacuum is off for Atlas's table idempotency_key (autovacuum_enabled = false):"
                        + " its dead row versions accumulate and its statistics go stale. ALTER TABLE idempotency_key RESET"
                        + " (autovacuum_enabled), or vacuum it on a schedule.");
                assertEquals(expected, messages);
            } finally {
                logger.removeHandler(capture);
                second.close();
            }
        }
    }

    /**
     * The server-wide warning expected from this PostgreSQL's own settings (read with {@code SHOW}, not through the code
     * under test): none when autovacuum and track_counts are on, else the one message naming both values.
     */
    private static List<String> serverWarnings(Connection c) throws SQLException {
        String autovacuum = show(c, "autovacuum");
        String trackCounts = show(c, "track_counts");
        if (autovacuum.equals("on") && trackCounts.equals("on")) {
            return List.of();
        }
        return List.of("PostgreSQL runs with autovacuum = " + autovacuum + ", track_counts = " + trackCounts
                + ": Atlas's tables are never vacuumed or analyzed automatically, so the dead row versions every task change"
                + " leaves behind accumulate and the planner's statistics go stale. Turn both on (the default), or schedule"
                + " VACUUM ANALYZE of task, task_event, event_sequence, idempotency_key, agent, auth_nonce.");
    }

    private static String show(Connection c, String setting) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
