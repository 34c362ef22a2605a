// atlas-client.js — the Atlas event stream (/ws) for browsers and Node.js, as an ES module without dependencies.
//
//   import { AtlasClient } from "/js/atlas-client.js";
//   const client = new AtlasClient({ token: () => fetchToken() });
//   client.on("taskCreated", (envelope) => board.add(envelope.data));
//   client.on("resync", async () => board.reload());      // the server could not replay: refetch over REST
//   client.on("state", (state) => indicator.show(state));  // connecting | open | reconnecting | resyncing | closed
//   client.connect();
//
// What it does for the application:
// - authenticates in-band ({"type":"authenticate"}), so the token never appears in a URL or an access log;
// - keeps the id of the last event it handed over and, after any disconnect, reconnects with ?lastEventId=…,
//   so the server replays exactly the events that were missed (or sends "resync" when it cannot);
// - backs off exponentially with full jitter between attempts, up to a cap, and starts over after a good session;
// - renews the token in-band before it expires when `token` is a function (the server closes a session whose
//   token expired), and stops, in state "closed", when a fixed token is refused;
// - notices a dead link with an application ping when nothing has arrived for a while.
// The wire protocol is in the project's README ("Events") and docs/architecture.md.

/** The task events of the wire protocol. */
export const TASK_EVENTS = Object.freeze(["taskCreated", "taskUpdated", "taskCompleted", "taskDeleted", "taskAssigned"]);

const DEFAULTS = Object.freeze({
  backoff: Object.freeze({ initialMs: 500, maxMs: 30000, factor: 2 }),
  heartbeatMs: 25000,
  renewMarginMs: 60000,
  connectTimeoutMs: 10000,
});

/**
 * The delay before reconnect attempt `attempt` (0 for the first): a random value in [0, min(maxMs,
 * initialMs * factor^attempt)] ("full jitter"), so that clients cut off together do not come back together.
 */
export function backoffDelay(attempt, { initialMs, maxMs, factor } = DEFAULTS.backoff, random = Math.random) {
  const ceiling = Math.min(maxMs, initialMs * Math.pow(factor, Math.max(0, attempt)));
  return Math.floor(random() * ceiling);
}

/**
 * When to renew a token that the server says expires at `expiresAt`, seen at server time `now` (both ms): `margin`
 * before it, or after three quarters of its remaining life when that is shorter than four margins.
 */
export function renewalDelay(expiresAt, now, margin = DEFAULTS.renewMarginMs) {
  const remaining = expiresAt - now;
  if (!(remaining > 0)) {
    return 0;
  }
  return remaining > 4 * margin ? remaining - margin : Math.floor(remaining * 0.75);
}

/** Event ids are decimal strings of 64-bit integers: compared exactly, never as floating-point numbers. */
function newer(id, than) {
  return than == null || BigInt(id) > BigInt(than);
}

function defaultUrl() {
  const loc = globalThis.location;
  if (!loc) {
    throw new TypeError("AtlasClient: `url` is required outside a browser (e.g. ws://localhost:3001/ws)");
  }
  return (loc.protocol === "https:" ? "wss://" : "ws://") + loc.host + "/ws";
}

export class AtlasClient {
  /**
   * @param {object} options
   * @param {string} [options.url] the /ws address; in a browser, default this page's host
   * @param {string|function(): (string|Promise<string>)} options.token a bearer token, or a function that
   *   returns a fresh one (called at every connection and before the current one expires)
   * @param {string} [options.lastEventId] where to resume from (e.g. kept from an earlier page)
   * @param {{initialMs?: number, maxMs?: number, factor?: number}} [options.backoff]
   * @param {number} [options.heartbeatMs] ping after this long without a message; the link is dead when the
   *   pong has not come back after as long again. 0: off
   * @param {number} [options.renewMarginMs] renew the token this long before it expires
   * @param {number} [options.connectTimeoutMs] give up an attempt that has not said hello by then
   * @param {Function} [options.WebSocket] the WebSocket class (Node.js 20: the `ws` package's)
   */
  constructor(options = {}) {
    if (options.token == null || (typeof options.token !== "string" && typeof options.token !== "function")) {
      throw new TypeError("AtlasClient: `token` must be a string or a function returning one");
    }
    this._url = options.url ?? defaultUrl();
    this._token = options.token;
    this._backoff = { ...DEFAULTS.backoff, ...(options.backoff ?? {}) };
    this._heartbeatMs = options.heartbeatMs ?? DEFAULTS.heartbeatMs;
    this._renewMarginMs = options.renewMarginMs ?? DEFAULTS.renewMarginMs;
    this._connectTimeoutMs = options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs;
    this._WebSocket = options.WebSocket ?? globalThis.WebSocket;
    if (typeof this._WebSocket !== "function") {
      throw new TypeError("AtlasClient: no WebSocket class; pass options.WebSocket (in Node.js 20: `ws`)");
    }
    this._lastEventId = options.lastEventId == null ? null : String(options.lastEventId);
    this._handlers = new Map();
    this._state = "idle";
    this._socket = null;
    this._attempt = 0;
    this._timers = new Set();
    this._stopped = false;
    this._generation = 0;
  }

