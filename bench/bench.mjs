// Atlas load generator: bench/run <connect|fanout|rest> --url http://127.0.0.1:PORT [options]. See bench/README.md.
// Prints a readable summary on stderr and one JSON line of results on stdout (and appends it to --out).
import { Worker } from 'node:worker_threads';
import { appendFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { cpuSeconds, rssKiB, isJava, javaGcAndHeap, javaRuntime, serverSample, commCpuSeconds, machineCpuSeconds } from './lib/proc.mjs';
import { summary, r2, r3, nowMs } from './lib/stats.mjs';
import { client, mintAdminToken } from './lib/http.mjs';

const USAGE = `usage: bench/run <connect|fanout|rest> --url http://127.0.0.1:PORT (--token T | --secret S) [options]
  common:  --pid N (server pid: CPU time and RSS from /proc)   --out FILE (append the JSON line)   --label TEXT
           --timeout S (whole run, default 900)   --workers K (client threads, default 1)
  connect: --path /ws|/socket.io/  --clients 1000,5000,10000 (steps; RSS after each)  --concurrency 100
           --hold S (idle time at the last step, default 5)  --gc auto|on|off (jcmd GC.run before RSS readings)
  fanout:  --path /ws|/socket.io/  --clients 1000  --tasks 400  --rate 20 (creations/s)  --warmup 40 (creations)
           --drain S (wait for deliveries after the last creation, default 10)
           --write-url URL (send the creations to another node than the clients': cross-node delivery)
  rest:    --clients 32 (concurrent)  --duration 20 (s, measured)  --warmup 5 (s)
           --db-comm NAME (also read the CPU of every process of that name, e.g. postgres: the database's share)
  also:    --deflate (offer permessage-deflate like browsers)  --connect-payload (Socket.IO: token in the 40 packet)`;

function parseArgs(argv) {
  const o = { _: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      o._.push(a);
      continue;
    }
    const key = a.slice(2);
    if (['deflate', 'connect-payload', 'help'].includes(key)) o[key] = true;
    else o[key] = argv[++i];
  }
  return o;
}

const args = parseArgs(process.argv.slice(2));
const scenario = args._[0];
if (args.help || !['connect', 'fanout', 'rest'].includes(scenario) || !args.url) {
  console.error(USAGE);
  process.exit(2);
}
const num = (k, d) => (args[k] === undefined ? d : Number(args[k]));
const pid = args.pid ? Number(args.pid) : null;
const token = args.token || (args.secret ? mintAdminToken(args.secret) : null);
const path = args.path || '/ws';
const workersN = Math.max(1, num('workers', 1));
const runId = randomBytes(4).toString('hex');
const timeoutS = num('timeout', 900);
const log = (...x) => console.error(...x);

const killer = setTimeout(() => {
  log(`bench: --timeout ${timeoutS}s reached, giving up`);
  process.exit(3);
}, timeoutS * 1000);
killer.unref();

function generatorCpu() {
  return cpuSeconds('self');
}

// ---------------------------------------------------------------- worker pool

function startWorkers() {
  const ws = [];
  for (let i = 0; i < workersN; i++) {
    const w = new Worker(new URL('./lib/clients.mjs', import.meta.url), {
      workerData: {
        url: args.url, path, token, deflate: !!args.deflate, runId, connectPayload: !!args['connect-payload'],
        handshakeTimeoutMs: 15_000,
      },
    });
    w.on('error', (e) => {
      log('bench: worker failed:', e);
      process.exit(1);
    });
    ws.push(w);
  }
  return ws;
}

function ask(w, msg, type, transfer) {
  return new Promise((resolve) => {
    const on = (m) => {
      if (m.type === type) {
        w.off('message', on);
        resolve(m);
      }
    };
    w.on('message', on);
    w.postMessage(msg, transfer);
  });
}

const askAll = (workers, msg, type) => Promise.all(workers.map((w) => ask(w, msg, type)));

