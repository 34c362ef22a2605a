// Tests of the served atlas-client.js (src/main/webapp/js) under Node.js, against a real Atlas server, driven by
// AtlasClientIT:  node atlas-client.test.mjs http://127.0.0.1:PORT ADMIN_TOKEN
// A loopback TCP forwarder of its own sits between the client and the server, so a test can cut the link
// (every connection dropped, new ones refused) and restore it on the same port. Every wait is on a condition,
// bounded; nothing asserts a duration.
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import WebSocket from "ws";
import { AtlasClient, backoffDelay, renewalDelay, TASK_EVENTS } from "../../main/webapp/js/atlas-client.js";

const [HTTP, ADMIN] = process.argv.slice(2);
if (!HTTP || !ADMIN) {
  throw new Error("usage: node atlas-client.test.mjs http://127.0.0.1:PORT ADMIN_TOKEN (AtlasClientIT runs it)");
}
const target = new URL(HTTP);

/** Waits until `condition()` is truthy, checking every 20 ms, failing after `ms` with `what`. */
async function until(condition, what, ms = 15000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = condition();
    if (value) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error("timed out waiting for " + what);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function api(method, path, body, token = ADMIN) {
  const res = await fetch(HTTP + path, {
    method,
    headers: { authorization: "Bearer " + token, "content-type": "application/json" },
    body: body == null ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) {
    throw new Error(`${method} ${path}: ${res.status} ${text}`);
  }
  return text ? JSON.parse(text) : null;
}

const createTask = (title) => api("POST", "/api/tasks", { title });
const mint = async (ttl) => (await api("POST", "/api/tokens", { role: "admin", sub: "atlas-client-test", ttl })).token;

/** A TCP forwarder to the server that can be cut and restored on the same port. */
class Link {
  constructor() {
    this.sockets = new Set();
    this.server = null;
    this.port = 0;
  }
  async open() {
    this.server = net.createServer((inbound) => {
      const outbound = net.connect(Number(target.port), target.hostname);
      for (const s of [inbound, outbound]) {
        this.sockets.add(s);
        s.on("close", () => this.sockets.delete(s));
        s.on("error", () => {});
      }
      inbound.pipe(outbound).pipe(inbound);
    });
    await new Promise((resolve) => this.server.listen(this.port, "127.0.0.1", resolve));
    this.port = this.server.address().port;
    return this;
  }
  url() {
    return `ws://127.0.0.1:${this.port}/ws`;
  }
  async cut() {
    await new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const s of this.sockets) {
        s.destroy();
      }
    });
  }
  async close() {
    if (this.server?.listening) {
      await this.cut();
    }
  }
}

/** A client with a record of what it did: states (with details), events, resyncs, errors. */
function recorded(options) {
  const client = new AtlasClient({ WebSocket, backoff: { initialMs: 50, maxMs: 400 }, ...options });
  const log = { states: [], events: [], resyncs: [], errors: [] };
  client.on("state", (state, detail) => log.states.push({ state, ...detail }));
  client.on("event", (e) => log.events.push(e));
  client.on("resync", (r) => log.resyncs.push(r));
  client.on("error", (e) => log.errors.push(e.message));
  return { client, log };
}

const createdId = (log, taskId) => log.events.find((e) => e.event === "taskCreated" && e.data.id === taskId);

test("backoff: full jitter between 0 and min(cap, initial * factor^attempt)", () => {
  const b = { initialMs: 100, maxMs: 5000, factor: 2 };
  for (let attempt = 0; attempt < 30; attempt++) {
    const ceiling = Math.min(5000, 100 * 2 ** attempt);
    assert.equal(backoffDelay(attempt, b, () => 0), 0);
    assert.equal(backoffDelay(attempt, b, () => 0.999999), Math.floor(0.999999 * ceiling));
    const d = backoffDelay(attempt, b);
    assert.ok(d >= 0 && d <= ceiling, `attempt ${attempt}: ${d} outside [0, ${ceiling}]`);
  }
  assert.equal(backoffDelay(1000, b, () => 0.5), 2500, "a huge attempt count stays at the cap");
});

test("renewal: a margin before expiry, or three quarters of a short remaining life", () => {
  assert.equal(renewalDelay(3_600_000, 0, 60_000), 3_540_000);
  assert.equal(renewalDelay(8_000, 0, 60_000), 6_000);
  assert.equal(renewalDelay(1_000, 2_000, 60_000), 0, "already expired: at once");
});

test("the client rejects options it cannot work with", () => {
  assert.throws(() => new AtlasClient({ url: "ws://x/ws", WebSocket }), /token/);
  assert.throws(() => new AtlasClient({ token: "t", WebSocket }), /url/);
  assert.deepEqual([...TASK_EVENTS], ["taskCreated", "taskUpdated", "taskCompleted", "taskDeleted", "taskAssigned"]);
});

test("connects with an in-band token, says open after hello, hands over live events with their ids", async () => {
  const link = await new Link().open();
  const { client, log } = recorded({ url: link.url(), token: ADMIN });
  try {
    client.connect();
    await until(() => client.state === "open", "state open");
    assert.match(client.lastEventId, /^\d+$/, "hello's id is kept as the resume position");
    const task = await createTask("live one");
    const e = await until(() => createdId(log, task.id), "taskCreated of the new task");
    assert.deepEqual(e.data, task);
    assert.equal(client.lastEventId, e.id);
    assert.deepEqual(log.states.map((s) => s.state), ["connecting", "open"]);
  } finally {
    client.close();
    await link.close();
  }
});

