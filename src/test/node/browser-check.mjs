// The old runbook's "browser console" check, in a real headless Chromium driven by playwright-core, for
// BrowserIT: opens the Atlas root page, loads the socket.io-client browser bundle into it, runs the
// console snippet, and prints one JSON line per thing that happens:
//   {"type":"page",status,title} {"type":"connected",id,transport} {"type":"upgrade",transport}
//   {"type":"event",name,envelope} {"type":"done"} — or {"type":"timeout",state} / {"type":"error",message}.
// Exits 0 once it has seen `expectEvents` taskCreated events after the upgrade, non-zero otherwise.
//   node browser-check.mjs <baseUrl> [expectEvents=1] [maxSeconds=45]
// CHROMIUM_PATH overrides /usr/bin/chromium.
import { chromium } from "playwright-core";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const [baseUrl, expectEventsArg = "1", maxSecondsArg = "45"] = process.argv.slice(2);
const expectEvents = Number(expectEventsArg);
const deadline = Date.now() + Number(maxSecondsArg) * 1000;
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");
const here = path.dirname(fileURLToPath(import.meta.url));
const bundle = path.join(here, "node_modules", "socket.io-client", "dist", "socket.io.min.js");
const executablePath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

// The runbook's snippet, as pasted into the console, plus bookkeeping the driver can read back.
const SNIPPET = `
window.atlasCheck = { connected: 0, id: null, transport: null, upgradedTo: null, events: [], errors: [] };
const socket = io(location.origin);
socket.on('connect', () => {
  atlasCheck.connected++;
  atlasCheck.id = socket.id;
  atlasCheck.transport = socket.io.engine.transport.name;
  console.log('connected', socket.id);
});
socket.io.on('open', () => socket.io.engine.on('upgrade', (t) => { atlasCheck.upgradedTo = t.name; }));
socket.on('connect_error', (err) => atlasCheck.errors.push(String(err && err.message)));
socket.on('taskCreated', (envelope) => {
  atlasCheck.events.push(envelope);
  console.log('taskCreated', JSON.stringify(envelope));
});
`;

// a last resort if the browser hangs: never outlive the budget by much
setTimeout(() => { out({ type: "timeout", state: "hard limit" }); process.exit(2); }, Number(maxSecondsArg) * 1000 + 10000).unref();

let context;
let userDataDir;
let code = 1;
try {
  if (!fs.existsSync(executablePath)) {
    throw new Error(`Chromium not found at ${executablePath} (Debian: apt-get install chromium)`);
  }
  if (!fs.existsSync(bundle)) {
    throw new Error(`socket.io-client browser bundle not found at ${bundle} (run npm ci in src/test/node)`);
  }
  userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "atlas-chromium-"));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    // The runbook pastes its snippet into the DevTools console, which the page's Content-Security-Policy does not
    // govern; the root page is now the admin console with a strict policy (no inline script), so the injected
    // bundle and snippet run as the console would run them. The console's own CSP is checked by ConsoleIT.
    bypassCSP: true,
    timeout: Math.max(1000, deadline - Date.now()),
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("console", (m) => out({ type: "console", level: m.type(), text: m.text() }));
  page.on("pageerror", (e) => out({ type: "pageerror", message: String(e && e.message) }));
  page.on("response", (r) => { if (r.status() >= 400) out({ type: "httpError", status: r.status(), url: r.url() }); });

  const response = await page.goto(baseUrl + "/", { timeout: Math.max(1000, deadline - Date.now()) });
  out({ type: "page", status: response && response.status(), title: await page.title() });
  await page.addScriptTag({ path: bundle });
  await page.addScriptTag({ content: SNIPPET });

  let connectedSeen = 0;
  let upgradeSeen = false;
  let eventsSeen = 0;
  for (;;) {
    const s = await page.evaluate(() => window.atlasCheck);
    if (s.connected > connectedSeen) {
      connectedSeen = s.connected;
      out({ type: "connected", id: s.id, transport: s.transport, count: s.connected });
    }
    if (s.upgradedTo && !upgradeSeen) {
      upgradeSeen = true;
      const transport = await page.evaluate(() => socket.io.engine.transport.name);
      out({ type: "upgrade", transport: s.upgradedTo, transportNow: transport });
    }
    while (eventsSeen < s.events.length) {
      out({ type: "event", name: "taskCreated", envelope: s.events[eventsSeen++] });
    }
    if (upgradeSeen && eventsSeen >= expectEvents) {
      out({ type: "done" });
      code = 0;
      break;
    }
    if (Date.now() > deadline) {
      out({ type: "timeout", state: s });
      code = 2;
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
} catch (e) {
  out({ type: "error", message: String(e && e.stack ? e.stack : e) });
  code = 3;
} finally {
  try {
    if (context) await context.close();
  } catch (e) {
    out({ type: "error", message: "closing the browser: " + String(e) });
  }
  if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
}
process.exit(code);
