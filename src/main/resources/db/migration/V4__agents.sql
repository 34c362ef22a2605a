-- The agent roster (issue 16): an agent is its wallet, stored lower-case (matched case-insensitively).
-- Deactivation keeps the row (and the agent's tasks); an inactive agent cannot sign in.
-- Sized like V3's text columns: twice the rule's limit in code points (TaskRules.WALLET_MAX 128, AgentService.NAME_MAX
-- 200), because H2 counts VARCHAR lengths in UTF-16 units and PostgreSQL in code points.
CREATE TABLE agent (
    wallet        VARCHAR(256)  NOT NULL PRIMARY KEY,
    display_name  VARCHAR(400)  NOT NULL,
    active        BOOLEAN       NOT NULL,
    created_at    BIGINT        NOT NULL,
    updated_at    BIGINT        NOT NULL
);
CREATE INDEX agent_active_idx ON agent (active);

-- Sign-In with Ethereum nonces: issued by POST /api/auth/nonce, consumed once (deleted) by POST /api/auth/wallet.
-- In the database so that a nonce issued by one node is accepted by another.
CREATE TABLE auth_nonce (
    nonce       VARCHAR(64)   NOT NULL PRIMARY KEY,
    client_ip   VARCHAR(100)  NOT NULL,
    created_at  BIGINT        NOT NULL,
    expires_at  BIGINT        NOT NULL
);
CREATE INDEX auth_nonce_expires_idx ON auth_nonce (expires_at);