/** Opens `count` more clients spread over the workers; returns the merged connect statistics. */
async function connectMore(workers, count, concurrency) {
  const started = nowMs();
  const share = workers.map((_, i) => Math.floor(count / workers.length) + (i < count % workers.length ? 1 : 0));
  const rs = await Promise.all(workers.map((w, i) => ask(w, { cmd: 'connect', count: share[i], concurrency: Math.ceil(concurrency / workers.length) }, 'connected')));
  const wallMs = nowMs() - started;
  const times = [];
  const errors = {};
  let ok = 0;
  for (const r of rs) {
    ok += r.ok;
    for (const t of r.times) times.push(t);
    for (const [k, v] of Object.entries(r.errors)) errors[k] = (errors[k] || 0) + v;
  }
  return { requested: count, ok, failed: count - ok, errors, wallMs: r2(wallMs), handshakeMs: summary(times) };
}

async function diagnostics(api) {
  try {
    const r = await api.request('GET', '/api/diagnostics');
    if (r.status !== 200) return null;
    const d = JSON.parse(r.body);
    return { envelopesSerialized: d.envelopesSerialized, socketIoFramesBuilt: d.socketIoFramesBuilt, sessions: d.sessions };
  } catch {
    return null;
  }
}

function memorySample(doGc) {
  if (!pid) return null;
  const heap = doGc ? javaGcAndHeap(pid) : null;
  return { rssKiB: rssKiB(pid), ...(heap || {}) };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function emit(result) {
  const line = JSON.stringify(result);
  if (args.out) appendFileSync(args.out, line + '\n');
  console.log(line);
}

function header() {
  return {
    scenario, label: args.label || null, date: new Date().toISOString(), url: args.url, path: scenario === 'rest' ? null : path,
    workers: workersN, deflate: !!args.deflate, serverPid: pid, serverRuntime: javaRuntime(pid),
  };
}

// ---------------------------------------------------------------- connect

async function runConnect() {
  const steps = String(args.clients || '1000').split(',').map(Number);
  const concurrency = num('concurrency', 100);
  const gc = args.gc === 'on' || ((args.gc || 'auto') === 'auto' && pid && isJava(pid));
  const api = client(args.url, token, 4);
  const workers = startWorkers();
  const gen0 = generatorCpu();
  const base = memorySample(gc);
  const cpu0 = pid ? cpuSeconds(pid) : null;
  log(`connect ${path}: baseline RSS ${base ? (base.rssKiB / 1024).toFixed(1) + ' MiB' : 'n/a'}${base && base.heapUsedKiB ? `, heap used ${(base.heapUsedKiB / 1024).toFixed(1)} MiB` : ''}`);
  const out = [];
  let total = 0;
  let prev = { n: 0, mem: base };
  let connected = 0;
  for (const n of steps) {
    const more = n - total;
    if (more <= 0) continue;
    const c = await connectMore(workers, more, concurrency);
    total = n;
    await sleep(2000); // let the server settle (registrations, log lines) before reading memory
    const mem = memorySample(gc);
    const step = { clients: n, ...c };
    connected += c.ok;
    step.connected = connected;
    if (mem && base) {
      step.memory = mem;
      step.rssPerConnKiB = r2((mem.rssKiB - base.rssKiB) / connected);
      if (mem.heapUsedKiB !== undefined && base.heapUsedKiB !== undefined) {
        step.heapPerConnKiB = r2((mem.heapUsedKiB - base.heapUsedKiB) / connected);
      }
      if (prev.n > 0 && connected > prev.n) {
        step.marginalRssPerConnKiB = r2((mem.rssKiB - prev.mem.rssKiB) / (connected - prev.n));
        if (mem.heapUsedKiB !== undefined) step.marginalHeapPerConnKiB = r2((mem.heapUsedKiB - prev.mem.heapUsedKiB) / (connected - prev.n));
      }
      prev = { n: connected, mem };
    }
    out.push(step);
    log(`  ${n} clients: ${c.ok} ok, ${c.failed} failed ${JSON.stringify(c.errors)} in ${(c.wallMs / 1000).toFixed(2)} s; handshake p50 ${c.handshakeMs.p50} p99 ${c.handshakeMs.p99} ms`
      + (step.memory ? `; RSS ${(step.memory.rssKiB / 1024).toFixed(1)} MiB → ${step.rssPerConnKiB} KiB/conn` : '')
      + (step.heapPerConnKiB !== undefined ? ` (heap ${step.heapPerConnKiB} KiB/conn)` : '')
      + (step.marginalRssPerConnKiB !== undefined ? `; marginal ${step.marginalRssPerConnKiB} KiB RSS, ${step.marginalHeapPerConnKiB ?? '-'} KiB heap per conn` : ''));
  }
  const hold = num('hold', 5);
  await sleep(hold * 1000);
  const st = await askAll(workers, { cmd: 'status' }, 'status');
  const stillOpen = st.reduce((s, x) => s + x.open, 0);
  const unexpected = st.reduce((s, x) => s + x.unexpectedCloses, 0);
  const diag = await diagnostics(api);
  const serverCpu = pid ? r3(cpuSeconds(pid) - cpu0) : null;
  await askAll(workers, { cmd: 'close' }, 'closed');
  await Promise.all(workers.map((w) => w.terminate()));
  api.close();
  const result = {
    ...header(), steps: out, heldSeconds: hold, stillOpenAfterHold: stillOpen, unexpectedCloses: unexpected,
    serverSessions: diag ? diag.sessions : null, serverCpuSeconds: serverCpu, gcBeforeReadings: !!gc,
    generatorCpuSeconds: r3(generatorCpu() - gen0), baseline: base,
  };
  log(`  held ${hold} s: ${stillOpen} still open, ${unexpected} closed by the server; server sessions ${result.serverSessions}; server CPU ${serverCpu} s; generator CPU ${result.generatorCpuSeconds} s`);
  emit(result);
}

// ---------------------------------------------------------------- fanout

/** Sends `count` creations at `rate`/s; titles carry the marker and sequence number. */
async function createAtRate(api, count, rate, titlePrefix, record) {
  const start = nowMs();
  const pending = [];
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - nowMs();
    if (wait > 1) await sleep(wait);
    const body = `{"title":"${titlePrefix}${i}","description":"Benchmark task ${i}: inspect the pump and report its pressure.","priority":"normal"}`;
    pending.push(api.request('POST', '/api/tasks', body, record ? (t) => { record.sentAt[i] = t; } : undefined));
  }
  return Promise.all(pending);
}

