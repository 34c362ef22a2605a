package dev.atlas.task;

import java.util.StringJoiner;
import org.eclipse.persistence.config.DescriptorCustomizer;
import org.eclipse.persistence.descriptors.ClassDescriptor;
import org.eclipse.persistence.internal.helper.DatabaseField;
import org.eclipse.persistence.mappings.DatabaseMapping;

/**
 * Every change of a task row is written by ONE update statement, whatever the change: the whole row, not only the
 * columns that changed (EclipseLink's default), so that the changes of a shared write transaction ({@code
 * GroupCommit}) go to the database as one JDBC batch instead of one batch per set of changed columns. A start
 * changes {@code started_at}, a complete {@code completed_at}, an edit its own columns: with EclipseLink's
 * statements, a batch of starts and completes took two round trips to PostgreSQL inside the serialized write
 * section; with this one, one.
 *
 * <p>The statement is made from the entity's own mapping, so a column added to {@link Task} is written with the
 * others: every updatable column ({@code created_at} is {@code updatable = false}), by the primary key. A long text
 * column ({@code description}) is written only when it differs from the stored value: PostgreSQL moves long values out
 * of line (TOAST), and assigning the same text again would store a new out-of-line copy at every start or complete;
 * keeping the column's own value keeps the old copy. The cast to the column's own type is part of that: without it
 * the CASE's type has no length, PostgreSQL adds a length check on assignment, and the check's result is a new
 * (inline) value that is stored out of line again. {@code TaskRowUpdatePostgresIT} checks both. The same statement
 * runs on H2.
 *
 * <p>Installed by {@code @Customizer} on {@link Task}; EclipseLink binds {@code #COLUMN} from the task's full row.
 */
public final class TaskRowUpdate implements DescriptorCustomizer {
    /** Text columns longer than this may be stored out of line by PostgreSQL (its threshold is ~2 KB per row). */
    static final int LONG_TEXT = 1000;

    @Override
    public void customize(ClassDescriptor descriptor) {
        descriptor.getQueryManager().setUpdateSQLString(sql(descriptor));
    }

    static String sql(ClassDescriptor descriptor) {
        StringJoiner set = new StringJoiner(", ");
        for (DatabaseMapping m : descriptor.getMappings()) {
            DatabaseField f = m.getField();
            if (f == null || !f.isUpdatable() || descriptor.getPrimaryKeyFields().contains(f)) {
                continue;
            }
            String c = f.getName();
            if (isText(descriptor, m) && f.getLength() > LONG_TEXT) {
                set.add(c + " = CASE WHEN " + c + " IS NOT DISTINCT FROM #" + c + " THEN " + c
                        + " ELSE CAST(#" + c + " AS VARCHAR(" + f.getLength() + ")) END");
            } else {
                set.add(c + " = #" + c);
            }
        }
        StringJoiner where = new StringJoiner(" AND ");
        for (DatabaseField key : descriptor.getPrimaryKeyFields()) {
            where.add(key.getName() + " = #" + key.getName());
        }
        return "UPDATE " + descriptor.getTableName() + " SET " + set + " WHERE " + where;
    }

    /** From the entity class: the mapping's own attribute type is set only when EclipseLink initializes it, later. */
    private static boolean isText(ClassDescriptor descriptor, DatabaseMapping m) {
        try {
            return descriptor.getJavaClass().getDeclaredField(m.getAttributeName()).getType() == String.class;
        } catch (NoSuchFieldException e) {
            return false;
        }
    }
}
