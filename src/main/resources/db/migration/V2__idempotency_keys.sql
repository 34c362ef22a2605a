-- Idempotency-Key of POST /api/tasks: the first response for a key is kept for 24 hours and replayed.
CREATE TABLE idempotency_key (
    idem_key      VARCHAR(200)    NOT NULL PRIMARY KEY,
    request_hash  VARCHAR(64)     NOT NULL,
    task_id       BIGINT          NOT NULL,
    response      VARCHAR(1000000) NOT NULL,
    created_at    BIGINT          NOT NULL
);
CREATE INDEX idempotency_key_created_idx ON idempotency_key (created_at);
