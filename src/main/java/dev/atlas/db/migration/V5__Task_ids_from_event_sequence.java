package dev.atlas.db.migration;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Task ids move from the {@code task_id_seq} sequence to a column of the {@code event_sequence} row, which every
 * writing transaction already locks, reads and writes (see {@code EventLog}: ROW, begin).
 *
 * <p>The column starts at the last id the sequence handed out, so no id is ever handed out twice, not even that of
 * a task since deleted (clients and the outbox may still name it). That value is read the only way both databases
 * agree on: by taking the sequence's next value, which was never handed out, and stepping back one. In Java because
 * the two databases spell {@code nextval} differently. The sequence is then dropped: a node still running the
 * previous version fails its creations loudly instead of handing out ids this one also hands out.
 */
public class V5__Task_ids_from_event_sequence extends BaseJavaMigration {
    private final boolean postgres;

    /** @param postgres whether the database is PostgreSQL ({@code Database#isPostgres}); else H2 */
    public V5__Task_ids_from_event_sequence(boolean postgres) {
        this.postgres = postgres;
    }

    @Override
    public void migrate(Context context) throws SQLException {
        try (Statement s = context.getConnection().createStatement()) {
            s.execute("ALTER TABLE event_sequence ADD COLUMN last_task_id BIGINT DEFAULT 0 NOT NULL");
            long next = single(s, postgres ? "SELECT nextval('task_id_seq')" : "SELECT NEXT VALUE FOR task_id_seq");
            long highest = single(s, "SELECT COALESCE(MAX(id), 0) FROM task");
            long last = Math.max(next - 1, highest);
            s.executeUpdate("UPDATE event_sequence SET last_task_id = " + last);
            s.execute("DROP SEQUENCE task_id_seq");
        }
    }

    private static long single(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