  /** connecting | open | reconnecting | resyncing | closed (idle before connect()). */
  get state() {
    return this._state;
  }

  /** The id of the last event handed to the application (a string), or null before the first. */
  get lastEventId() {
    return this._lastEventId;
  }

  /**
   * Registers a handler: a task event name (`taskCreated` …) or `event` (every task event) get the envelope;
   * `resync` gets `{id, reason}` and may return a promise (the state is "resyncing" until it settles);
   * `state` gets `(state, detail)`; `authenticated` the server's answer; `error` an Error (a refused token, a
   * server error message, a failing token function). Returns a function that removes the handler.
   */
  on(name, handler) {
    if (typeof handler !== "function") {
      throw new TypeError("AtlasClient.on: handler must be a function");
    }
    if (!this._handlers.has(name)) {
      this._handlers.set(name, new Set());
    }
    this._handlers.get(name).add(handler);
    return () => this._handlers.get(name)?.delete(handler);
  }

  /** Opens the stream (again, after close()). */
  connect() {
    this._stopped = false;
    this._attempt = 0;
    this._open("connecting");
    return this;
  }

  /** Closes the stream for good; no reconnect follows. */
  close() {
    this._stopped = true;
    this._clearTimers();
    this._generation++;
    const socket = this._socket;
    this._socket = null;
    if (socket && socket.readyState <= 1) {
      socket.close(1000, "client closed");
    }
    this._setState("closed", { reason: "closed by the application" });
  }

  // ---- internals ----

  _emit(name, ...args) {
    const results = [];
    for (const handler of [...(this._handlers.get(name) ?? [])]) {
      try {
        results.push(handler(...args));
      } catch (e) {
        if (name !== "error") {
          this._emit("error", e);
        }
      }
    }
    return results;
  }

  _setState(state, detail = {}) {
    if (this._state !== state) {
      this._state = state;
      this._emit("state", state, detail);
    }
  }

  _later(fn, ms) {
    const t = setTimeout(() => {
      this._timers.delete(t);
      fn();
    }, ms);
    this._timers.add(t);
    return t;
  }

  _cancel(t) {
    if (t != null) {
      clearTimeout(t);
      this._timers.delete(t);
    }
  }

  _clearTimers() {
    for (const t of this._timers) {
      clearTimeout(t);
    }
    this._timers.clear();
  }

  async _currentToken() {
    return typeof this._token === "function" ? String(await this._token()) : this._token;
  }

