package dev.atlas.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.atlas.config.AtlasConfig;
import dev.atlas.config.ConfigException;
import dev.atlas.config.Setting;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;
import jakarta.persistence.Persistence;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * Owns the connection pool, the schema migrations and the JPA {@link EntityManagerFactory}, and runs
 * units of work in RESOURCE_LOCAL transactions (there is no JTA on Tomcat).
 *
 * <p>Threading: {@link #inTransaction} may be called from any thread; each call uses its own
 * EntityManager and connection.
 */
@ApplicationScoped
public class Database {
    private static final Logger LOG = Logger.getLogger(Database.class.getName());

    private HikariDataSource dataSource;
    private H2Housekeeping h2Housekeeping;
    private EntityManagerFactory emf;
    private CacheLease cacheLease;
    private boolean postgres;
    private String url;
    private String user;
    private String password;

    /** For CDI proxies only. */
    protected Database() {
    }

    @Inject
    public Database(AtlasConfig config) {
        start(config);
    }

    /** Builds a Database outside CDI (tests, tools). */
    public static Database open(AtlasConfig config) {
        Database db = new Database();
        db.start(config);
        return db;
    }

    private void start(AtlasConfig config) {
        url = jdbcUrl(config);
        user = config.get(Setting.DB_USER);
        password = config.get(Setting.DB_PASSWORD);
        postgres = url.startsWith("jdbc:postgresql:");
        boolean cacheAllowed = readCacheAllowed(config); // refused before anything starts
        int cacheSize = readCacheSize(config);
        if (!postgres && !url.startsWith("jdbc:h2:")) {
            throw new ConfigException("ATLAS_DB_URL must be a jdbc:h2: or jdbc:postgresql: URL, got '" + url + "'");
        }
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("atlas");
        hc.setJdbcUrl(url);
        hc.setUsername(config.get(Setting.DB_USER));
        hc.setPassword(config.get(Setting.DB_PASSWORD));
        hc.setMaximumPoolSize(config.getInt(Setting.DB_POOL_SIZE));
        // Auto-commit on, as EclipseLink expects: it turns it off to begin a transaction and back on after the commit
        // or rollback. Reads (see read) run outside a transaction, one connection per query; with auto-commit off the
        // pool rolled each back when it came back, which on H2 stores a chunk (see read) and on PostgreSQL is a round trip.
        hc.setAutoCommit(true);
        // Fail fast while the database is down: a request waits this long for a connection, then gets 503.
        hc.setConnectionTimeout(config.getLong(Setting.DB_CONNECT_TIMEOUT_MS));
        hc.setValidationTimeout(Math.min(1000, Math.max(250, config.getLong(Setting.DB_CONNECT_TIMEOUT_MS) / 2)));
        // Start even if the database is briefly unreachable? No: a node that cannot migrate must not serve.
        hc.setInitializationFailTimeout(config.getLong(Setting.DB_CONNECT_TIMEOUT_MS));
        hc.setDriverClassName(postgres ? "org.postgresql.Driver" : "org.h2.Driver");
        dataSource = new HikariDataSource(hc);

        Flyway.configure(Database.class.getClassLoader())
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                // Java migrations are listed, not found by scanning: the same on every container's class loader.
                .javaMigrations(new dev.atlas.db.migration.V5__Task_ids_from_event_sequence(postgres))
                .load()
                .migrate();

        if (config.get(Setting.DB_URL).isEmpty()) {
            // Our own embedded file database: keep it bounded (see jdbcUrl and H2Housekeeping).
            h2Housekeeping = new H2Housekeeping(dataSource);
            h2Housekeeping.start();
        }

        Map<String, Object> props = new HashMap<>();
        props.put("jakarta.persistence.nonJtaDataSource", dataSource);
        props.put("eclipselink.target-database", postgres
                ? "org.eclipse.persistence.platform.database.PostgreSQLPlatform"
                : "org.eclipse.persistence.platform.database.H2Platform");
        emf = Persistence.createEntityManagerFactory("atlas", props);
        if (postgres) {
            warnIfNotVacuumed();
            cacheLease = new CacheLease(this, cacheAllowed, cacheSize);
            cacheLease.start(config.getLong(Setting.DB_CONNECT_TIMEOUT_MS));
        }
        LOG.info(() -> "Database ready: " + redact(url));
    }

    /** Atlas's tables that take updates and deletes (rows die there), checked by {@link #autovacuumWarnings}. */
    static final List<String> CHURNED_TABLES = List.of("task", "task_event", "event_sequence", "idempotency_key",
            "agent", "auth_nonce");

    /** Logs what {@link #autovacuumWarnings} finds; a failed check (e.g. a role that may not read settings) is no reason not to start. */
    private void warnIfNotVacuumed() {
        try (Connection c = dataSource.getConnection()) {
            for (String warning : autovacuumWarnings(c)) {
                LOG.warning(warning);
            }
        } catch (SQLException e) {
            LOG.fine(() -> "Cannot check PostgreSQL's autovacuum settings: " + e.getMessage());
        }
    }

    /**
     * What an operator should hear about PostgreSQL's automatic vacuum for Atlas's tables (in the connection's
     * current schema): off for the whole server ({@code autovacuum} or {@code track_counts} off), or for one of
     * Atlas's tables ({@code autovacuum_enabled = false}). Without it, every start, completion and edit of a task leaves
     * a dead row version behind that nothing reclaims, the outbox's pruned events too, and the planner keeps the
     * statistics it had when the tables were small. Atlas's own statements are written not to depend on fresh
     * statistics (the task load's ids are in its SQL), but the tables grow without bound. Empty when all is well.
     */
    static List<String> autovacuumWarnings(Connection c) throws SQLException {
        List<String> warnings = new ArrayList<>();
        try (var st = c.createStatement();
                var rs = st.executeQuery("SELECT current_setting('autovacuum'), current_setting('track_counts')")) {
            rs.next();
            String autovacuum = rs.getString(1);
            String trackCounts = rs.getString(2);
            if (!"on".equals(autovacuum) || !"on".equals(trackCounts)) {
                warnings.add("PostgreSQL runs with autovacuum = " + autovacuum + ", track_counts = " + trackCounts
                        + ": Atlas's tables are never vacuumed or analyzed automatically, so the dead row versions every "
                        + "task change leaves behind accumulate and the planner's statistics go stale. Turn both on "
                        + "(the default), or schedule VACUUM ANALYZE of " + String.join(", ", CHURNED_TABLES) + ".");
            }
        }
        try (var ps = c.prepareStatement("SELECT c.relname FROM pg_class c WHERE c.relnamespace = "
                + "(SELECT oid FROM pg_namespace WHERE nspname = current_schema()) AND c.relname = ANY (?) AND EXISTS "
                + "(SELECT 1 FROM unnest(c.reloptions) o WHERE o ~* '^autovacuum_enabled=(false|off|no|n|f|0)$') "
                + "ORDER BY c.relname")) {
            ps.setArray(1, c.createArrayOf("text", CHURNED_TABLES.toArray()));
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    warnings.add("PostgreSQL's autovacuum is off for Atlas's table " + rs.getString(1)
                            + " (autovacuum_enabled = false): its dead row versions accumulate and its statistics go "
                            + "stale. ALTER TABLE " + rs.getString(1) + " RESET (autovacuum_enabled), or vacuum it on a schedule.");
                }
            }
        }
        return warnings;
    }

    /** The JDBC URL from settings; by default an H2 file database under the data directory. */
    static String jdbcUrl(AtlasConfig config) {
        String url = config.get(Setting.DB_URL);
        if (!url.isEmpty()) {
            return url;
        }
        Path dir = Path.of(config.get(Setting.DATA_DIR)).toAbsolutePath().normalize();
        // WRITE_DELAY=0: a commit acknowledged to a REST caller must be in the file, not in a 500 ms buffer:
        // H2 then writes each commit's chunk in the committing thread (survives kill -9; no fsync per commit).
        // It also stops H2's background writer, the only thing that compacts the file, so H2Housekeeping
        // does that instead (every 50 ms, in small rounds: a round holds the lock every commit needs), and
        // fsyncs every 250 ms.
        // RETENTION_TIME=1000: H2 does not reuse a chunk's space until the retention time after it was
        // written, even once it is dead (default 45 s, trusting the OS to have written back by then). At one
        // chunk of ~30 KB per commit, 45 s is over 1 GB at 1,000 commits/s. 1 s is safe in H2's terms because H2Housekeeping fsyncs 4 times a second;
        // kill -9 durability never depended on it (the OS keeps what was written).
        // Measured (H2GrowthProbe, 50,000 commits at ~3,000 commits/s, docs/architecture.md "Persistence"):
        // 1,728 MB and 35 KB more per commit before; 268 MB, with space reused, after. The file is bounded
        // by live data + commit rate x retention x ~33 KB (one chunk per commit).
        // DB_CLOSE_ON_EXIT=FALSE: the pool closes the database when the application stops; H2's own JVM
        // shutdown hook would run after the web application is gone and fail to load its classes.
        // QUERY_CACHE_SIZE=64: H2 keeps 8 parsed statements per connection by default, fewer than the
        // statements one write batch uses (sequence lock, finds, inserts, updates, idempotency), so every
        // statement was parsed again (H2's parser was ~4 % of a REST request's CPU in a profile).
        // CACHE_SIZE (ATLAS_DB_H2_CACHE_KB, 4 MiB): every page a commit writes enters H2's page cache and stays there
        // until evicted, so with H2's 16 MiB the pages written since the last young GC (most of them outbox events,
        // never read again) were most of what each young GC had to copy: 8-16 MB of survivors, pauses of ~12 ms
        // once a second, the REST p99's excess. With 4 MiB: 4-8 MB, ~8 ms, and more requests per second, not fewer
        // (docs/benchmarks.md, ninth session).
        return "jdbc:h2:file:" + dir.resolve("atlas")
                + ";WRITE_DELAY=0;RETENTION_TIME=1000;QUERY_CACHE_SIZE=64;DB_CLOSE_ON_EXIT=FALSE"
                + ";CACHE_SIZE=" + h2CacheKb(config);
    }

    /** The H2 page cache in KiB, refused outside 256 KiB .. 4 GiB with the setting named. */
    static long h2CacheKb(AtlasConfig config) {
        return config.getLong(Setting.DB_H2_CACHE_KB, 256, 4L * 1024 * 1024, "KiB");
    }

    private static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }

    public boolean isPostgres() {
        return postgres;
    }

    /** On PostgreSQL, this node's part in deciding who may cache reads (see {@link CacheLease}); null on H2. */
    public CacheLease cacheLease() {
        return cacheLease;
    }

    /** {@code ATLAS_READ_CACHE}: auto (true) or off (false), anything else refused. */
    static boolean readCacheAllowed(AtlasConfig config) {
        String v = config.get(Setting.READ_CACHE);
        return switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "auto" -> true;
            case "off" -> false;
            default -> throw new ConfigException(Setting.READ_CACHE.envName() + " must be auto or off, got '" + v + "'");
        };
    }

    static int readCacheSize(AtlasConfig config) {
        return (int) config.getLong(Setting.READ_CACHE_SIZE, 1_000, 10_000_000, "tasks");
    }

    /**
     * A connection of its own, outside the pool, for work that holds one for a long time (the outbox listener's
     * {@code LISTEN}): same URL and credentials as the pool, named {@code applicationName} in
     * {@code pg_stat_activity}. The caller closes it.
     */
    public Connection openDedicated(String applicationName) throws SQLException {
        Properties props = new Properties();
        if (user != null && !user.isEmpty()) {
            props.setProperty("user", user);
        }
        if (password != null && !password.isEmpty()) {
            props.setProperty("password", password);
        }
        if (!postgres) {
            return DriverManager.getConnection(url, props);
        }
        props.setProperty("ApplicationName", applicationName);
        props.setProperty("tcpKeepAlive", "true");
        // the driver itself, not DriverManager: inside a container the WAR's driver need not be registered there
        return new org.postgresql.Driver().connect(url, props);
    }

    /**
     * Stops the thread that owns a dedicated connection ({@link #openDedicated}): closes the connection, which ends a
     * read blocked on it, then interrupts the thread and waits up to 2 s for it. Either may be null. Never throws.
     */
    public static void stopDedicated(Connection c, Thread owner, String what) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                LOG.log(java.util.logging.Level.FINE, "Closing the " + what + " connection", e);
            }
        }
        if (owner != null) {
            owner.interrupt();
            try {
                owner.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Whether an exception means the database cannot be reached (down, restarting, network cut, pool
     * exhausted): such failures are answered with 503 and retried by clients, not reported as bugs.
     */
    public static boolean isUnavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.sql.SQLTransientConnectionException
                    || t instanceof java.sql.SQLNonTransientConnectionException
                    || t instanceof java.net.ConnectException
                    || t instanceof java.io.EOFException) {
                return true;
            }
            if (t instanceof java.sql.SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("08")) {
                return true; // SQL state class 08: connection exception
            }
        }
        return false;
    }

    /**
     * Whether a failure may be the database going away: EclipseLink marks it a communication failure. That
     * flag is not conclusive (on PostgreSQL any failed statement aborts the transaction, and EclipseLink's
     * validity probe then fails too), so callers confirm with {@link #ping}.
     */
    public static boolean mayBeUnavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof org.eclipse.persistence.exceptions.DatabaseException de && de.isCommunicationFailure()) {
                return true;
            }
        }
        return false;
    }

    /** Whether the database answers a trivial query within {@code timeoutSeconds}. Never throws. */
    public boolean ping(int timeoutSeconds) {
        try (java.sql.Connection c = dataSource.getConnection()) {
            return c.isValid(timeoutSeconds);
        } catch (java.sql.SQLException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Publishes the pool's meters ({@code hikaricp_connections_active}, {@code _idle}, {@code _pending},
     * {@code _timeout_total}, acquire and usage times, tagged {@code pool="atlas"}) to a Micrometer registry.
     * Once; HikariCP attaches the tracker to the running pool.
     */
    public void meterPool(io.micrometer.core.instrument.MeterRegistry registry) {
        dataSource.setMetricRegistry(registry);
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /**
     * Runs {@code work} in one transaction and commits it. Any exception rolls back and is rethrown
     * unchanged; nothing is committed then.
     */
    public <T> T inTransaction(Function<EntityManager, T> work) {
        EntityManager em = emf.createEntityManager();
        EntityTransaction tx = em.getTransaction();
        try {
            tx.begin();
            T result = work.apply(em);
            tx.commit();
            return result;
        } finally {
            try {
                if (tx.isActive()) {
                    tx.rollback();
                }
            } finally {
                em.close();
            }
        }
    }

    /**
     * Runs read-only work outside a transaction: each of its queries borrows a pooled connection in auto-commit and
     * gives it back (every read of Atlas is one query, so there is no snapshot to share between queries). Not in a
     * transaction on purpose: EclipseLink would turn auto-commit off for it and roll it back at the end, and on H2
     * ({@code WRITE_DELAY=0}) a rollback ends in {@code MVStore.commit}, which stores a chunk of whatever other
     * transactions changed and did not commit yet (docs/benchmarks.md); on PostgreSQL it is a round trip more.
     */
    public <T> T read(Function<EntityManager, T> work) {
        EntityManager em = emf.createEntityManager();
        try {
            return work.apply(em);
        } finally {
            em.close();
        }
    }

    @PreDestroy
    public void close() {
        if (cacheLease != null) {
            cacheLease.close(); // first: its cache off before anything else goes
        }
        if (h2Housekeeping != null) {
            h2Housekeeping.close();
        }
        if (emf != null && emf.isOpen()) {
            emf.close();
        }
        if (dataSource != null) {
            dataSource.close();
        }
        deregisterDrivers();
    }

    /** Drivers loaded by this web application must leave DriverManager with it (Tomcat warns of a leak otherwise). */
    private static void deregisterDrivers() {
        ClassLoader mine = Database.class.getClassLoader();
        for (java.sql.Driver d : java.util.Collections.list(java.sql.DriverManager.getDrivers())) {
            if (d.getClass().getClassLoader() == mine) {
                try {
                    java.sql.DriverManager.deregisterDriver(d);
                } catch (java.sql.SQLException e) {
                    LOG.fine(() -> "Cannot deregister " + d + ": " + e.getMessage());
                }
            }
        }
    }
}
