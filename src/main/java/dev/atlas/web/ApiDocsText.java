package dev.atlas.web;

/** The prose of the OpenAPI document (Markdown): what the operations alone cannot say, the WebSockets above all. */
final class ApiDocsText {
    private ApiDocsText() {
    }

    static final String DESCRIPTION = """
            Real-time task backend: the admin panel creates, edits, assigns, starts, completes and deletes tasks over \
            REST; every committed change is pushed at once as an **event envelope** to every WebSocket client allowed \
            to see it.

            ## Authentication
            Every `/api` call needs `Authorization: Bearer <JWT>` (401 with `WWW-Authenticate: Bearer` otherwise). \
            Claims: `role` (`admin` | `agent`), `wallet` for agents, `sub` for logs, `exp` required. **Admins** may do \
            everything; **agents** list, read, start and complete only their own tasks (another agent's task is 404) \
            and get 403 on create, edit, delete, diagnostics and tokens. Use *Authorize* above to try the calls.

            ## Errors
            Every error is `application/problem+json` (RFC 9457): `type`, `title`, `status`, `detail`; validation \
            errors add `errors: [{field, message}]`, a 500 adds the `errorId` that is in the log. 429 and 503 carry \
            `Retry-After`.

            ## Conditional and repeated requests
            `GET /api/tasks/{id}` and every answer with a task carry a strong `ETag` (the task's `version`); `PUT`, \
            `start`, `complete` and `DELETE` honour `If-Match` (412 when the task changed). `POST /api/tasks` honours \
            `Idempotency-Key`: the same key and body within 24 h return the original task (`Idempotent-Replayed: true`) \
            and emit no second event; the same key with another body is 422.

            ## Events (WebSockets: outside OpenAPI)
            Each event is the envelope `{"event","timestamp","id",["agentWallet"],"data"}` (schema `EventEnvelope`), \
            `data` being the task as `GET /api/tasks/{id}` returns it (`{"id": …}` for `taskDeleted`).

            | action | events |
            |---|---|
            | create | `taskCreated`, then `taskAssigned` if it has an agent |
            | edit | `taskUpdated`, plus `taskAssigned` if the agent changed to another agent |
            | start | `taskUpdated` |
            | complete | `taskCompleted` |
            | delete | `taskDeleted` |

            Admins receive every event; agents the events of their own tasks, plus the one `taskUpdated` that takes \
            a task away from them.

            **`GET /ws`** (WebSocket, plain JSON): the token comes from the `Authorization` header, the `access_token` \
            query parameter, or in-band as the first message `{"type":"authenticate","token":"…"}` (answered \
            `{"event":"authenticated",…}`). The server sends `{"event":"hello","timestamp":…,"id":"<last event id>"}`, \
            then every event. `?lastEventId=N` (or the message `{"type":"resume","lastEventId":N}`) first replays every \
            later event; when N is no longer retained the server sends `{"event":"resync",…}` and the client refetches \
            over REST. `{"type":"ping"}` is answered `{"event":"pong",…}`; anything else gets `{"event":"error",…}`. \
            Close codes: 1008 (authentication, message rate), 1009 (message over 64 KiB), 1011 (send failed), \
            1013 (slow consumer). Handshake refusals: 401 (bad token), 403 (origin not allowed), 429 (too many \
            connections from one IP).

            **`/socket.io/?EIO=4&transport=polling|websocket`**: Socket.IO v5 over Engine.IO v4, main namespace `/`, \
            for the existing `socket.io-client` code. The token comes from the handshake (`Authorization`, \
            `access_token`), the connect payload `{"token": …}`, or the `authenticate` event with an ack. Each event is \
            `42["<event name>",{…envelope…}]`; `lastEventId` (or Socket.IO's `offset`) in the connect payload resumes, \
            a `resync` event says the id is too old.

            ## Operations
            `/health/live` and `/health/ready` need no token. `/metrics` is the Prometheus scrape (see its access rule).
            """;
}