test("after the link drops it backs off within bounds, reconnects, and resumes with exactly the missed events", async () => {
  const link = await new Link().open();
  const reference = recorded({ url: HTTP.replace(/^http/, "ws") + "/ws", token: ADMIN });
  const { client, log } = recorded({ url: link.url(), token: ADMIN });
  try {
    reference.client.connect();
    client.connect();
    await until(() => client.state === "open" && reference.client.state === "open", "both open");
    const before = await createTask("before the cut");
    await until(() => createdId(log, before.id), "the event before the cut");

    await link.cut();
    await until(() => log.states.filter((s) => s.state === "reconnecting" && s.delayMs != null).length >= 3,
        "three reconnect attempts while the link is down");
    const missed = [];
    for (let i = 0; i < 3; i++) {
      missed.push(await createTask("while cut " + i));
    }
    await until(() => missed.every((t) => createdId(reference.log, t.id)), "the reference client sees all three");
    await link.open();

    await until(() => missed.every((t) => createdId(log, t.id)), "the missed events after reconnecting");
    await until(() => client.state === "open", "open again");
    const after = await createTask("after the cut");
    await until(() => createdId(log, after.id) && createdId(reference.log, after.id), "the live event after");

    const ids = log.events.map((e) => e.id);
    const start = reference.log.events.findIndex((e) => e.id === createdId(log, before.id).id);
    assert.deepEqual(ids.slice(ids.indexOf(createdId(log, before.id).id)),
        reference.log.events.slice(start).map((e) => e.id), "same events in the same order as the reference, none twice");
    assert.deepEqual(log.resyncs, [], "a replay, not a resync");

    const attempts = log.states.filter((s) => s.state === "reconnecting" && s.delayMs != null);
    attempts.forEach((s, i) => {
      const ceiling = Math.min(400, 50 * 2 ** i);
      assert.ok(s.delayMs >= 0 && s.delayMs <= ceiling, `attempt ${i + 1} waited ${s.delayMs}, outside [0, ${ceiling}]`);
    });
  } finally {
    client.close();
    reference.client.close();
    await link.close();
  }
});

test("an unknown resume position gets resync; the state is resyncing until the handler's refetch settles", async () => {
  const { client, log } = recorded({ url: HTTP.replace(/^http/, "ws") + "/ws", token: ADMIN,
    lastEventId: "9223372036854775000" });
  let finishRefetch;
  client.on("resync", () => new Promise((resolve) => { finishRefetch = resolve; }));
  try {
    client.connect();
    await until(() => log.resyncs.length === 1, "the resync");
    assert.equal(client.state, "resyncing");
    assert.match(log.resyncs[0].reason, /\w/);
    assert.equal(client.lastEventId, log.resyncs[0].id, "the live stream continues from the resync's id");
    finishRefetch();
    await until(() => client.state === "open", "open after the refetch");
    const task = await createTask("after resync");
    await until(() => createdId(log, task.id), "live events after the resync");
  } finally {
    client.close();
  }
});

test("a token function renews the token in-band before it expires: the session never drops", async () => {
  let calls = 0;
  const { client, log } = recorded({
    url: HTTP.replace(/^http/, "ws") + "/ws",
    token: async () => { calls++; return mint("4s"); },
    renewMarginMs: 60_000,
  });
  const renewals = [];
  client.on("authenticated", (m) => renewals.push(m));
  try {
    client.connect();
    // three answers with growing expiry: the first token's life (4 s) has passed with the same session open
    await until(() => renewals.length >= 3, "three authentications on one session", 30000);
    assert.ok(Date.parse(renewals[2].expiresAt) > Date.parse(renewals[0].expiresAt));
    assert.ok(Date.now() > Date.parse(renewals[0].expiresAt), "past the first token's expiry");
    assert.equal(calls, renewals.length);
    assert.deepEqual(log.states.map((s) => s.state), ["connecting", "open"], "no reconnect");
    const task = await createTask("after renewals");
    await until(() => createdId(log, task.id), "events still flow");
  } finally {
    client.close();
  }
});

test("a fixed token that is refused ends in state closed, without retrying", async () => {
  const { client, log } = recorded({ url: HTTP.replace(/^http/, "ws") + "/ws", token: "not-a-token" });
  try {
    client.connect();
    await until(() => client.state === "closed", "closed");
    const closed = log.states.at(-1);
    assert.equal(closed.code, 1008);
    assert.ok(log.errors.some((m) => /authentication failed/.test(m)), JSON.stringify(log.errors));
    assert.equal(log.states.filter((s) => s.state === "reconnecting").length, 0);
  } finally {
    client.close();
  }
});

test("close() ends the stream for good", async () => {
  const { client, log } = recorded({ url: HTTP.replace(/^http/, "ws") + "/ws", token: ADMIN });
  client.connect();
  await until(() => client.state === "open", "open");
  client.close();
  assert.equal(client.state, "closed");
  const task = await createTask("after close");
  // the server committed and pushed it (a second client proves the push happened) while this one stays closed
  const witness = recorded({ url: HTTP.replace(/^http/, "ws") + "/ws", token: ADMIN, lastEventId: client.lastEventId });
  try {
    witness.client.connect();
    await until(() => createdId(witness.log, task.id), "the witness gets the event by replay");
    assert.equal(createdId(log, task.id), undefined);
    assert.equal(log.states.at(-1).state, "closed");
  } finally {
    witness.client.close();
  }
});
