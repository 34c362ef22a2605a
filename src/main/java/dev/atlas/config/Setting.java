package dev.atlas.config;

/**
 * Every setting Atlas reads, with its default and meaning. The single source for the README table and
 * {@code conf/atlas.properties.example}.
 *
 * <p>A setting has one name in two spellings: {@code ATLAS_PORT} as an environment variable,
 * {@code atlas.port} in a properties file. Immutable; safe from any thread.
 */
public enum Setting {
    PORT("3001", "HTTP port of the embedded run (ignored inside a stock Tomcat)."),
    BIND_ADDRESS("0.0.0.0", "Address the embedded run listens on."),
    VIRTUAL_THREADS("auto", "Embedded run: serve requests and the container's WebSocket work on virtual threads instead of Tomcat's thread pool. auto: on from Java 24 (where a virtual thread waiting inside synchronized code no longer holds its carrier thread), off before. on: from Java 21. off: the thread pool. In a stock Tomcat, conf/tomcat/setenv.sh reads the same variable."),
    MAX_CONNECTIONS("20000", "Embedded run: connections Tomcat keeps open at once (every WebSocket and held long-poll is one for its whole life; Tomcat's own default is 8192). In a stock Tomcat, maxConnections in server.xml."),
    DATA_DIR("./data", "Directory of the embedded H2 database files."),
    DB_URL("", "JDBC URL. Empty: H2 file database under ATLAS_DATA_DIR. A jdbc:postgresql: URL switches to PostgreSQL."),
    DB_H2_CACHE_KB("4096", "Page cache of the embedded H2 database (empty ATLAS_DB_URL), in KiB, from 256 to 4194304 (H2's CACHE_SIZE; its own default is 16384). Every page a commit writes stays in it until evicted, so a smaller cache leaves less for each young GC to copy: shorter pauses under writes; raise it when reads of a large task set miss it."),
    DB_USER("", "Database user (PostgreSQL)."),
    DB_PASSWORD("", "Database password (PostgreSQL)."),
    DB_POOL_SIZE("10", "Maximum JDBC connections in the pool."),
    DB_CONNECT_TIMEOUT_MS("2000", "How long a request waits for a database connection before failing with 503 (the database is down or saturated)."),
    DB_WRITE_BATCH_MAX("64", "Most concurrent write requests (create, update, start, complete, delete) combined into one database transaction and one commit (group commit). 1: each in its own transaction."),
    DB_WRITE_BATCH_WAIT_MICROS("500", "Under concurrent writes (the previous transaction combined more than one), how long the next may wait for more write requests to join it before it starts, in microseconds: fewer, larger transactions, each commit's cost shared. A lone write never waits. 0: never; at most 1000000."),
    READ_CACHE("auto", "PostgreSQL: auto: while this node is the only one on the database (a PostgreSQL advisory lock decides), it keeps each task it reads or writes in memory and answers GET /api/tasks/{id} from there, without a database round trip; when another node starts, it stops and empties the cache before that node may write. off: never. Either way every node takes part in the lock, so a cached task is never older than a write acknowledged by any node. Set off on every node behind a PgBouncer in transaction mode (session locks do not hold there). H2: no cache."),
    READ_CACHE_SIZE("50000", "Most tasks the read cache (ATLAS_READ_CACHE) holds, from 1000 to 10000000; past it, a quarter of them is dropped."),
    NODE_ID("", "Name of this node in logs and diagnostics. Empty: host name plus a random suffix."),
    AUTH("on", "on: every REST call and WebSocket needs a valid bearer token. off: development mode, no authentication (logged loudly)."),
    JWT_SECRET("", "Shared secret for HS256 tokens, at least 32 bytes (UTF-8). Empty and no JWKS file: the embedded run generates one under ATLAS_DATA_DIR; a WAR refuses to start."),
    JWKS_FILE("", "JWKS file of the public keys that verify RS256 or ES256 tokens (matched by kid when the token has one). Needs ATLAS_JWT_ALGORITHM."),
    JWT_ALGORITHM("", "The one accepted token algorithm. Empty: HS256 with a secret; with a JWKS file required, RS256 or ES256."),
    JWT_ISSUER("", "Required value of the token's iss claim. Empty: not checked."),
    JWT_AUDIENCE("", "Value the token's aud claim must contain. Empty: not checked."),
    ALLOWED_ORIGINS("", "Comma-separated browser origins (https://admin.example.com) allowed to open WebSockets, poll Socket.IO and call /api cross-site. The server's own origin is always allowed; requests without Origin (non-browser clients) too."),
    AUTH_TIMEOUT_SECONDS("10", "A WebSocket or Socket.IO connection that has not authenticated within this time is closed."),
    TRUSTED_PROXIES("", "Comma-separated addresses of reverse proxies whose X-Forwarded-For is believed for the client IP (e.g. 127.0.0.1). Empty: the connection's own address."),
    REST_RATE_LIMIT("1200", "REST requests per minute per token (per client IP without one); past it 429 with Retry-After. 0 turns the limit off."),
    WS_MAX_MESSAGES_PER_MINUTE("120", "Client messages per minute on one WebSocket or Socket.IO connection; past it the connection is closed (1008)."),
    MAX_CONNECTIONS_PER_IP("1000", "Concurrent WebSocket and Socket.IO connections per client IP; past it the handshake is refused with 429."),
    JWT_CLOCK_SKEW_SECONDS("60", "Clock difference tolerated when checking exp, nbf and iat, in seconds (0 to 60)."),
    WALLET_PATTERN("^0x[0-9a-fA-F]{40}$", "Regular expression an agent wallet address must match (compared case-insensitively, stored lower-case)."),
    AGENTS_REGISTERED_ONLY("false", "true: a task may only be assigned to the wallet of an active agent of the roster (/api/agents); another wallet is a 400 naming agentWallet. false: any wallet matching ATLAS_WALLET_PATTERN."),
    SIWE_DOMAIN("", "Wallet sign-in (EIP-4361): the domain (host[:port]) a signed message must name, and its URI's authority. Empty: the request's Host header, as Nginx forwards it (proxy_set_header Host $host)."),
    SIWE_CHAIN_IDS("1", "Wallet sign-in: comma-separated EIP-155 chain ids a signed message may name (1 = Ethereum mainnet)."),
    SIWE_NONCE_TTL_SECONDS("300", "Wallet sign-in: how long a nonce from POST /api/auth/nonce may be used (once)."),
    SIWE_NONCES_PER_MINUTE("20", "Wallet sign-in: nonces one client IP may ask for per minute; past it 429 with Retry-After."),
    SIWE_TOKEN_TTL("8h", "Wallet sign-in: lifetime of the agent token it issues (90s, 30m, 8h, 7d or ISO-8601)."),
    EVENT_RETENTION_DAYS("7", "Events older than this may be pruned from the outbox (replay can go back this far)."),
    EVENT_RETENTION_MIN_EVENTS("100000", "The latest events kept whatever their age."),
    OUTBOX_POLL_MS("1000", "How often each node reads the outbox for events it was not told about: the safety net under PostgreSQL's LISTEN/NOTIFY (and under a lost local firing)."),
    CLUSTER_NOTIFY("on", "PostgreSQL: on: each commit that appends events sends one NOTIFY (none while its node is alone on the database) and each node LISTENs on a dedicated connection, so events committed on another node are pushed at once; off: other nodes' events arrive by the outbox poll alone. Ignored on H2."),
    EVENT_PRUNE_INTERVAL_SECONDS("3600", "How often old events are pruned (also once at startup)."),
    WS_MAX_MESSAGE_BYTES("65536", "Largest client message on /ws; a larger one closes the session with 1009."),
    WS_QUEUE_MAX_MESSAGES("1000", "Messages that may wait for one slow WebSocket client before it is closed."),
    WS_QUEUE_MAX_BYTES("4194304", "UTF-8 bytes that may wait for one slow WebSocket client before it is closed."),
    SIO_PING_INTERVAL_MS("25000", "Socket.IO: how often the server pings each client (Engine.IO pingInterval)."),
    SIO_PING_TIMEOUT_MS("20000", "Socket.IO: how long the server waits for the pong before closing the session (Engine.IO pingTimeout)."),
    SIO_MAX_PAYLOAD_BYTES("1000000", "Socket.IO: the advertised maxPayload, enforced on both transports: largest long-polling request body (larger: 413) and response, largest WebSocket message (larger: 1009)."),
    WS_PING_INTERVAL_SECONDS("30", "/ws: the server pings every client this often and closes a session whose pong has not come back by the next ping (dead peers, idle proxies). 0 turns it off."),
    PUSH_SENDERS("0", "Sender lanes that write each event to the client sessions in parallel, each to its own share of the sessions, on a thread of its own (a new one when a client's send stalls for 20 ms). 0: one per two CPU cores, at most 4."),
    WS_SEND_TIMEOUT_MS("10000", "A single send to a client (WebSocket or Socket.IO) that takes longer than this closes the session as a slow consumer (1013)."),
    METRICS_ACCESS("local", "Who may read /metrics. local: clients on this host (127.0.0.1 or ::1, not relayed by a proxy) without a token, others with ATLAS_METRICS_TOKEN or an admin token. token: always a token. open: anyone (only where the network already restricts it)."),
    METRICS_TOKEN("", "A static bearer token that reads /metrics and nothing else (for Prometheus' authorization credentials), at least 16 characters of A-Z a-z 0-9 - . _ ~ + /. Empty: only admin tokens (and local clients) read /metrics.");

    private final String defaultValue;
    private final String description;

    Setting(String defaultValue, String description) {
        this.defaultValue = defaultValue;
        this.description = description;
    }

    /** Environment-variable spelling, e.g. {@code ATLAS_DB_URL}. */
    public String envName() {
        return "ATLAS_" + name();
    }

    /** Properties-file spelling, e.g. {@code atlas.db.url}. */
    public String propertyName() {
        return "atlas." + name().toLowerCase(java.util.Locale.ROOT).replace('_', '.');
    }

    public String defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }
}