async function runFanout() {
  const n = num('clients', 1000);
  const tasks = num('tasks', 400);
  const rate = num('rate', 20);
  const warm = num('warmup', Math.max(20, rate * 2));
  const drainS = num('drain', 10);
  // the creations go to --write-url when given (another node on the same database), the clients are on --url
  const api = client(args['write-url'] || args.url, token, 64);
  const node = args['write-url'] ? client(args.url, token, 2) : api;
  const workers = startWorkers();
  const conn = await connectMore(workers, n, num('concurrency', 100));
  log(`fanout ${path}: ${conn.ok}/${n} clients connected in ${(conn.wallMs / 1000).toFixed(2)} s (${conn.failed} failed ${JSON.stringify(conn.errors)})`);
  if (conn.ok === 0) process.exit(1);

  const warmRes = await createAtRate(api, warm, rate, `bw${runId}-`, null);
  const warmErrors = warmRes.filter((r) => r.status !== 201).length;
  await sleep(1000);
  log(`  warm-up: ${warm} creations (${warmErrors} errors)`);

  await askAll(workers, { cmd: 'arm', events: tasks }, 'armed');
  const diag0 = await diagnostics(node);
  const record = { sentAt: new Float64Array(tasks) };
  const s0 = serverSample(pid);
  const g0 = generatorCpu();
  const t0 = nowMs();
  const res = await createAtRate(api, tasks, rate, `bm${runId}-`, record);
  const sendEnd = nowMs();
  const expected = conn.ok * tasks;

  // wait until every delivery arrived, or the drain time passed
  const deadline = nowMs() + drainS * 1000;
  for (;;) {
    const st = await askAll(workers, { cmd: 'status' }, 'status');
    if (st.every((x) => x.received >= x.expected) || nowMs() > deadline) break;
    await sleep(50);
  }
  const s1 = serverSample(pid);
  const g1 = generatorCpu();
  const tEnd = nowMs();
  const collected = await askAll(workers, { cmd: 'collect' }, 'collected');
  const diag1 = await diagnostics(node);

  const lat = [];
  // per event: its first and last arrival over all clients (how a delivery's latency splits into the time to the
  // first client, the server's path up to its first send, and the spread of one event's sends over the clients)
  const firstAt = new Float64Array(tasks).fill(Infinity);
  const lastAt = new Float64Array(tasks);
  let received = 0;
  let lastArrival = 0;
  let dup = 0;
  let unexpected = 0;
  for (const c of collected) {
    dup += c.duplicates;
    unexpected += c.unexpectedCloses;
    const a = c.arrivals;
    const per = c.clients;
    for (let client = 0; client < per; client++) {
      for (let seq = 0; seq < tasks; seq++) {
        const t = a[client * tasks + seq];
        if (t === 0) continue;
        received++;
        lat.push(t - record.sentAt[seq]);
        if (t < firstAt[seq]) firstAt[seq] = t;
        if (t > lastAt[seq]) lastAt[seq] = t;
        if (t > lastArrival) lastArrival = t;
      }
    }
  }
  const firstMs = [];
  const spreadMs = [];
  for (let seq = 0; seq < tasks; seq++) {
    if (firstAt[seq] === Infinity) continue;
    firstMs.push(firstAt[seq] - record.sentAt[seq]);
    spreadMs.push(lastAt[seq] - firstAt[seq]);
  }
  // clients that failed to connect have no slots: expected counts connected clients only
  const missing = expected - received;
  const http = summary(res.map((r) => r.ms));
  const httpErrors = res.filter((r) => r.status !== 201).length;
  const serverCpu = s0 && s1 ? s1.cpu - s0.cpu : null;
  const windowS = (Math.max(lastArrival, sendEnd) - t0) / 1000;
  const result = {
    ...header(), writeUrl: args['write-url'] || null, clients: n, connected: conn.ok, connectFailed: conn.failed, tasks, rate, warmup: warm,
    deliveriesExpected: expected, deliveriesReceived: received, lost: missing, duplicates: dup, unexpectedCloses: unexpected,
    latencyMs: summary(lat), firstArrivalMs: summary(firstMs), eventSpreadMs: summary(spreadMs), httpMs: http, httpErrors,
    deliveriesPerSecond: r2(received / windowS), windowSeconds: r3(windowS),
    sendSeconds: r3((sendEnd - t0) / 1000), lastDeliveryAfterLastSendMs: r2(lastArrival - sendEnd),
    serverCpuSeconds: serverCpu === null ? null : r3(serverCpu),
    serverCpuSecondsPer1000Deliveries: serverCpu === null || !received ? null : r3((serverCpu / received) * 1000),
    serverCpuMicrosPerDelivery: serverCpu === null || !received ? null : r2((serverCpu / received) * 1e6),
    serverJitCpuSeconds: serverCpu === null ? null : r3(s1.jit - s0.jit),
    serverCpuMicrosPerDeliveryExcludingJit: serverCpu === null || !received ? null : r2(((serverCpu - (s1.jit - s0.jit)) / received) * 1e6),
    serverCpuUtilization: serverCpu === null ? null : r2(serverCpu / ((tEnd - t0) / 1000)),
    serverRssKiB: s1 ? s1.rssKiB : null,
    generatorCpuSeconds: r3(g1 - g0), generatorCpuUtilization: r2((g1 - g0) / ((tEnd - t0) / 1000)),
    serialization: diag0 && diag1 ? {
      envelopes: diag1.envelopesSerialized - diag0.envelopesSerialized,
      socketIoFrames: diag1.socketIoFramesBuilt - diag0.socketIoFramesBuilt,
    } : null,
  };
  log(`  ${tasks} creations at ${rate}/s to ${conn.ok} clients: ${received}/${expected} delivered (${missing} missing at the end of the drain, ${dup} duplicates, ${unexpected} closed)`);
  log(`  delivery latency ms: p50 ${result.latencyMs.p50}  p90 ${result.latencyMs.p90}  p99 ${result.latencyMs.p99}  max ${result.latencyMs.max}`);
  log(`  per event, from the REST send to its first arrival ms: p50 ${result.firstArrivalMs.p50}  p99 ${result.firstArrivalMs.p99};  first to last arrival: p50 ${result.eventSpreadMs.p50}  p99 ${result.eventSpreadMs.p99}`);
  log(`  HTTP create ms: p50 ${http.p50}  p99 ${http.p99}  (${httpErrors} errors);  ${result.deliveriesPerSecond} deliveries/s`);
  log(`  server CPU ${result.serverCpuSeconds} s = ${result.serverCpuSecondsPer1000Deliveries} CPU-s per 1,000 deliveries (${result.serverCpuMicrosPerDelivery} µs each), ${result.serverCpuUtilization} cores; generator ${result.generatorCpuUtilization} cores`);
  if (result.serverJitCpuSeconds) {
    log(`  of which the JIT compiler threads ${result.serverJitCpuSeconds} s: ${result.serverCpuMicrosPerDeliveryExcludingJit} µs per delivery without them`);
  }
  if (result.serialization) log(`  server serializations during the run: ${JSON.stringify(result.serialization)}`);
  await askAll(workers, { cmd: 'close' }, 'closed');
  await Promise.all(workers.map((w) => w.terminate()));
  api.close();
  if (node !== api) node.close();
  emit(result);
}

