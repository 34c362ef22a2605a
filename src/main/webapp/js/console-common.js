// What the admin console (index.html) and the agent view (agent.html) share: the token of this tab, REST calls
// that turn problem+json answers into errors naming their fields, and small DOM helpers. No dependencies.

const TOKEN_KEY = "atlas.token";

/** The token is kept for this tab's session only (sessionStorage), never in a URL or a cookie. */
export const session = {
  token: () => sessionStorage.getItem(TOKEN_KEY),
  signIn: (token) => sessionStorage.setItem(TOKEN_KEY, token.trim()),
  signOut: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** The claims of a JWT, read for display only (the server verifies it). */
export function claims(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(part.padEnd(part.length + ((4 - (part.length % 4)) % 4), "=")));
  } catch {
    return {};
  }
}

/** A refused request: `status`, the problem's `title`/`detail`, and `fields` (field name → message). */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || "HTTP " + status);
    this.status = status;
    this.problem = problem;
    this.fields = Object.fromEntries((problem.errors ?? []).map((e) => [e.field, e.message]));
  }
}

/**
 * A REST call with this tab's token: resolves to `{body, etag}`, rejects with an ApiError (401 signs out, so
 * the page can ask for a token again).
 */
export async function api(method, path, { body, ifMatch } = {}) {
  const headers = { Accept: "application/json" };
  const token = session.token();
  if (token) {
    headers.Authorization = "Bearer " + token;
  }
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
  }
  if (ifMatch != null) {
    headers["If-Match"] = '"' + ifMatch + '"';
  }
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, { title: "Network error", detail: "The server cannot be reached: " + e.message });
  }
  const text = await res.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!res.ok) {
    throw new ApiError(res.status, parsed && typeof parsed === "object" ? parsed : { title: "HTTP " + res.status });
  }
  return { body: parsed, etag: res.headers.get("ETag") };
}

/** Creates an element: `el("li", {class: "card", dataset: {id}}, "text", child…)`. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value == null || value === false) {
      continue;
    }
    if (name === "dataset") {
      Object.assign(node.dataset, value);
    } else if (name.startsWith("on")) {
      node.addEventListener(name.slice(2), value);
    } else {
      node.setAttribute(name, value === true ? "" : String(value));
    }
  }
  for (const child of children.flat()) {
    if (child != null && child !== false) {
      node.append(child instanceof Node ? child : String(child));
    }
  }
  return node;
}

export const STATUS_LABELS = { pending: "Pending", in_progress: "In progress", completed: "Completed" };

/** `2026-11-25T18:00:00.000Z` as the viewer's local date and time. */
export function when(iso) {
  return iso ? new Date(iso).toLocaleString() : "";
}

/** Shows each field's message next to it (the input's `aria-describedby` names the message element). */
export function showFieldErrors(form, error) {
  clearFieldErrors(form);
  const fields = error instanceof ApiError ? error.fields : {};
  let first = null;
  for (const [field, message] of Object.entries(fields)) {
    const input = form.elements.namedItem(field);
    const slot = form.querySelector(`[data-error-for="${field}"]`);
    if (input && slot) {
      slot.textContent = message;
      input.setAttribute("aria-invalid", "true");
      first ??= input;
    }
  }
  const summary = form.querySelector("[data-form-error]");
  if (summary) {
    summary.textContent = first ? "" : error.message;
  }
  (first ?? summary)?.focus?.();
}

export function clearFieldErrors(form) {
  for (const slot of form.querySelectorAll("[data-error-for]")) {
    slot.textContent = "";
  }
  for (const input of form.querySelectorAll("[aria-invalid]")) {
    input.removeAttribute("aria-invalid");
  }
  const summary = form.querySelector("[data-form-error]");
  if (summary) {
    summary.textContent = "";
  }
}

/** The connection indicator's words for each client state. */
export const CONNECTION_LABELS = {
  idle: "Not connected",
  connecting: "Connecting…",
  open: "Live",
  reconnecting: "Reconnecting…",
  resyncing: "Resyncing…",
  closed: "Disconnected",
};

/** The /ws address of this page's server. */
export function wsUrl() {
  return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
}
