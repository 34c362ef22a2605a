package dev.atlas.db;

import dev.atlas.config.AtlasConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Logger;
import org.flywaydb.core.Flyway;

/**
 * Hand-run measurement of the embedded H2 file under Atlas's write transaction: lock the
 * {@code event_sequence} row ({@code SELECT … FOR UPDATE}), insert a task row, insert an event row, bump
 * the sequence, commit; one connection, as fast as it goes. Every {@code --report} commits it prints the
 * file size and the commits per second of that interval, so growth and slowdown over time are visible.
 *
 * <p>Not a test (its name does not end in {@code Test}/{@code IT}): it takes tens of seconds and its figures
 * depend on the machine. docs/architecture.md ("Persistence") has the figures and the command:
 *
 * <pre>
 * mvn -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -cp target/classes:target/test-classes:$(cat target/cp.txt) dev.atlas.db.H2GrowthProbe \
 *      [--commits 50000] [--seconds 30] [--report 5000] [--dir target/h2probe] [--url jdbc:h2:file:{dir}/atlas;…]
 *      [--housekeeping true|false] [--hk-interval ms] [--hk-bytes n]
 * </pre>
 *
 * <p>Without {@code --url} it uses exactly the URL Atlas builds ({@link Database#jdbcUrl}) under {@code --dir},
 * which is emptied first.
 */
public final class H2GrowthProbe {
    private static final Logger LOG = Logger.getLogger(H2GrowthProbe.class.getName());

    /** One line of the probe's report, through the logger (stderr with the JDK's default configuration). */
    private static void report(String line) {
        LOG.info(line);
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new java.util.HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int commits = Integer.parseInt(opt.getOrDefault("commits", "50000"));
        int report = Integer.parseInt(opt.getOrDefault("report", "5000"));
        long seconds = Long.parseLong(opt.getOrDefault("seconds", "30"));
        Path dir = Path.of(opt.getOrDefault("dir", "target/h2probe")).toAbsolutePath();
        deleteTree(dir);
        Files.createDirectories(dir);
        String url = opt.containsKey("url")
                ? opt.get("url").replace("{dir}", dir.toString())
                : Database.jdbcUrl(AtlasConfig.load(Map.of("ATLAS_DATA_DIR", dir.toString()), null));
        report("url: " + url);

        org.h2.jdbcx.JdbcDataSource ds = new org.h2.jdbcx.JdbcDataSource();
        ds.setURL(url);
        long hkInterval = Long.parseLong(opt.getOrDefault("hk-interval", String.valueOf(H2Housekeeping.INTERVAL_MS)));
        int hkBytes = Integer.parseInt(opt.getOrDefault("hk-bytes", String.valueOf(H2Housekeeping.REWRITE_BYTES)));
        boolean hk = Boolean.parseBoolean(opt.getOrDefault("housekeeping", "true"));
        report("housekeeping: " + (hk ? "every " + hkInterval + " ms, " + hkBytes + " bytes" : "off"));
        try (Connection c = ds.getConnection();
             H2Housekeeping housekeeping = new H2Housekeeping(ds, hkInterval, hkBytes)) {
            Flyway.configure(H2GrowthProbe.class.getClassLoader())
                    .dataSource(ds).locations("classpath:db/migration").load().migrate();
            if (hk) {
                housekeeping.start();
            }
            Result r = run(c, commits, report, seconds * 1000, dir.resolve("atlas.mv.db"), true);
            report(String.format(Locale.ROOT, "done: %d commits in %.1f s, file %.1f MB",
                    r.commits, r.millis / 1000.0, r.fileBytes / 1e6));
            printStoreInfo(c);
            report(String.format(Locale.ROOT, "bytes written per commit: %.1f KB", bytesWritten(c) / 1e3 / Math.max(1, r.commits)));
        }
        report(String.format(Locale.ROOT, "after close: file %.1f MB", Files.size(dir.resolve("atlas.mv.db")) / 1e6));
    }

    /** What a run did. */
    record Result(int commits, long millis, long fileBytes) {
    }

