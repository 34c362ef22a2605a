// The admin console (/) and the agent view (/agent.html) in a real headless Chromium (playwright-core, Debian's
// chromium), against a real Atlas server, driven by ConsoleIT:
//   node console.test.mjs <baseUrl> <adminToken> <agentToken> <agentWallet> <screenshotDir> <signerUrl> <signerWallet>
// (signerUrl: the Java test's personal_sign service for a throw-away key registered as an agent; the key stays there)
// The pages are opened through a loopback TCP link of this script's own, which a test cuts to take the browser
// offline (every connection dropped, new ones refused) while the script changes tasks directly on the server.
// Every wait is on a condition in the page, bounded; nothing asserts a duration.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const [BASE, ADMIN, AGENT, WALLET, SHOTS, SIGNER, SIGNER_WALLET] = process.argv.slice(2);
if (!BASE || !ADMIN || !AGENT || !WALLET || !SHOTS || !SIGNER || !SIGNER_WALLET) {
  throw new Error("usage: node console.test.mjs <baseUrl> <adminToken> <agentToken> <agentWallet> <screenshotDir> <signerUrl> <signerWallet>");
}
const target = new URL(BASE);
const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const WAIT = 15000;
const RUN = Date.now().toString(36); // titles looked up by text are unique to this run

