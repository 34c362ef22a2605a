package dev.atlas.it;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;

/**
 * A throw-away schema in the local PostgreSQL ({@code ATLAS_TEST_PG_URL}, default
 * {@code jdbc:postgresql://127.0.0.1:5432/test}, user {@code ATLAS_TEST_PG_USER} or {@code postgres}),
 * so each test class starts on an empty database and leaves nothing behind.
 */
public final class Postgres implements AutoCloseable {
    static final String URL = env("ATLAS_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    static final String USER = env("ATLAS_TEST_PG_USER", "postgres");
    static final String PASSWORD = env("ATLAS_TEST_PG_PASSWORD", "");

    private final String schema = "atlas_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    public Postgres() {
        try (Connection c = admin(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL is needed for this test and is not reachable at " + URL
                    + " as " + USER + " (" + e.getMessage() + "). Start it (see .ci/run) or set ATLAS_TEST_PG_URL.", e);
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    public String jdbcUrl() {
        return URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    /** The settings that point Atlas at this schema. */
    public Map<String, String> settings() {
        return Map.of("ATLAS_DB_URL", jdbcUrl(), "ATLAS_DB_USER", USER, "ATLAS_DB_PASSWORD", PASSWORD);
    }

    /** Atlas's {@code Database} on this schema (pool, migrations), as a node opens it; the caller closes it. */
    public dev.atlas.db.Database database() {
        return dev.atlas.db.Database.open(dev.atlas.config.AtlasConfig.load(settings(), null));
    }

    /** A connection to this schema, for a test that must reach into the database. */
    public Connection connect() throws SQLException {
        return open(jdbcUrl());
    }

    private static Connection admin() throws SQLException {
        return open(URL);
    }

    /**
     * Uses the driver class directly rather than DriverManager: a WAR deployed in this JVM (Arquillian)
     * registers and deregisters its own copy of the driver, which can leave DriverManager with none.
     */
    private static Connection open(String url) throws SQLException {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("user", USER);
        p.setProperty("password", PASSWORD);
        return new org.postgresql.Driver().connect(url, p);
    }

    @Override
    public void close() {
        try (Connection c = admin(); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot drop test schema " + schema, e);
        }
    }
}
