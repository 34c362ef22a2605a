// A real socket.io-client 4.8 (or, with the package argument, the old 4.5), driven by SocketIoClientIT: prints one
// JSON line per thing that happens, and takes JSON commands on stdin. Exits by itself after a bounded time.
//   node sio-client.mjs <baseUrl> <default|websocket|polling> [maxSeconds] [package, e.g. socket.io-client-4.5]
//   stdin: {"cmd":"emitWithAck",event,args} | {"cmd":"drop"} (the link closes, no reconnect until)
//          {"cmd":"reconnect"} | {"cmd":"exit"}
import readline from "node:readline";

const [url, mode = "default", maxSeconds = "120", pkg = "socket.io-client"] = process.argv.slice(2);
const { io } = await import(pkg);
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");
const options = { reconnectionDelay: 100, reconnectionDelayMax: 500, timeout: 5000 };
if (mode === "websocket") options.transports = ["websocket"];
if (mode === "polling") options.transports = ["polling"];

const socket = io(url, options);
socket.on("connect", () => out({ type: "connect", id: socket.id, transport: socket.io.engine.transport.name,
  recovered: socket.recovered === true }));
socket.io.on("open", () => {
  // the transport of the Engine.IO handshake, before any upgrade (the "connect" line may come after it)
  out({ type: "open", transport: socket.io.engine.transport.name });
  socket.io.engine.on("upgrade", (t) => out({ type: "upgrade", transport: t.name }));
});
socket.io.on("ping", () => out({ type: "ping" }));
socket.io.on("reconnect_attempt", (n) => out({ type: "reconnect_attempt", n }));
socket.on("disconnect", (reason) => out({ type: "disconnect", reason }));
socket.on("connect_error", (err) => out({ type: "connect_error", message: err.message }));
for (const name of ["taskCreated", "taskUpdated", "taskCompleted", "taskDeleted", "taskAssigned", "resync"]) {
  socket.on(name, (...args) => out({ type: "event", name, args }));
}

readline.createInterface({ input: process.stdin }).on("line", async (line) => {
  const cmd = JSON.parse(line);
  if (cmd.cmd === "emitWithAck") {
    try {
      const answer = await socket.timeout(5000).emitWithAck(cmd.event, ...(cmd.args || []));
      out({ type: "ack", event: cmd.event, answer });
    } catch (e) {
      out({ type: "ack_error", event: cmd.event, message: e.message });
    }
  } else if (cmd.cmd === "drop") {
    // a lost link, as the client sees one ("transport close"), with reconnection held until "reconnect"
    socket.io.reconnection(false);
    socket.io.engine.close();
  } else if (cmd.cmd === "reconnect") {
    socket.io.reconnection(true);
    socket.connect();
  } else if (cmd.cmd === "exit") {
    socket.close();
    process.exit(0);
  }
});

setTimeout(() => { out({ type: "timeout" }); process.exit(3); }, Number(maxSeconds) * 1000).unref?.();
setTimeout(() => {}, Number(maxSeconds) * 1000 + 1000); // keep the process alive until then
