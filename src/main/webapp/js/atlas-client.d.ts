// Type declarations of atlas-client.js (the Atlas event stream on /ws).

export type TaskEventName = "taskCreated" | "taskUpdated" | "taskCompleted" | "taskDeleted" | "taskAssigned";
export declare const TASK_EVENTS: readonly TaskEventName[];

export type TaskStatus = "pending" | "in_progress" | "completed";
export type Priority = "low" | "normal" | "high";

/** A task as `GET /api/tasks/{id}` returns it. */
export interface Task {
  id: number;
  title: string;
  description: string | null;
  status: TaskStatus;
  agentWallet: string | null;
  priority: Priority;
  dueAt: string | null;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  completedAt: string | null;
  version: number;
}

/** The wire envelope of every task event; `data` is `{id}` for `taskDeleted`. */
export interface Envelope {
  event: TaskEventName;
  timestamp: string;
  id: string;
  agentWallet?: string;
  data: Task | { id: number };
}

export type State = "idle" | "connecting" | "open" | "reconnecting" | "resyncing" | "closed";

export interface StateDetail {
  attempt?: number;
  delayMs?: number;
  code?: number;
  reason?: string;
  lastEventId?: string | null;
}

export interface Authenticated {
  event: "authenticated";
  timestamp: string;
  role: "admin" | "agent";
  wallet?: string;
  expiresAt?: string;
}

export interface Resync {
  /** The event id where the live stream continues from. */
  id: string;
  reason: string;
}

export interface Backoff {
  initialMs?: number;
  maxMs?: number;
  factor?: number;
}

export interface AtlasClientOptions {
  /** The /ws address; in a browser, default this page's host. */
  url?: string;
  /** A bearer token, or a function returning a fresh one (called at every connection and before expiry). */
  token: string | (() => string | Promise<string>);
  /** Where to resume from. */
  lastEventId?: string | null;
  backoff?: Backoff;
  /** Ping after this long without a message (ms); 0: off. Default 25000. */
  heartbeatMs?: number;
  /** Renew the token this long before it expires (ms). Default 60000. */
  renewMarginMs?: number;
  /** Give up an attempt that has not said hello by then (ms). Default 10000. */
  connectTimeoutMs?: number;
  /** The WebSocket class (Node.js 20: the `ws` package's). Default: the global one. */
  WebSocket?: new (url: string) => WebSocket;
}

export declare function backoffDelay(attempt: number, backoff?: Required<Backoff>, random?: () => number): number;
export declare function renewalDelay(expiresAt: number, now: number, margin?: number): number;

export declare class AtlasClient {
  constructor(options: AtlasClientOptions);
  readonly state: State;
  readonly lastEventId: string | null;
  on(name: TaskEventName | "event", handler: (envelope: Envelope) => void): () => void;
  on(name: "resync", handler: (resync: Resync) => void | Promise<unknown>): () => void;
  on(name: "state", handler: (state: State, detail: StateDetail) => void): () => void;
  on(name: "authenticated", handler: (message: Authenticated) => void): () => void;
  on(name: "error", handler: (error: Error) => void): () => void;
  connect(): this;
  close(): void;
}
