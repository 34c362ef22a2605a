// The agent view (agent.html): one agent's own tasks, live; start and complete them. A task that is reassigned
// or deleted disappears at once (the server sends the agent the one taskUpdated that takes it away).
import { AtlasClient } from "./atlas-client.js";
import { api, ApiError, claims, CONNECTION_LABELS, el, session, when, wsUrl } from "./console-common.js";

const $ = (selector) => document.querySelector(selector);
const tasks = new Map();
let client = null;
let wallet = null;

function start() {
  $("#sign-in-form").addEventListener("submit", signIn);
  $("#sign-out").addEventListener("click", signOut);
  if (window.ethereum?.request) {
    // an injected wallet (EIP-1193): sign in with it; the token form stays as the fallback
    $("#wallet-sign-in").hidden = false;
    $("#wallet-button").addEventListener("click", walletSignIn);
  }
  if (session.token()) {
    showApp();
  } else {
    showSignIn();
  }
}

function showSignIn(message = "") {
  $("#app").hidden = true;
  $("#sign-out").hidden = true;
  $("#who").textContent = "";
  $("#sign-in").hidden = false;
  $("#token-error").textContent = message;
  $("#token").focus();
}

async function signIn(event) {
  event.preventDefault();
  const token = $("#token").value.trim();
  if (!token) {
    $("#token-error").textContent = "Enter a token.";
    return;
  }
  session.signIn(token);
  try {
    await api("GET", "/api/tasks?limit=1");
  } catch (e) {
    session.signOut();
    showSignIn(e instanceof ApiError && e.status === 401 ? "The server refused this token: " + e.message : e.message);
    return;
  }
  $("#token").value = "";
  showApp();
}

/** Text as the 0x-hex of its UTF-8 bytes, as personal_sign takes it. */
function hexOf(text) {
  return "0x" + Array.from(new TextEncoder().encode(text), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Sign-In with Ethereum (EIP-4361) through the injected wallet: ask for the account and the chain, get a nonce
 * (and the address with its EIP-55 checksum) from the server, have the wallet sign the message (personal_sign),
 * trade message and signature for an agent token.
 */
async function walletSignIn() {
  const button = $("#wallet-button");
  $("#wallet-error").textContent = "";
  button.disabled = true;
  try {
    const [account] = await window.ethereum.request({ method: "eth_requestAccounts" });
    if (!account) {
      throw new Error("the wallet gave no account");
    }
    const chainId = parseInt(await window.ethereum.request({ method: "eth_chainId" }), 16);
    const { body: nonce } = await api("POST", "/api/auth/nonce?address=" + encodeURIComponent(account));
    const message = [
      `${location.host} wants you to sign in with your Ethereum account:`,
      nonce.address,
      "",
      "Sign in to Atlas as an agent.",
      "",
      `URI: ${location.origin}/agent.html`,
      "Version: 1",
      `Chain ID: ${chainId}`,
      `Nonce: ${nonce.nonce}`,
      `Issued At: ${new Date().toISOString()}`,
      `Expiration Time: ${new Date(Date.now() + 5 * 60 * 1000).toISOString()}`,
    ].join("\n");
    const signature = await window.ethereum.request({ method: "personal_sign", params: [hexOf(message), account] });
    const { body } = await api("POST", "/api/auth/wallet", { body: { message, signature } });
    session.signIn(body.token);
    showApp();
  } catch (e) {
    const detail = e instanceof ApiError ? e.message : (e?.code === 4001 ? "you declined in the wallet" : e?.message ?? String(e));
    $("#wallet-error").textContent = "Wallet sign-in failed: " + detail;
  } finally {
    button.disabled = false;
  }
}

function signOut() {
  client?.close();
  client = null;
  session.signOut();
  tasks.clear();
  render();
  showSignIn("Signed out.");
}

function showApp() {
  const c = claims(session.token());
  wallet = (c.wallet ?? "").toLowerCase() || null;
  $("#sign-in").hidden = true;
  $("#app").hidden = false;
  $("#sign-out").hidden = false;
  $("#who").textContent = wallet ? `Agent ${wallet.slice(0, 6)}…${wallet.slice(-4)}` : `Signed in as ${c.role ?? "?"}`;
  client = new AtlasClient({ url: wsUrl(), token: session.token() });
  let first = true;
  client.on("state", (state, detail) => {
    $("#connection").dataset.state = state;
    $("#connection").textContent = CONNECTION_LABELS[state];
    if (state === "open" && first) {
      first = false;
      reload();
    }
    if (state === "closed" && detail.code === 1008) {
      session.signOut();
      showSignIn("The session ended: " + (detail.reason || "the token was refused") + ". Sign in again.");
    }
  });
  client.on("event", (e) => {
    if (e.event === "taskDeleted") {
      tasks.delete(e.data.id);
    } else if (mine(e.data)) {
      const known = tasks.get(e.data.id);
      if (!known || known.version <= e.data.version) tasks.set(e.data.id, e.data);
    } else {
      tasks.delete(e.data.id); // taken away from this agent
    }
    render();
  });
  client.on("resync", () => reload());
  client.connect();
}

function mine(task) {
  return wallet == null || (task.agentWallet ?? "").toLowerCase() === wallet;
}

async function reload() {
  const loaded = new Map();
  let cursor = null;
  try {
    do {
      const query = new URLSearchParams({ limit: "200" });
      if (cursor) query.set("cursor", cursor);
      const { body } = await api("GET", "/api/tasks?" + query);
      for (const t of body.items) loaded.set(t.id, t);
      cursor = body.nextCursor;
    } while (cursor);
  } catch (e) {
    $("#notice").textContent = e.message;
    return;
  }
  for (const [id, known] of tasks) {
    const fresh = loaded.get(id);
    if (fresh && known.version > fresh.version) loaded.set(id, known);
  }
  tasks.clear();
  for (const [id, t] of loaded) tasks.set(id, t);
  render();
}

async function act(task, action) {
  try {
    const { body } = await api("POST", `/api/tasks/${task.id}/${action}`);
    tasks.set(body.id, body);
    render();
  } catch (e) {
    $("#notice").textContent = `Could not ${action} “${task.title}”: ${e.message}`;
  }
}

function card(task) {
  const button = task.status === "pending"
    ? el("button", { type: "button", onclick: () => act(task, "start"), "aria-label": `Start “${task.title}”` }, "Start")
    : task.status === "in_progress"
      ? el("button", { type: "button", onclick: () => act(task, "complete"), "aria-label": `Complete “${task.title}”` }, "Complete")
      : null;
  return el("li", { class: "card", dataset: { id: String(task.id), status: task.status } },
    el("h3", {}, task.title),
    task.description ? el("p", {}, task.description) : null,
    el("p", {}, `${task.status.replace("_", " ")} · ${task.priority}${task.dueAt ? " · due " + when(task.dueAt) : ""}`),
    button ? el("div", { class: "actions" }, button) : null);
}

function render() {
  const sorted = [...tasks.values()].sort((a, b) => b.id - a.id);
  const open = sorted.filter((t) => t.status !== "completed");
  const done = sorted.filter((t) => t.status === "completed");
  const focusedId = document.activeElement?.closest?.(".card")?.dataset.id;
  $('[data-cards="open"]').replaceChildren(...open.map(card));
  $('[data-cards="done"]').replaceChildren(...done.map(card));
  $('[data-count="open"]').textContent = String(open.length);
  $('[data-count="done"]').textContent = String(done.length);
  if (focusedId) document.querySelector(`.card[data-id="${focusedId}"] button`)?.focus();
}

start();