// ---------------------------------------------------------------- rest

async function runRest() {
  const c = num('clients', 32);
  const duration = num('duration', 20);
  const warmup = num('warmup', 5);
  const api = client(args.url, token, c);
  const t0 = nowMs();
  const measureFrom = t0 + warmup * 1000;
  const stopAt = measureFrom + duration * 1000;
  const lat = { create: [], get: [], start: [], complete: [] };
  const errors = {};
  let s0 = null;
  let g0 = null;
  let d0 = null;
  let m0 = null;
  const dbComm = args['db-comm'] || null;
  const startSample = setTimeout(() => {
    s0 = serverSample(pid);
    g0 = generatorCpu();
    d0 = dbComm ? commCpuSeconds(dbComm) : null;
    m0 = machineCpuSeconds();
  }, warmup * 1000);
  let seq = 0;
  async function user(u) {
    while (nowMs() < stopAt) {
      const ops = [];
      const created = await api.request('POST', '/api/tasks',
        `{"title":"rest ${runId} ${u}-${seq++}","description":"Benchmark task: inspect the pump and report its pressure.","priority":"normal"}`);
      ops.push(['create', created, 201]);
      const m = created.status === 201 ? /"id":"?(\d+)/.exec(created.body) : null;
      if (m) {
        const id = m[1];
        ops.push(['get', await api.request('GET', `/api/tasks/${id}`), 200]);
        ops.push(['start', await api.request('POST', `/api/tasks/${id}/start`), 200]);
        ops.push(['complete', await api.request('POST', `/api/tasks/${id}/complete`), 200]);
      }
      for (const [op, r, want] of ops) {
        if (r.sentAt < measureFrom || r.sentAt + r.ms > stopAt) continue;
        lat[op].push(r.ms);
        if (r.status !== want) errors[`${op} ${r.status}`] = (errors[`${op} ${r.status}`] || 0) + 1;
      }
    }
  }
  await Promise.all(Array.from({ length: c }, (_, i) => user(i)));
  clearTimeout(startSample);
  const s1 = serverSample(pid);
  const g1 = generatorCpu();
  const d1 = dbComm ? commCpuSeconds(dbComm) : null;
  const m1 = machineCpuSeconds();
  const measuredS = (stopAt - measureFrom) / 1000;
  const all = [...lat.create, ...lat.get, ...lat.start, ...lat.complete];
  const errorCount = Object.values(errors).reduce((s, x) => s + x, 0);
  const serverCpu = s0 && s1 ? s1.cpu - s0.cpu : null;
  const result = {
    ...header(), clients: c, durationSeconds: duration, warmupSeconds: warmup,
    requests: all.length, requestsPerSecond: r2(all.length / measuredS), errors: errorCount, errorsByKind: errors,
    latencyMs: summary(all),
    byOperation: Object.fromEntries(Object.entries(lat).map(([k, v]) => [k, summary(v)])),
    serverCpuSeconds: serverCpu === null ? null : r3(serverCpu),
    serverCpuUtilization: serverCpu === null ? null : r2(serverCpu / measuredS),
    serverCpuMicrosPerRequest: serverCpu === null || !all.length ? null : r2((serverCpu / all.length) * 1e6),
    serverJitCpuSeconds: serverCpu === null ? null : r3(s1.jit - s0.jit),
    serverCpuMicrosPerRequestExcludingJit: serverCpu === null || !all.length ? null : r2(((serverCpu - (s1.jit - s0.jit)) / all.length) * 1e6),
    serverRssKiB: s1 ? s1.rssKiB : null,
    generatorCpuSeconds: g0 === null ? null : r3(g1 - g0), generatorCpuUtilization: g0 === null ? null : r2((g1 - g0) / measuredS),
    databaseProcess: dbComm,
    databaseCpuUtilization: d0 === null ? null : r2((d1 - d0) / measuredS),
    databaseCpuMicrosPerRequest: d0 === null || !all.length ? null : r2(((d1 - d0) / all.length) * 1e6),
    machineBusy: m0 === null || m1.total === m0.total ? null : r2((m1.busy - m0.busy) / (m1.total - m0.total)),
  };
  log(`rest: ${c} clients, ${duration} s after ${warmup} s warm-up: ${result.requests} requests = ${result.requestsPerSecond}/s, ${errorCount} errors ${JSON.stringify(errors)}`);
  log(`  latency ms: p50 ${result.latencyMs.p50}  p99 ${result.latencyMs.p99}  max ${result.latencyMs.max}`);
  for (const [k, v] of Object.entries(result.byOperation)) log(`    ${k.padEnd(8)} n ${v.n}  p50 ${v.p50}  p99 ${v.p99}`);
  log(`  server CPU ${result.serverCpuUtilization} cores (${result.serverCpuMicrosPerRequest} µs/request; ${result.serverCpuMicrosPerRequestExcludingJit} without the JIT compiler threads); generator ${result.generatorCpuUtilization} cores`);
  if (dbComm) log(`  ${dbComm} processes ${result.databaseCpuUtilization} cores (${result.databaseCpuMicrosPerRequest} µs/request)`);
  if (result.machineBusy !== null) log(`  machine ${Math.round(result.machineBusy * 100)} % busy`);
  api.close();
  emit(result);
}

const run = { connect: runConnect, fanout: runFanout, rest: runRest }[scenario];
run().then(() => process.exit(0), (e) => {
  log('bench failed:', e);
  process.exit(1);
});