async function api(method, p, body, token = ADMIN, headers = {}) {
  const res = await fetch(BASE + p, {
    method,
    headers: { authorization: "Bearer " + token, "content-type": "application/json", ...headers },
    body: body == null ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** A TCP forwarder to the server that can be cut and restored on the same port. */
class Link {
  constructor() { this.sockets = new Set(); this.port = 0; }
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
  url(p) { return `http://127.0.0.1:${this.port}${p}`; }
  async cut() {
    await new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
  }
}

let browser;
let link;
const pages = [];

/** A fresh tab (its own context: its own sessionStorage), recording CSP violations, page errors and console errors. */
async function tab(name, { width = 1280, height = 900, bypassCSP = false } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, bypassCSP });
  const page = await context.newPage();
  page.problems = [];
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  page.on("pageerror", (e) => page.problems.push(`${name} pageerror: ${e.message}`));
  page.on("console", (m) => {
    // Chromium logs every 4xx answer (the 412 and 400 the tests cause) and the refused connections while offline
    if (m.type() === "error" && !/status of 4\d\d|ERR_CONNECTION_REFUSED|ERR_CONNECTION_RESET|ERR_EMPTY_RESPONSE|WebSocket connection/.test(m.text())) {
      page.problems.push(`${name} console: ${m.text()}`);
    }
  });
  pages.push(page);
  return page;
}

async function signIn(page, pathname, token) {
  await page.goto(link.url(pathname));
  await page.fill("#token", token);
  await page.click("#sign-in-form button[type=submit]");
  await page.waitForSelector("#connection[data-state=open]", { timeout: WAIT });
}

const card = (page, id) => page.locator(`.card[data-id="${id}"]`);
const column = (page, id) => card(page, id).evaluate((c) => c.closest("[data-cards]").dataset.cards);

async function untilIn(page, id, where) {
  await page.waitForFunction(([i, w]) => document.querySelector(`.card[data-id="${i}"]`)?.closest("[data-cards]")?.dataset.cards === w,
    [String(id), where], { timeout: WAIT });
}

async function untilGone(page, id) {
  await page.waitForFunction((i) => !document.querySelector(`.card[data-id="${i}"]`), String(id), { timeout: WAIT });
}

before(async () => {
  link = await new Link().open();
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  const problems = pages.flatMap((p) => p.problems);
  await browser?.close();
  await link?.cut().catch(() => {});
  assert.deepEqual(problems, [], "no page error and no console error on any page");
});

let adminA;
let adminB;
let agent;

test("a task created in one admin page appears in a second and in the agent's view; the agent completes it and both boards move it", async () => {
  adminA = await tab("adminA");
  adminB = await tab("adminB");
  agent = await tab("agent", { width: 390, height: 844 });
  await signIn(adminA, "/", ADMIN);
  await signIn(adminB, "/", ADMIN);
  await signIn(agent, "/agent.html", AGENT);

  const title = "Inspect pump 7 · " + RUN;
  await adminA.fill("#create-title-input", title);
  await adminA.fill("#create-description", "Pressure drops after 10 minutes.");
  await adminA.selectOption("#create-priority", "high");
  await adminA.fill("#create-agent", WALLET);
  const created = Date.now();
  await adminA.click("#create-form button[type=submit]");
  const id = await adminA.locator(`.card:has(h4:text-is("${title}"))`).getAttribute("data-id", { timeout: WAIT });
  await untilIn(adminB, id, "pending");
  await untilIn(agent, id, "open");
  const seenAfter = Date.now() - created;
  process.stdout.write(`# seen in the second admin page and the agent view ${seenAfter} ms after the click\n`);
  assert.equal(await card(adminB, id).locator("h4").textContent(), title);

  await agent.click(`.card[data-id="${id}"] button:text("Start")`);
  await untilIn(adminA, id, "in_progress");
  await untilIn(adminB, id, "in_progress");
  await agent.click(`.card[data-id="${id}"] button:text("Complete")`);
  await untilIn(adminA, id, "completed");
  await untilIn(adminB, id, "completed");
  await untilIn(agent, id, "done");
  assert.equal(await adminA.textContent('[data-count="completed"]'), await adminB.textContent('[data-count="completed"]'));
  assert.ok(await adminA.locator(`#log li:has-text("taskCompleted task ${id}")`).count() === 1, "the event log shows it");

  fs.mkdirSync(SHOTS, { recursive: true });
  const second = await api("POST", "/api/tasks", { title: "Replace filter on line 3", priority: "normal", agentWallet: WALLET });
  await api("POST", "/api/tasks", { title: "Calibrate sensor B12", priority: "low" });
  await untilIn(adminA, second.id, "pending");
  await untilIn(agent, second.id, "open");
  await adminA.screenshot({ path: path.join(SHOTS, "console-board.png"), fullPage: true });
  await agent.screenshot({ path: path.join(SHOTS, "agent-view.png"), fullPage: true });
});

test("a task taken away from the agent disappears from the agent's view at once", async () => {
  const task = await api("POST", "/api/tasks", { title: "Soon someone else's", agentWallet: WALLET });
  await untilIn(agent, task.id, "open");
  await api("PUT", `/api/tasks/${task.id}`, { agentWallet: "0x" + "b".repeat(40) });
  await untilGone(agent, task.id);
  await untilIn(adminA, task.id, "pending");
  assert.match(await card(adminA, task.id).locator(".agent").textContent(), /0xbbbb/);
});

test("offline while tasks change: back online, the board shows exactly the right state and the log the resumed ids", async () => {
  const keep = await api("POST", "/api/tasks", { title: "Keep me" });
  const gone = await api("POST", "/api/tasks", { title: "Delete me" });
  const move = await api("POST", "/api/tasks", { title: "Start me" });
  for (const t of [keep, gone, move]) await untilIn(adminB, t.id, "pending");

  await link.cut();
  await adminB.waitForSelector("#connection[data-state=reconnecting]", { timeout: WAIT });
  await api("DELETE", `/api/tasks/${gone.id}`);
  await api("POST", `/api/tasks/${move.id}/start`);
  await api("PUT", `/api/tasks/${keep.id}`, { title: "Kept and renamed" });
  const fresh = await api("POST", "/api/tasks", { title: "Made while offline" });
  const events = await api("GET", "/api/diagnostics");
  await link.open();

  await adminB.waitForSelector("#connection[data-state=open]", { timeout: WAIT });
  await untilGone(adminB, gone.id);
  await untilIn(adminB, move.id, "in_progress");
  await untilIn(adminB, fresh.id, "pending");
  await adminB.waitForFunction((i) => document.querySelector(`.card[data-id="${i}"] h4`)?.textContent === "Kept and renamed",
    String(keep.id), { timeout: WAIT });

  // the board equals the server's list, card for card (all of it: fewer tasks than the board's first page)
  const server = (await api("GET", "/api/tasks?limit=200")).items;
  assert.ok(server.length < 50, "this test expects a server with fewer than 50 tasks");
  const board = await adminB.$$eval(".card", (cards) => cards.map((c) => ({
    id: Number(c.dataset.id), status: c.dataset.status, version: Number(c.dataset.version) })));
  assert.deepEqual(board.sort((a, b) => a.id - b.id),
    server.map((t) => ({ id: t.id, status: t.status, version: t.version })).sort((a, b) => a.id - b.id));
  // the log shows the replayed events with their ids, each once, up to the last one committed while offline
  const logged = await adminB.$$eval("#log li[data-event-id]", (items) => items.map((li) => li.dataset.eventId));
  const last = String(events.lastEventId);
  assert.equal(new Set(logged).size, logged.length, "no event twice: " + logged.join(","));
  assert.ok(logged.includes(last), `the log shows event ${last}: ${logged.join(",")}`);
  assert.ok(await adminB.locator(`#log li:has-text("taskDeleted task ${gone.id}")`).count() === 1);
});

test("an edit of a task that changed meanwhile gets the 412 explained with the current version; a second save applies it", async () => {
  const task = await api("POST", "/api/tasks", { title: "Contended" });
  await untilIn(adminA, task.id, "pending");
  await adminA.click(`.card[data-id="${task.id}"] button:text("Edit")`);
  await adminA.fill("#edit-title-input", "My title");
  const changed = await api("PUT", `/api/tasks/${task.id}`, { title: "Their title" });
  // the dialog was opened at version 1; the other change made it version 2
  await adminA.click("#edit-form button[type=submit]");
  const message = adminA.locator("#edit-form [data-form-error]");
  await message.filter({ hasText: "changed meanwhile" }).waitFor({ timeout: WAIT });
  assert.match(await message.textContent(), new RegExp(`version ${changed.version}\\b`));
  assert.match(await message.textContent(), /Their title/);
  assert.equal(await adminA.textContent("#edit-version"), String(changed.version));
  await adminA.click("#edit-form button[type=submit]");
  await adminA.waitForFunction((i) => document.querySelector(`.card[data-id="${i}"] h4`)?.textContent === "My title",
    String(task.id), { timeout: WAIT });
  assert.equal((await api("GET", `/api/tasks/${task.id}`)).title, "My title");
});

test("a validation error is shown next to the field it names", async () => {
  await adminA.fill("#create-title-input", "x".repeat(201)); // no maxlength in the page: the server's rule decides
  await adminA.fill("#create-agent", "not-a-wallet");
  await adminA.click("#create-form button[type=submit]");
  const titleError = adminA.locator('#create-form [data-error-for="title"]');
  const walletError = adminA.locator('#create-form [data-error-for="agentWallet"]');
  await adminA.waitForFunction(() => document.querySelector('#create-form [data-error-for="agentWallet"]').textContent !== "",
    null, { timeout: WAIT });
  assert.notEqual(await walletError.textContent(), "");
  assert.notEqual(await titleError.textContent(), "");
  assert.equal(await adminA.getAttribute("#create-agent", "aria-invalid"), "true");
  assert.equal(await adminA.getAttribute("#create-title-input", "aria-describedby"), "create-title-error");
  await adminA.fill("#create-title-input", "");
  await adminA.fill("#create-agent", "");
});

test("a task can be created with the keyboard alone", async () => {
  const page = await tab("keyboard");
  await signIn(page, "/", ADMIN);
  await page.evaluate(() => document.activeElement?.blur());
  let steps = 0;
  while ((await page.evaluate(() => document.activeElement?.id)) !== "create-title-input") {
    await page.keyboard.press("Tab");
    assert.ok(++steps < 30, "Tab reaches the title field");
  }
  const title = "Typed, never clicked · " + RUN;
  await page.keyboard.type(title);
  await page.keyboard.press("Tab");
  await page.keyboard.type("With a description");
  await page.keyboard.press("Tab");
  await page.keyboard.press("ArrowDown"); // priority: normal → high
  for (let i = 0; (await page.evaluate(() => document.activeElement?.type)) !== "submit"; i++) {
    await page.keyboard.press("Tab");
    assert.ok(i < 10, "Tab reaches the create button");
  }
  await page.keyboard.press("Enter");
  await page.waitForFunction((t) => [...document.querySelectorAll(".card h4")].some((h) => h.textContent === t),
    title, { timeout: WAIT });
  const created = (await api("GET", "/api/tasks?limit=5")).items.find((t) => t.title === title);
  assert.equal(created.description, "With a description");
  assert.equal(created.priority, "high");
  // The card can come with the pushed taskCreated before the POST's answer, after which the form moves the focus.
  await page.waitForFunction(() => document.activeElement?.id === "create-title-input", null, { timeout: WAIT })
    .catch(async () => assert.fail("focus back on the title, not on '" + await page.evaluate(() => document.activeElement?.id) + "'"));
});

test("the pages break no Content-Security-Policy rule and axe-core finds no serious accessibility violation", async () => {
  for (const page of [adminA, agent]) {
    assert.deepEqual(await page.evaluate(() => window.__csp), [], "no CSP violation on " + page.url());
  }
  const signInPage = await tab("sign-in");
  await signInPage.goto(link.url("/"));
  await signInPage.waitForSelector("#sign-in:not([hidden])", { timeout: WAIT });
  const edit = await tab("edit-dialog");
  await signIn(edit, "/", ADMIN);
  await edit.waitForSelector(".card", { timeout: WAIT });
  await edit.locator(".card button:text('Edit')").first().click();
  for (const page of [adminA, agent, signInPage, edit]) {
    // axe runs in the page through the DevTools protocol, which the page's CSP does not govern
    await page.evaluate(axeSource);
    const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
    const serious = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join("; ")})`);
    assert.deepEqual(serious, [], "axe on " + page.url());
  }
});

test("the agent view signs in through an injected EIP-1193 wallet and then sees its tasks live", async () => {
  const page = await tab("wallet-agent", { width: 390, height: 844 });
  const asked = [];
  // personal_sign goes out of the page to the Java test's signer: the page (and this script) never hold the key
  await page.exposeFunction("__atlasTestSign", async (hexMessage, address) => {
    asked.push(address);
    const res = await fetch(SIGNER, { method: "POST", body: JSON.stringify({ message: hexMessage, address }) });
    if (!res.ok) throw new Error("signer: " + res.status);
    return (await res.text()).trim();
  });
  await page.addInitScript((address) => {
    // a minimal EIP-1193 provider, as a wallet extension injects one before the page's scripts run
    window.ethereum = {
      isAtlasTestWallet: true,
      async request({ method, params }) {
        switch (method) {
          case "eth_requestAccounts":
          case "eth_accounts":
            return [address];
          case "eth_chainId":
            return "0x1";
          case "personal_sign":
            return window.__atlasTestSign(params[0], params[1]);
          default:
            throw Object.assign(new Error("unsupported method " + method), { code: 4200 });
        }
      },
    };
  }, SIGNER_WALLET);
  await page.goto(link.url("/agent.html"));
  await page.waitForSelector("#wallet-sign-in:not([hidden])", { timeout: WAIT });
  assert.ok(await page.isVisible("#token"), "the token form stays as the fallback");
  await page.click("#wallet-button");
  await page.waitForSelector("#connection[data-state=open]", { timeout: WAIT });
  assert.deepEqual(asked, [SIGNER_WALLET], "one personal_sign, for the wallet's account");
  assert.match(await page.textContent("#who"), new RegExp(SIGNER_WALLET.slice(0, 6), "i"));
  const mine = await api("POST", "/api/tasks", { title: "Signed in by wallet · " + RUN, agentWallet: SIGNER_WALLET });
  const others = await api("POST", "/api/tasks", { title: "Not the wallet's · " + RUN, agentWallet: WALLET });
  await untilIn(page, mine.id, "open");
  assert.equal(await card(page, others.id).count(), 0, "another agent's task is not shown");
  assert.deepEqual(await page.evaluate(() => window.__csp), [], "no CSP violation");
});