    /**
     * Runs up to {@code commits} write transactions (or until {@code maxMillis}) on {@code c}, which must be
     * on a migrated schema. Prints a line every {@code report} commits when {@code print}.
     */
    static Result run(Connection c, int commits, int report, long maxMillis, Path file, boolean print)
            throws SQLException, java.io.IOException {
        return run(c, commits, report, maxMillis, file, print, 0, null);
    }

    /** Work run on the loop's thread every so many commits (a test's deterministic housekeeping). */
    interface Hook {
        void run() throws SQLException;
    }

    static Result run(Connection c, int commits, int report, long maxMillis, Path file, boolean print,
                      int hookEvery, Hook hook) throws SQLException, java.io.IOException {
        c.setAutoCommit(false);
        String data = "{\"id\":%d,\"title\":\"Task %d\",\"description\":\"" + "x".repeat(300)
                + "\",\"status\":\"PENDING\",\"agentWallet\":\"%s\",\"priority\":\"MEDIUM\",\"version\":0}";
        long start = System.nanoTime();
        long intervalStart = start;
        int done = 0;
        try (PreparedStatement lock = c.prepareStatement("SELECT last_id FROM event_sequence WHERE id = 1 FOR UPDATE");
             PreparedStatement bump = c.prepareStatement("UPDATE event_sequence SET last_id = ? WHERE id = 1");
             PreparedStatement task = c.prepareStatement("INSERT INTO task (id, title, description, status, agent_wallet,"
                     + " priority, created_at, updated_at, version) VALUES (?, ?, ?, 'PENDING', ?, 'MEDIUM', ?, ?, 0)");
             PreparedStatement event = c.prepareStatement("INSERT INTO task_event (id, type, task_id, agent_wallet,"
                     + " created_at, data) VALUES (?, 'taskCreated', ?, ?, ?, ?)")) {
            while (done < commits && (System.nanoTime() - start) / 1_000_000 < maxMillis) {
                long last;
                try (ResultSet rs = lock.executeQuery()) {
                    rs.next();
                    last = rs.getLong(1);
                }
                long now = System.currentTimeMillis();
                String wallet = "0x" + Long.toHexString(0xabc000L + (done * 7919L) % 500);
                long taskId = last + 1; // one event per created task, as in a create without an agent
                task.setLong(1, taskId);
                task.setString(2, "Task " + taskId);
                task.setString(3, "x".repeat(100));
                task.setString(4, wallet);
                task.setLong(5, now);
                task.setLong(6, now);
                task.executeUpdate();
                event.setLong(1, last + 1);
                event.setLong(2, taskId);
                event.setString(3, wallet);
                event.setLong(4, now);
                event.setString(5, String.format(Locale.ROOT, data, taskId, taskId, wallet));
                event.executeUpdate();
                bump.setLong(1, last + 1);
                bump.executeUpdate();
                c.commit();
                done++;
                if (hook != null && done % hookEvery == 0) {
                    hook.run();
                }
                if (print && done % report == 0) {
                    long t = System.nanoTime();
                    report(String.format(Locale.ROOT, "%7d commits  %6.1f s  file %7.1f MB  %6.0f commits/s",
                            done, (t - start) / 1e9, Files.size(file) / 1e6, report / ((t - intervalStart) / 1e9)));
                    intervalStart = t;
                }
            }
        }
        return new Result(done, (System.nanoTime() - start) / 1_000_000, Files.size(file));
    }

    /** H2's own view of the store (chunk fill rates, page size, retention…), from INFORMATION_SCHEMA.SETTINGS. */
    static void printStoreInfo(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT SETTING_NAME, SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS"
                     + " WHERE SETTING_NAME LIKE 'info.%' OR SETTING_NAME IN ('WRITE_DELAY', 'RETENTION_TIME')")) {
            while (rs.next()) {
                report("  " + rs.getString(1) + " = " + rs.getString(2));
            }
        }
    }

    private static long bytesWritten(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS"
                     + " WHERE SETTING_NAME = 'info.FILE_WRITE_BYTES'")) {
            return rs.next() ? Long.parseLong(rs.getString(1)) : 0;
        }
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        if (Files.exists(dir)) {
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
