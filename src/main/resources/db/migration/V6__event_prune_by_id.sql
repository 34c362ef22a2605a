-- Retention prunes by id (EventLog.prune: every event below the first one inside the retention window), so the
-- index on created_at served nothing else. Dropped: one index less written by every event, in H2's chunk per commit
-- and in PostgreSQL's WAL.
DROP INDEX task_event_created_idx;
