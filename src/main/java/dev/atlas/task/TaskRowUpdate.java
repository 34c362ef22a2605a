package dev.atlas.task;

import org.eclipse.persistence.config.DescriptorCustomizer;
import org.eclipse.persistence.descriptors.ClassDescriptor;

/**
 * Every change of a task row is written by ONE update statement, whatever the change: the whole row, not only the
 * columns that changed (EclipseLink's default), so that the changes of a shared write transaction ({@code
 * GroupCommit}) go to the database as one JDBC batch instead of one batch per set of changed columns. A start
 * changes {@code started_at}, a complete {@code completed_at}, an edit its own columns: with EclipseLink's
 * statements, a batch of starts and completes took two round trips to PostgreSQL inside the serialized write
 * section; with this one, one.
 *
 * <p>{@code created_at} never changes and is not written. {@code description} (up to 20,000 characters) is written
 * only when it differs from the stored one: PostgreSQL moves long values out of line (TOAST), and assigning the
 * same text again would store a new out-of-line copy at every start or complete; keeping the column's own value
 * keeps the old copy. The cast to the column's own type (migration V3) is part of that: without it the CASE's type
 * has no length, PostgreSQL adds a length check on assignment, and the check's result is a new (inline) value that
 * is stored out of line again. {@code TaskRowUpdatePostgresIT} checks both. The same statement runs on H2.
 *
 * <p>Installed by {@code @Customizer} on {@link Task}; EclipseLink binds {@code #COLUMN} from the task's full row.
 */
public final class TaskRowUpdate implements DescriptorCustomizer {
    static final String SQL = "UPDATE task SET title = #TITLE,"
            + " description = CASE WHEN description IS NOT DISTINCT FROM #DESCRIPTION THEN description"
            + " ELSE CAST(#DESCRIPTION AS VARCHAR(20000)) END,"
            + " status = #STATUS, agent_wallet = #agent_wallet, priority = #PRIORITY, due_at = #due_at,"
            + " updated_at = #updated_at, started_at = #started_at, completed_at = #completed_at, version = #VERSION"
            + " WHERE id = #ID";

    @Override
    public void customize(ClassDescriptor descriptor) {
        descriptor.getQueryManager().setUpdateSQLString(SQL);
    }
}
