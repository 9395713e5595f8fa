// Shared test helpers: a small stand-in upstream (real node:http on 127.0.0.1:0) that records the raw
// bytes it receives, a raw HTTP client (node:http, any Host header), the proxy started with cleanup,
// and the real agent request fixtures.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import { Store } from "../../src/ccr/store.js";
import type { LedgerEntry } from "../../src/ledger/types.js";
import { startProxy, type ProxyOptions, type RunningProxy } from "../../src/proxy/server.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
export const onCleanup = (cleanup: () => Promise<void> | void): void => void cleanups.push(cleanup);

export interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void | Promise<void>;

export interface StandIn {
  readonly url: string;
  readonly port: number;
  readonly received: Received[];
  close(): Promise<void>;
}

export const jsonAnswer: Handler = (_req, res) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.end('{"ok":true}');
};

/** A stand-in upstream; `handler` answers (default: 200 {"ok":true}); every request's raw body is recorded. */
export async function standIn(handler: Handler = jsonAnswer): Promise<StandIn> {
  const received: Received[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      received.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      void Promise.resolve(handler(req, res, body)).catch(() => res.destroy());
    });
  });
  server.on("connection", (socket) => {
    socket.on("error", () => undefined);
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  onCleanup(close);
  return { url: `http://127.0.0.1:${port}`, port, received, close };
}

export interface Recorded {
  readonly proxy: RunningProxy;
  readonly entries: LedgerEntry[];
}

/** Starts the proxy on port 0 with a ledger recorder; closed after the test. */
export async function proxyWith(options: ProxyOptions = {}): Promise<Recorded> {
  const entries: LedgerEntry[] = [];
  const proxy = await startProxy({ port: 0, preloadTokenizer: false, record: (entry) => entries.push(entry), ...options });
  onCleanup(() => proxy.close());
  return { proxy, entries };
}

/** A store in a fresh temp dir, closed and removed after the test. */
export function tempStore(path?: string): Store {
  const dir = path ? undefined : mkdtempSync(join(tmpdir(), "headroom-proxy-"));
  const store = Store.open({ path: path ?? join(dir!, "store.db") });
  onCleanup(() => {
    store.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return store;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface RawRequest {
  readonly method?: string;
  readonly headers?: Record<string, string | number>;
  readonly body?: Buffer | string;
}

/** One request with node:http (no agent reuse, any Host header); resolves with the whole answer. */
export function send(url: string, options: RawRequest = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? "GET", headers: options.headers ?? {}, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
      res.on("aborted", () => reject(new Error("response aborted")));
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

export const json = (value: unknown, headers: Record<string, string> = {}): RawRequest => {
  const body = JSON.stringify(value);
  return { method: "POST", headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers }, body };
};

export interface FixtureRequest {
  readonly file: string;
  readonly seq: number;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: Record<string, unknown>;
}

const FIXTURES = join(import.meta.dirname, "../fixtures/agent-requests");
// Headers replayed from fixtures: the ones that decide routing and identity (never host/length).
const REPLAYED = ["content-type", "anthropic-version", "anthropic-beta", "x-api-key", "authorization", "user-agent", "x-claude-code-session-id", "session-id"];

/** Every captured request that has a body, in file and sequence order. */
export function fixtureRequests(): FixtureRequest[] {
  const out: FixtureRequest[] = [];
  for (const file of readdirSync(FIXTURES).filter((name) => name.endsWith(".jsonl")).sort()) {
    for (const line of readFileSync(join(FIXTURES, file), "utf8").split("\n")) {
      if (line.trim() === "") continue;
      const record = JSON.parse(line) as { seq: number; url: string; headers: Record<string, string>; body?: Record<string, unknown> };
      if (!record.body) continue;
      const headers: Record<string, string> = {};
      for (const name of REPLAYED) if (record.headers[name] !== undefined) headers[name] = record.headers[name]!;
      out.push({ file, seq: record.seq, url: record.url, headers, body: record.body });
    }
  }
  return out;
}

/** Resolves when `check` is true (polling), or rejects after `ms`. */
export async function eventually(check: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
