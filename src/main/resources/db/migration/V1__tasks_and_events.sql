-- One migration set for H2 (embedded default) and PostgreSQL: portable types only.
-- Timestamps are epoch milliseconds (BIGINT): exact on both databases, no time-zone conversion anywhere.

CREATE SEQUENCE task_id_seq START WITH 1 INCREMENT BY 1;

CREATE TABLE task (
    id            BIGINT        NOT NULL PRIMARY KEY,
    title         VARCHAR(200)  NOT NULL,
    description   VARCHAR(10000),
    status        VARCHAR(16)   NOT NULL,
    agent_wallet  VARCHAR(128),
    priority      VARCHAR(8)    NOT NULL,
    due_at        BIGINT,
    created_at    BIGINT        NOT NULL,
    updated_at    BIGINT        NOT NULL,
    started_at    BIGINT,
    completed_at  BIGINT,
    version       BIGINT        NOT NULL
);
CREATE INDEX task_agent_idx ON task (agent_wallet, id);
CREATE INDEX task_status_idx ON task (status, id);

-- The outbox: one row per event, written in the transaction of the change it describes.
-- Its id is the global event sequence and increases in commit order (see event_sequence).
CREATE TABLE task_event (
    id               BIGINT          NOT NULL PRIMARY KEY,
    type             VARCHAR(32)     NOT NULL,
    task_id          BIGINT          NOT NULL,
    agent_wallet     VARCHAR(128),
    previous_wallet  VARCHAR(128),
    created_at       BIGINT          NOT NULL,
    data             VARCHAR(1000000) NOT NULL
);
CREATE INDEX task_event_created_idx ON task_event (created_at);

-- A single row: the last event id handed out. Every writing transaction locks it (SELECT ... FOR UPDATE)
-- before it writes, so ids are assigned in commit order and a reader never sees id N+1 before id N.
CREATE TABLE event_sequence (
    id       INT    NOT NULL PRIMARY KEY,
    last_id  BIGINT NOT NULL
);
INSERT INTO event_sequence (id, last_id) VALUES (1, 0);