  _open(state) {
    this._clearTimers();
    const generation = ++this._generation;
    this._setState(state, { attempt: this._attempt });
    const url = this._lastEventId == null ? this._url
        : this._url + (this._url.includes("?") ? "&" : "?") + "lastEventId=" + encodeURIComponent(this._lastEventId);
    let socket;
    try {
      socket = new this._WebSocket(url);
    } catch (e) {
      this._emit("error", e);
      this._retry(generation, { reason: e.message });
      return;
    }
    this._socket = socket;
    const live = { hello: false, authFailed: false, pingTimer: null, deadTimer: null };
    const connectTimer = this._later(() => {
      if (generation === this._generation && !live.hello) {
        socket.close(4000, "no hello in time");
        this._retry(generation, { reason: "no hello in time" });
      }
    }, this._connectTimeoutMs);
    const heartbeat = () => {
      if (this._heartbeatMs <= 0) {
        return;
      }
      this._cancel(live.pingTimer);
      this._cancel(live.deadTimer);
      live.pingTimer = this._later(() => {
        this._send(socket, { type: "ping" });
        live.deadTimer = this._later(() => {
          socket.close(4001, "no pong");
          this._retry(generation, { reason: "the link went silent" });
        }, this._heartbeatMs);
      }, this._heartbeatMs);
    };

    socket.onopen = async () => {
      let token;
      try {
        token = await this._currentToken();
      } catch (e) {
        this._emit("error", new Error("the token function failed: " + e.message));
        socket.close(1000, "no token");
        return;
      }
      if (generation === this._generation) {
        this._send(socket, { type: "authenticate", token });
      }
    };
    socket.onmessage = (message) => {
      if (generation !== this._generation) {
        return;
      }
      heartbeat();
      let m;
      try {
        m = JSON.parse(typeof message.data === "string" ? message.data : String(message.data));
      } catch {
        this._emit("error", new Error("the server sent a message that is not JSON"));
        return;
      }
      switch (m.event) {
        case "authenticated":
          this._scheduleRenewal(generation, socket, m);
          this._emit("authenticated", m);
          break;
        case "hello":
          live.hello = true;
          this._cancel(connectTimer);
          this._attempt = 0;
          if (this._lastEventId == null) {
            this._lastEventId = m.id;
          }
          this._setState("open", { lastEventId: this._lastEventId });
          break;
        case "resync":
          this._resync(generation, m);
          break;
        case "pong":
          break;
        case "error":
          if (/^authentication failed/.test(m.message ?? "")) {
            live.authFailed = true;
          }
          this._emit("error", new Error(m.message));
          break;
        default:
          if (TASK_EVENTS.includes(m.event) && m.id != null && newer(m.id, this._lastEventId)) {
            this._lastEventId = m.id;
            this._emit(m.event, m);
            this._emit("event", m);
          }
      }
    };
    socket.onclose = (e) => {
      if (generation !== this._generation) {
        return;
      }
      const refused = e.code === 1008 && (live.authFailed || /^(authentication|token expired)/.test(e.reason ?? ""));
      if (refused && !live.authFailed) {
        // refused before the hello: the server sends no frame then, the close reason says why
        this._emit("error", new Error(e.reason || "token refused"));
      }
      if (refused && typeof this._token === "string") {
        this._stopped = true;
        this._clearTimers();
        this._setState("closed", { code: e.code, reason: e.reason || "token refused" });
        return;
      }
      this._retry(generation, { code: e.code, reason: e.reason });
    };
    socket.onerror = () => {
      // onclose follows, with the code
    };
  }

  _send(socket, message) {
    if (socket.readyState === 1) {
      socket.send(JSON.stringify(message));
    }
  }

  _retry(generation, detail) {
    if (generation !== this._generation || this._stopped) {
      return;
    }
    this._generation++;
    this._clearTimers();
    const socket = this._socket;
    this._socket = null;
    if (socket && socket.readyState <= 1) {
      socket.close(1000, "reconnecting");
    }
    const delay = backoffDelay(this._attempt++, this._backoff);
    this._state = "reconnecting"; // told at every attempt, with its delay
    this._emit("state", "reconnecting", { ...detail, delayMs: delay, attempt: this._attempt });
    const next = this._generation;
    this._later(() => {
      if (next === this._generation && !this._stopped) {
        this._open("reconnecting");
      }
    }, delay);
  }

  _scheduleRenewal(generation, socket, authenticated) {
    if (typeof this._token !== "function" || authenticated.expiresAt == null) {
      return;
    }
    const expiresAt = Date.parse(authenticated.expiresAt);
    const now = Date.parse(authenticated.timestamp) || Date.now();
    const renew = async () => {
      if (generation !== this._generation) {
        return;
      }
      try {
        this._send(socket, { type: "authenticate", token: await this._currentToken() });
      } catch (e) {
        this._emit("error", new Error("the token function failed: " + e.message));
        if (Date.now() < expiresAt - 1000) {
          this._later(renew, Math.min(5000, (expiresAt - Date.now()) / 2));
        }
      }
    };
    this._later(renew, renewalDelay(expiresAt, now, this._renewMarginMs));
  }

  _resync(generation, m) {
    this._lastEventId = m.id;
    this._setState("resyncing", { reason: m.reason });
    const pending = this._emit("resync", { id: m.id, reason: m.reason })
        .filter((r) => r && typeof r.then === "function");
    Promise.allSettled(pending).then((results) => {
      for (const r of results) {
        if (r.status === "rejected") {
          this._emit("error", r.reason instanceof Error ? r.reason : new Error(String(r.reason)));
        }
      }
      if (generation === this._generation && this._state === "resyncing") {
        this._setState("open", { lastEventId: this._lastEventId });
      }
    });
  }
}
