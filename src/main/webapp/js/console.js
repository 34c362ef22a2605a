// The admin console (index.html): a live board of tasks by status, built on atlas-client.js and the REST API.
import { AtlasClient } from "./atlas-client.js";
import {
  api, ApiError, claims, clearFieldErrors, CONNECTION_LABELS, el, session, showFieldErrors, STATUS_LABELS, when, wsUrl,
} from "./console-common.js";

const $ = (selector) => document.querySelector(selector);
const PAGE_SIZE = 50;
const LOG_MAX = 200;

const tasks = new Map();      // id → task, as last seen (REST answer or event), newest version wins
const deleted = new Set();    // ids deleted while a page load was in flight
let filters = { status: "", agentWallet: "" };
let nextCursor = null;
let client = null;
let editing = null;           // the task the edit dialog was opened for (its version is the If-Match)
let loadGeneration = 0;

// ---- sign-in ----

function start() {
  $("#sign-in-form").addEventListener("submit", signIn);
  $("#sign-out").addEventListener("click", signOut);
  $("#create-form").addEventListener("submit", createTask);
  $("#filter-form").addEventListener("submit", applyFilters);
  $("#more").addEventListener("click", () => loadPage(false));
  $("#edit-form").addEventListener("submit", saveEdit);
  $("#edit-cancel").addEventListener("click", () => $("#edit").close());
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
    $("#token").focus();
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

function signOut() {
  client?.close();
  client = null;
  session.signOut();
  tasks.clear();
  renderAll();
  showSignIn("Signed out.");
}

function showApp() {
  const c = claims(session.token());
  $("#sign-in").hidden = true;
  $("#app").hidden = false;
  $("#sign-out").hidden = false;
  $("#who").textContent = `Signed in as ${c.sub ?? "?"} (${c.role ?? "?"})`;
  connect();
  $("#main").focus();
}

// ---- live events ----

function connect() {
  client?.close();
  client = new AtlasClient({ url: wsUrl(), token: session.token() });
  client.on("state", (state, detail) => {
    const node = $("#connection");
    node.dataset.state = state;
    node.textContent = CONNECTION_LABELS[state] + (state === "reconnecting" && detail.delayMs != null
        ? ` (retry in ${Math.ceil(detail.delayMs / 1000)} s)` : "");
    if (state === "closed" && detail.code === 1008) {
      session.signOut();
      showSignIn("The session ended: " + (detail.reason || "the token was refused") + ". Sign in again.");
    }
  });
  let first = true;
  client.on("state", (state) => {
    if (state === "open" && first) {
      first = false;
      reload(); // after hello: every later change arrives as an event, so nothing falls between the two
    }
  });
  client.on("event", (e) => {
    logEvent(e);
    if (e.event === "taskDeleted") {
      deleted.add(e.data.id);
      remove(e.data.id);
    } else {
      upsert(e.data, true);
    }
  });
  client.on("resync", async (r) => {
    logLine(`resync from ${r.id}: ${r.reason}`);
    await reload();
    notice(`Some events could not be replayed (${r.reason}); the board was reloaded at ${new Date().toLocaleTimeString()}.`);
  });
  client.on("error", (e) => logLine("error: " + e.message));
  client.connect();
}

function logEvent(e) {
  const title = e.data && "title" in e.data ? ` “${e.data.title}”` : "";
  logLine(`#${e.id} ${e.event} task ${e.data.id}${title}`, e.id);
}

function logLine(text, id) {
  const log = $("#log");
  log.prepend(el("li", { dataset: id ? { eventId: id } : {} }, `${new Date().toLocaleTimeString()} ${text}`));
  while (log.children.length > LOG_MAX) {
    log.lastElementChild.remove();
  }
}

function notice(text) {
  $("#notice").textContent = text;
}

// ---- the board ----

function matches(task) {
  return (!filters.status || task.status === filters.status)
      && (!filters.agentWallet || (task.agentWallet ?? "").toLowerCase() === filters.agentWallet.toLowerCase());
}

async function reload() {
  tasks.clear();
  deleted.clear();
  nextCursor = null;
  renderAll();
  await loadPage(true);
}

async function loadPage(first) {
  const generation = first ? ++loadGeneration : loadGeneration;
  const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (filters.status) query.set("status", filters.status);
  if (filters.agentWallet) query.set("agentWallet", filters.agentWallet);
  if (!first && nextCursor) query.set("cursor", nextCursor);
  try {
    const { body } = await api("GET", "/api/tasks?" + query);
    if (generation !== loadGeneration) {
      return;
    }
    for (const task of body.items) {
      if (!deleted.has(task.id)) {
        upsert(task, false);
      }
    }
    nextCursor = body.nextCursor ?? null;
    $("#more").hidden = !nextCursor;
    $("#filter-error").textContent = "";
  } catch (e) {
    if (e.status === 401) {
      signOut();
      return;
    }
    $("#filter-error").textContent = e.message;
  }
}

function applyFilters(event) {
  event.preventDefault();
  const form = event.target;
  filters = { status: form.elements.status.value, agentWallet: form.elements.agentWallet.value.trim() };
  for (const column of document.querySelectorAll(".column")) {
    column.hidden = Boolean(filters.status) && column.dataset.status !== filters.status;
  }
  reload();
}

function upsert(task, live) {
  const known = tasks.get(task.id);
  if (known && known.version > task.version) {
    return; // an older view arriving late
  }
  if (!matches(task)) {
    if (known) remove(task.id);
    return;
  }
  tasks.set(task.id, task);
  render(task, live);
}

function remove(id) {
  tasks.delete(id);
  document.querySelector(`.card[data-id="${CSS.escape(String(id))}"]`)?.remove();
  counts();
}

function renderAll() {
  for (const list of document.querySelectorAll("[data-cards]")) {
    list.replaceChildren();
  }
  for (const task of tasks.values()) {
    render(task, false);
  }
  counts();
}

function counts() {
  for (const status of Object.keys(STATUS_LABELS)) {
    const n = document.querySelectorAll(`[data-cards="${status}"] .card`).length;
    document.querySelector(`[data-count="${status}"]`).textContent = nextCursor && !filters.status ? `${n}+` : String(n);
  }
}

function card(task) {
  const actions = [
    el("button", { type: "button", class: "secondary", onclick: () => openEdit(task.id),
      "aria-label": `Edit “${task.title}”` }, "Edit"),
  ];
  if (task.status === "pending") {
    actions.push(el("button", { type: "button", onclick: () => act(task, "start"), "aria-label": `Start “${task.title}”` }, "Start"));
  }
  if (task.status === "in_progress") {
    actions.push(el("button", { type: "button", onclick: () => act(task, "complete"),
      "aria-label": `Complete “${task.title}”` }, "Complete"));
  }
  if (task.agentWallet) {
    actions.push(el("button", { type: "button", class: "secondary", onclick: () => unassign(task),
      "aria-label": `Unassign “${task.title}”` }, "Unassign"));
  }
  actions.push(el("button", { type: "button", class: "danger", onclick: () => del(task),
    "aria-label": `Delete “${task.title}”` }, "Delete"));
  return el("li", { class: "card", dataset: { id: task.id, version: String(task.version), status: task.status } },
    el("h4", {}, task.title),
    task.description ? el("p", {}, task.description) : null,
    el("p", {}, el("span", { class: "priority-" + task.priority }, task.priority), ` · #${task.id} · v${task.version}`),
    el("p", { class: "agent" }, task.agentWallet ? "Agent " + task.agentWallet : "Unassigned"),
    task.dueAt ? el("p", {}, "Due " + when(task.dueAt)) : null,
    el("div", { class: "actions" }, actions));
}

function render(task, live) {
  const existing = document.querySelector(`.card[data-id="${CSS.escape(String(task.id))}"]`);
  const node = card(task);
  if (live) node.classList.add("changed");
  const list = document.querySelector(`[data-cards="${task.status}"]`);
  const focused = existing?.contains(document.activeElement) ? document.activeElement.textContent : null;
  if (existing && existing.parentElement === list) {
    existing.replaceWith(node);
  } else {
    existing?.remove();
    // newest first, as the list endpoint orders them (ids increase with creation)
    const after = [...list.children].find((c) => BigInt(c.dataset.id) < BigInt(task.id));
    list.insertBefore(node, after ?? null);
  }
  if (focused) {
    [...node.querySelectorAll("button")].find((b) => b.textContent === focused)?.focus();
  }
  counts();
}

// ---- changes ----

function formBody(form) {
  const v = (name) => form.elements[name].value.trim();
  const due = form.elements.dueAt.value;
  return {
    title: v("title"),
    description: v("description") || null,
    priority: v("priority"),
    dueAt: due ? new Date(due).toISOString() : null,
    agentWallet: v("agentWallet") || null,
  };
}

function toLocalInput(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

async function createTask(event) {
  event.preventDefault();
  const form = event.target;
  clearFieldErrors(form);
  const body = formBody(form);
  for (const key of Object.keys(body)) {
    if (body[key] === null) delete body[key];
  }
  try {
    const { body: task } = await api("POST", "/api/tasks", { body });
    upsert(task, true);
    form.reset();
    notice(`Created task #${task.id}.`);
    form.elements.title.focus();
  } catch (e) {
    showFieldErrors(form, e);
  }
}

function openEdit(id) {
  const task = tasks.get(id);
  if (!task) return;
  editing = task;
  const form = $("#edit-form");
  clearFieldErrors(form);
  form.elements.title.value = task.title;
  form.elements.description.value = task.description ?? "";
  form.elements.priority.value = task.priority;
  form.elements.dueAt.value = toLocalInput(task.dueAt);
  form.elements.agentWallet.value = task.agentWallet ?? "";
  $("#edit-version").textContent = String(task.version);
  $("#edit").showModal();
  form.elements.title.focus();
}

async function saveEdit(event) {
  event.preventDefault();
  const form = event.target;
  clearFieldErrors(form);
  try {
    const { body: task } = await api("PUT", "/api/tasks/" + editing.id, { body: formBody(form), ifMatch: editing.version });
    upsert(task, true);
    $("#edit").close();
    notice(`Saved task #${task.id} (version ${task.version}).`);
  } catch (e) {
    if (e.status === 412) {
      await changedMeanwhile(form);
    } else {
      showFieldErrors(form, e);
    }
  }
}

/** A 412: someone else changed the task. Say so, show its current version, and let a second Save apply ours. */
async function changedMeanwhile(form) {
  let current;
  try {
    current = (await api("GET", "/api/tasks/" + editing.id)).body;
  } catch (e) {
    showFieldErrors(form, e);
    return;
  }
  editing = current;
  upsert(current, true);
  $("#edit-version").textContent = String(current.version);
  showFieldErrors(form, new ApiError(412, {
    detail: `This task changed meanwhile: it is now at version ${current.version} (title “${current.title}”, `
        + `${STATUS_LABELS[current.status]}, ${current.agentWallet ?? "unassigned"}). Save again to apply your values to it.`,
  }));
}

async function act(task, action) {
  try {
    upsert((await api("POST", `/api/tasks/${task.id}/${action}`)).body, true);
  } catch (e) {
    notice(`Could not ${action} task #${task.id}: ${e.message}`);
  }
}

async function unassign(task) {
  try {
    upsert((await api("PUT", "/api/tasks/" + task.id, { body: { agentWallet: null }, ifMatch: task.version })).body, true);
  } catch (e) {
    notice(`Could not unassign task #${task.id}: ${e.message}`);
  }
}

async function del(task) {
  if (!confirm(`Delete task #${task.id} “${task.title}”?`)) {
    return;
  }
  try {
    await api("DELETE", "/api/tasks/" + task.id);
    deleted.add(task.id);
    remove(task.id);
    notice(`Deleted task #${task.id}.`);
  } catch (e) {
    notice(`Could not delete task #${task.id}: ${e.message}`);
  }
}

start();
