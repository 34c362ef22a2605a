// Many real clients through Nginx, driven by ClusterNginxIT: atlas-client.js on /ws and socket.io-client with its
// default transports (long-polling, then the WebSocket upgrade), each reconnecting by itself. Prints one JSON line
// per thing that happens; exits by itself after a bounded time, or on {"cmd":"exit"} on stdin.
//   node cluster-clients.mjs <https base> <ca.pem> <token> <ws clients> <socket.io clients> [maxSeconds]
// Socket.IO client i connects from source address 127.0.0.(20+i), so that Nginx's hash of the client address
// spreads them over the nodes (on Linux all of 127/8 is loopback). /ws clients need no such thing (round robin).
import fs from "node:fs";
import https from "node:https";
import readline from "node:readline";
import WebSocket from "ws";
import { io } from "socket.io-client";
import { AtlasClient, TASK_EVENTS } from "../../main/webapp/js/atlas-client.js";

const [base, caFile, token, wsCount = "3", sioCount = "3", maxSeconds = "240"] = process.argv.slice(2);
if (!base || !caFile || !token) {
  throw new Error("usage: node cluster-clients.mjs <https base> <ca.pem> <token> <ws> <sio> [maxSeconds]");
}
const ca = fs.readFileSync(caFile);
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");

/** The `ws` package's WebSocket, trusting the test certificate. */
class TrustingWebSocket extends WebSocket {
  constructor(url, protocols) {
    super(url, protocols, { ca });
  }
}

const clients = [];
for (let i = 0; i < Number(wsCount); i++) {
  const name = "ws" + i;
  const client = new AtlasClient({
    url: base.replace(/^https:/, "wss:") + "/ws",
    token,
    WebSocket: TrustingWebSocket,
    backoff: { initialMs: 100, maxMs: 1000, factor: 2 },
  });
  client.on("state", (state) => out({ c: name, type: "state", state }));
  client.on("event", (m) => out({ c: name, type: "event", id: m.id, event: m.event }));
  client.on("resync", (r) => out({ c: name, type: "resync", id: r.id, reason: r.reason }));
  client.on("error", (e) => out({ c: name, type: "error", message: e.message }));
  client.connect();
  clients.push(() => client.close());
}
for (let i = 0; i < Number(sioCount); i++) {
  const name = "sio" + i;
  const localAddress = "127.0.0." + (20 + i);
  const agent = new https.Agent({ ca, localAddress, keepAlive: true });
  const socket = io(base, { auth: { token }, agent, ca, localAddress, reconnectionDelay: 100, reconnectionDelayMax: 1000,
    timeout: 5000 });
  socket.on("connect", () => out({ c: name, type: "connect", recovered: socket.recovered === true,
    transport: socket.io.engine.transport.name }));
  socket.on("disconnect", (reason) => out({ c: name, type: "disconnect", reason }));
  socket.on("connect_error", (e) => out({ c: name, type: "connect_error", message: e.message }));
  socket.on("resync", (r) => out({ c: name, type: "resync", id: r?.id }));
  for (const event of TASK_EVENTS) {
    // the envelope first, the event id last (connection state recovery's offset)
    socket.on(event, (envelope, id) => out({ c: name, type: "event", id: String(id), event }));
  }
  clients.push(() => socket.close());
}

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  if (JSON.parse(line).cmd === "exit") {
    clients.forEach((close) => close());
    process.exit(0);
  }
});
setTimeout(() => { out({ type: "timeout" }); process.exit(3); }, Number(maxSeconds) * 1000).unref?.();
setTimeout(() => {}, Number(maxSeconds) * 1000 + 1000);
