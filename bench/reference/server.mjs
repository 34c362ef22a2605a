// The reference server for bench/: a minimal stand-in for the Node.js Express + Socket.IO (v4) server that Atlas
// replaces, so that bench/run can measure both on the same machine. Tasks live in memory only (as in the old
// server: no persistence, no auth); every change is pushed to all Socket.IO clients with io.emit(name, envelope).
//
//   node server.mjs [--port 3201]        (or bench/reference/run [--port N])
//
// REST (JSON):  POST /api/tasks -> 201 task | GET /api/tasks | GET /api/tasks/:id | PUT /api/tasks/:id
//               POST /api/tasks/:id/start | POST /api/tasks/:id/complete | DELETE /api/tasks/:id
//               400 without a title, 404 for an unknown id, 409 for a transition outside
//               pending -> in_progress -> completed. The Authorization header is accepted and ignored.
// Socket.IO:    /socket.io/ with socket.io's defaults; events taskCreated, taskUpdated, taskCompleted, taskDeleted,
//               taskAssigned, each with the single argument {event, timestamp, [agentWallet,] data}.
import http from 'node:http';
import express from 'express';
import { Server } from 'socket.io';

function parsePort(argv) {
  let port = 3201;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--port') port = Number(argv[++i]);
    else if (a.startsWith('--port=')) port = Number(a.slice('--port='.length));
    else {
      console.error(`usage: node server.mjs [--port N]   (unknown argument ${a})`);
      process.exit(2);
    }
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    console.error('--port must be an integer 1-65535');
    process.exit(2);
  }
  return port;
}

const port = parsePort(process.argv.slice(2));
const app = express();
const server = http.createServer(app);
const io = new Server(server); // defaults: path /socket.io/, polling + websocket, perMessageDeflate off

// ---------------------------------------------------------------- tasks, in memory

const tasks = new Map(); // id -> task
let nextId = 1;

const TRANSITIONS = { start: ['pending', 'in_progress'], complete: ['in_progress', 'completed'] };

const str = (v) => (typeof v === 'string' ? v : null);

/**
 * Pushes one change to every connected socket; the envelope is the event's single argument. Socket.IO encodes the
 * packet once per emit for all sockets. Called before the HTTP answer is written, as the old server's handlers did.
 */
function publish(event, timestamp, data, agentWallet) {
  const envelope = agentWallet === undefined ? { event, timestamp, data } : { event, timestamp, agentWallet, data };
  io.emit(event, envelope);
}

function notFound(res) {
  res.status(404).json({ error: 'Task not found' });
}

// ---------------------------------------------------------------- REST

app.use(express.json());

app.post('/api/tasks', (req, res) => {
  const b = req.body || {};
  const title = str(b.title);
  if (!title || !title.trim()) return res.status(400).json({ error: 'title is required' });
  const now = new Date().toISOString();
  const task = {
    id: nextId++, title: title.trim(), description: str(b.description), status: 'pending',
    agentWallet: str(b.agentWallet), createdAt: now, updatedAt: now,
  };
  tasks.set(task.id, task);
  publish('taskCreated', now, task);
  if (task.agentWallet) publish('taskAssigned', now, task, task.agentWallet);
  res.status(201).json(task);
});

app.get('/api/tasks', (req, res) => {
  res.json([...tasks.values()]);
});

app.get('/api/tasks/:id', (req, res) => {
  const task = tasks.get(Number(req.params.id));
  if (!task) return notFound(res);
  res.json(task);
});

app.put('/api/tasks/:id', (req, res) => {
  const task = tasks.get(Number(req.params.id));
  if (!task) return notFound(res);
  const b = req.body || {};
  if (b.title !== undefined && (!str(b.title) || !b.title.trim())) {
    return res.status(400).json({ error: 'title must be a non-empty string' });
  }
  const previousAgent = task.agentWallet;
  if (b.title !== undefined) task.title = b.title.trim();
  if (b.description !== undefined) task.description = str(b.description);
  if (b.agentWallet !== undefined) task.agentWallet = str(b.agentWallet);
  task.updatedAt = new Date().toISOString();
  publish('taskUpdated', task.updatedAt, task);
  if (task.agentWallet && task.agentWallet !== previousAgent) publish('taskAssigned', task.updatedAt, task, task.agentWallet);
  res.json(task);
});

for (const [action, [from, to]] of Object.entries(TRANSITIONS)) {
  app.post(`/api/tasks/:id/${action}`, (req, res) => {
    const task = tasks.get(Number(req.params.id));
    if (!task) return notFound(res);
    if (task.status !== from) {
      return res.status(409).json({ error: `Cannot ${action} a task that is ${task.status}` });
    }
    task.status = to;
    task.updatedAt = new Date().toISOString();
    publish(to === 'completed' ? 'taskCompleted' : 'taskUpdated', task.updatedAt, task);
    res.json(task);
  });
}

app.delete('/api/tasks/:id', (req, res) => {
  const id = Number(req.params.id);
  if (!tasks.delete(id)) return notFound(res);
  publish('taskDeleted', new Date().toISOString(), { id });
  res.status(204).end();
});

// Anything else under /api (e.g. Atlas's /api/diagnostics, which bench/run asks for) does not exist here.
app.use('/api', (req, res) => {
  res.status(404).json({ error: 'Not found' });
});

// Malformed JSON and other body-parser refusals: their status (400, 413, 415) with a JSON body.
app.use((err, req, res, next) => {
  if (res.headersSent) return next(err);
  const status = err.status || err.statusCode || 500;
  res.status(status).json({ error: status === 500 ? 'Internal server error' : err.message });
});

// ---------------------------------------------------------------- lifecycle

server.on('error', (e) => {
  console.error(`reference server: ${e.code === 'EADDRINUSE' ? `port ${port} is in use` : e.message}`);
  process.exit(1);
});

server.listen(port, '127.0.0.1', () => {
  console.log(`reference server (express + socket.io, in memory) listening on http://127.0.0.1:${port} pid ${process.pid}`);
});

let stopping = false;
function stop(signal) {
  if (stopping) return;
  stopping = true;
  // io.close() disconnects every socket and closes the HTTP server; keep-alive REST connections are closed too.
  setTimeout(() => process.exit(0), 3000).unref();
  io.close(() => process.exit(0));
  server.closeAllConnections();
  console.error(`reference server: ${signal}, stopped`);
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
