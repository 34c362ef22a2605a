// A worker thread that owns a share of the WebSocket clients. Per message it does the least it can: a byte
// comparison of the frame's prefix and, for a taskCreated frame, one native Buffer.indexOf of the run's title
// marker, then the digits after it. No string conversion, no JSON parse.
//
// Commands from the main thread (postMessage): connect {count, concurrency}, arm {events}, collect, close.
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';
import { nowMs } from './stats.mjs';

const { url, path, token, deflate, runId, connectPayload, handshakeTimeoutMs } = workerData;
const sio = path.startsWith('/socket.io');

const target = (() => {
  const base = url.replace(/^http/, 'ws').replace(/\/$/, '');
  const q = token ? `access_token=${encodeURIComponent(token)}` : '';
  return sio ? `${base}/socket.io/?EIO=4&transport=websocket${q ? '&' + q : ''}` : `${base}/ws${q ? '?' + q : ''}`;
})();

const CREATED = Buffer.from(sio ? '42["taskCreated"' : '{"event":"taskCreated"');
const HELLO = Buffer.from('{"event":"hello"');
const MARK = Buffer.from(`bm${runId}-`); // "title":"bm<runId>-<seq>" in measured tasks
const CONNECT_PACKET = connectPayload && token ? `40${JSON.stringify({ token })}` : '40';

const clients = []; // WebSocket instances, index = client number in this worker
let arrivals = null; // Float64Array [client * events + seq], 0 = not received
let events = 0;
let duplicates = 0;
let received = 0;
let strays = 0; // taskCreated frames of this run with a seq out of range
let otherCreated = 0; // taskCreated frames without this run's marker (warm-up, other traffic)
let unexpectedCloses = 0;
const closeCodes = {};
let pingsAnswered = 0;

function startsWith(buf, prefix) {
  if (buf.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (buf[i] !== prefix[i]) return false;
  return true;
}

function onCreated(buf, idx) {
  const at = buf.indexOf(MARK, CREATED.length);
  if (at < 0) {
    otherCreated++;
    return;
  }
  let seq = 0;
  for (let i = at + MARK.length; i < buf.length; i++) {
    const c = buf[i];
    if (c < 48 || c > 57) break;
    seq = seq * 10 + (c - 48);
  }
  if (arrivals === null || seq >= events) {
    strays++;
    return;
  }
  const k = idx * events + seq;
  if (arrivals[k] !== 0) duplicates++;
  else {
    arrivals[k] = nowMs();
    received++;
  }
}

function open(idx) {
  return new Promise((resolve) => {
    const t0 = nowMs();
    let ready = false;
    let settled = false;
    const ws = new WebSocket(target, {
      perMessageDeflate: deflate,
      skipUTF8Validation: true,
      handshakeTimeout: handshakeTimeoutMs,
    });
    const done = (err) => {
      if (settled) return;
      settled = true;
      resolve(err ? { ok: false, error: err } : { ok: true, ms: nowMs() - t0 });
    };
    ws.on('message', (buf) => {
      if (ready) {
        if (buf.length === 1 && buf[0] === 0x32 && sio) {
          ws.send('3'); // Engine.IO ping -> pong
          pingsAnswered++;
        } else if (startsWith(buf, CREATED)) {
          onCreated(buf, idx);
        }
        return;
      }
      if (sio) {
        if (buf[0] === 0x30) {
          ws.send(CONNECT_PACKET); // Engine.IO open -> Socket.IO connect to "/"
        } else if (buf[0] === 0x34 && buf[1] === 0x30) {
          ready = true; // 40{"sid":…}
          done();
        } else if (buf[0] === 0x34 && buf[1] === 0x34) {
          done('connect error ' + buf.toString().slice(0, 80));
          ws.terminate();
        }
      } else if (startsWith(buf, HELLO)) {
        ready = true;
        done();
      }
    });
    ws.on('unexpected-response', (req, res) => {
      done(`HTTP ${res.statusCode}`);
      req.destroy();
    });
    ws.on('error', (e) => done(e.code || e.message));
    ws.on('close', (code) => {
      if (ready && !ws._benchClosing) {
        unexpectedCloses++;
        closeCodes[code] = (closeCodes[code] || 0) + 1;
      }
      done('closed ' + code);
    });
    clients[idx] = ws;
  });
}

async function connect(count, concurrency) {
  const first = clients.length;
  const times = new Float64Array(count);
  const errors = {};
  let ok = 0;
  let next = 0;
  const started = nowMs();
  async function lane() {
    while (next < count) {
      const i = next++;
      const r = await open(first + i);
      if (r.ok) {
        times[ok++] = r.ms;
      } else {
        errors[r.error] = (errors[r.error] || 0) + 1;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return { ok, failed: count - ok, errors, times: times.slice(0, ok), wallMs: nowMs() - started };
}

function openCount() {
  let n = 0;
  for (const ws of clients) if (ws && ws.readyState === WebSocket.OPEN) n++;
  return n;
}

parentPort.on('message', async (m) => {
  if (m.cmd === 'connect') {
    const r = await connect(m.count, m.concurrency);
    parentPort.postMessage({ type: 'connected', ...r }, [r.times.buffer]);
  } else if (m.cmd === 'arm') {
    events = m.events;
    arrivals = new Float64Array(clients.length * events);
    duplicates = strays = otherCreated = received = 0;
    parentPort.postMessage({ type: 'armed' });
  } else if (m.cmd === 'collect') {
    const a = arrivals;
    arrivals = null;
    parentPort.postMessage({
      type: 'collected', arrivals: a, clients: clients.length, duplicates, strays, otherCreated,
      unexpectedCloses, closeCodes, open: openCount(), pingsAnswered,
    }, a ? [a.buffer] : []);
  } else if (m.cmd === 'status') {
    parentPort.postMessage({ type: 'status', received, expected: arrivals ? arrivals.length : 0, open: openCount(), unexpectedCloses, closeCodes, pingsAnswered });
  } else if (m.cmd === 'close') {
    await Promise.all(clients.map((ws) => new Promise((resolve) => {
      if (!ws || ws.readyState === WebSocket.CLOSED) return resolve();
      ws._benchClosing = true;
      const t = setTimeout(() => { ws.terminate(); resolve(); }, 5000);
      ws.once('close', () => { clearTimeout(t); resolve(); });
      ws.close(1000);
    })));
    parentPort.postMessage({ type: 'closed' });
  }
});
