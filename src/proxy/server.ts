// The proxy: a node:http server between agents and their providers. The four model routes get the
// pipeline (fail-open, see transform.ts); everything else passes through to the provider the
// request's headers point at. /health and /stats are answered here. Listens on 127.0.0.1 by default
// and refuses foreign Host headers (DNS rebinding).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Server as NetServer, Socket } from "node:net";
import { debuglog } from "node:util";
import type { Dispatcher } from "undici";
import { HeadroomError, isHeadroomError } from "../errors.js";
import type { LedgerEntry, ProxyMode } from "../ledger/types.js";
import type { Store } from "../ccr/store.js";
import { compressMessages } from "../pipeline/compress-messages.js";
import type { ProseModel } from "../resources/prose-model.js";
import type { ReadSettings } from "../pipeline/read-policy.js";
import { UnitPool } from "../pipeline/unit-pool.js";
import { loadCounter } from "../tokens/count.js";
import { preloadResources, warmUpPipeline } from "../pipeline/warm-up.js";
import { VERSION } from "../version.js";
import { anthropicMessages } from "./anthropic-messages.js";
import { BODY_TOO_LARGE, DEFAULT_BODY_LIMIT, decodeBody, readBody } from "./body.js";
import { CircuitBreaker, type BreakerOptions } from "./breaker.js";
import { forwardRequest, type ForwardOutcome } from "./forward.js";
import { hostGuard, isLoopbackBind } from "./host-guard.js";
import { LedgerHook, type AgentFn, type SessionKeyFn } from "./ledger-hook.js";
import { openaiChat } from "./openai-chat.js";
import { openaiResponses } from "./openai-responses.js";
import { createRawRelay, rawRelayApplies } from "./raw-relay.js";
import { sendError } from "./provider-error.js";
import { isCountRoute, pathOf, providerOf, routeOf, type Route, type RouteName } from "./routes.js";
import { ProxyStatus } from "./status.js";
import { DEFAULT_OFFLOAD_CHARS, DEFAULT_WORKER_BUDGET_MS, offloadingCompress } from "./offload.js";
import { transformBodyAsync, type AsyncCompressFn, type CompressFn, type Transformed } from "./transform.js";
import { DEFAULT_UPSTREAMS, createDispatcher, joinUpstream, upstreamFor, upstreamRequestHeaders, type Upstreams } from "./upstream.js";
import type { WireFormat } from "./wire-format.js";

const debug = debuglog("headroom");

export interface ProxyOptions {
  /** Default 8787; 0 picks a free port (what `wrap` uses). */
  readonly port?: number;
  /** Default 127.0.0.1. Anything else is loudly warned about. */
  readonly host?: string;
  /** Default "compress". */
  readonly mode?: ProxyMode;
  /** Upstream base URLs (Anthropic without /v1, OpenAI with /v1); defaults are the public APIs. */
  readonly upstreams?: Partial<Upstreams>;
  /** Store for originals and the memo, used by the default pipeline; null compresses losslessly only. */
  readonly store?: Store | null;
  /**
   * How file reads are treated by the default pipeline (default { fileReads: "large",
   * fileReadMinTokens: 2000 }; see src/pipeline/read-policy.ts).
   */
  readonly reads?: ReadSettings;
  /** The optional prose model (src/resources/prose-model.ts); without it prose is compressed extractively. */
  readonly proseModel?: ProseModel;
  /** Replaces the pipeline (tests inject a failing one). */
  readonly compress?: CompressFn;
  /** Receives one entry per model request after its response has ended. */
  readonly record?: (entry: LedgerEntry) => void;
  readonly sessionKey?: SessionKeyFn;
  readonly agentFrom?: AgentFn;
  /** Answers GET /stats (the ledger's summary); default: the proxy's in-memory counters. */
  readonly stats?: () => unknown;
  /** A pipeline run holding the event loop longer than this counts as a failure for the breaker. Default 250 ms. */
  readonly budgetMs?: number;
  /**
   * Worker threads compressing large tool outputs off the event loop (default 1; 0 compresses
   * everything inline). Started on first use, stopped by close().
   */
  readonly workers?: number;
  /** Tool outputs of at least this many characters are compressed in a worker (default 32 KiB). */
  readonly workerThresholdChars?: number;
  /**
   * How long one request may wait for the worker (default 2000 ms). An output not compressed in
   * time goes out unchanged and stays so on later turns (memoised unchanged); a failure for the breaker.
   */
  readonly workerBudgetMs?: number;
  /** The worker script (tests inject a faulty one); default src/pipeline/unit-worker. */
  readonly workerUrl?: URL;
  /** Circuit breaker settings (default 5 failures in 60 s open it for 5 minutes). */
  readonly breaker?: BreakerOptions;
  /** Largest request body accepted (default 64 MiB). */
  readonly maxBodyBytes?: number;
  /** The undici dispatcher for upstream calls; default honours HTTPS_PROXY / NO_PROXY from `env`. */
  readonly dispatcher?: Dispatcher;
  readonly env?: NodeJS.ProcessEnv;
  /** Monotonic clock in ms for the pipeline budget (tests inject one). */
  readonly clock?: () => number;
  /** Where warnings go (default: stderr). */
  readonly warn?: (line: string) => void;
  /** Load the tokenizer in the background at start (default true). */
  readonly preloadTokenizer?: boolean;
}

export interface RunningProxy {
  /** http://HOST:PORT (no trailing slash). */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  readonly mode: ProxyMode;
  readonly upstreams: Upstreams;
  readonly breaker: CircuitBreaker;
  /** Resolves when every request in flight has finished and its ledger entry has been handed to `record`. */
  settled(): Promise<void>;
  /** Stops listening, ends open connections and upstream calls. */
  close(): Promise<void>;
}

const WIRES: Record<RouteName, WireFormat> = {
  messages: anthropicMessages,
  count_tokens: anthropicMessages,
  chat: openaiChat,
  responses: openaiResponses,
  responses_input_tokens: openaiResponses,
};

const LEDGER_PATHS: Record<RouteName, string> = {
  messages: "/v1/messages",
  count_tokens: "/v1/messages/count_tokens",
  chat: "/v1/chat/completions",
  responses: "/v1/responses",
  responses_input_tokens: "/v1/responses/input_tokens",
};

/**
 * Starts the proxy and resolves once it listens.
 * @example
 * const proxy = await startProxy({ port: 0, store, record: (entry) => ledger.record(entry) });
 * // ANTHROPIC_BASE_URL=proxy.url, OpenAI base URL `${proxy.url}/v1`
 * await proxy.close();
 */
export async function startProxy(options: ProxyOptions = {}): Promise<RunningProxy> {
  const host = options.host ?? "127.0.0.1";
  const mode = options.mode ?? "compress";
  const upstreams: Upstreams = { ...DEFAULT_UPSTREAMS, ...stripUndefined(options.upstreams ?? {}) };
  const ownDispatcher = options.dispatcher ? undefined : createDispatcher(options.env ?? process.env);
  const dispatcher = options.dispatcher ?? ownDispatcher!;
  const breaker = new CircuitBreaker(options.breaker);
  const store = options.store ?? null;
  const clock = options.clock ?? (() => performance.now());
  const reads = options.reads ? { reads: options.reads } : {};
  const workers = options.compress || mode === "off" ? 0 : Math.max(0, Math.floor(options.workers ?? 1));
  const pool = workers > 0 ? new UnitPool({ size: workers, ...(options.workerUrl ? { workerUrl: options.workerUrl } : {}) }) : undefined;
  const compress: CompressFn | AsyncCompressFn =
    options.compress ??
    (pool
      ? offloadingCompress({ store, pool, thresholdChars: options.workerThresholdChars ?? DEFAULT_OFFLOAD_CHARS, budgetMs: options.workerBudgetMs ?? DEFAULT_WORKER_BUDGET_MS, clock, ...reads, ...(options.proseModel ? { proseModel: options.proseModel } : {}) })
      : (conversation, { memoOnly }) => compressMessages(conversation, { store, memoOnly, ...reads }));
  const budgetMs = options.budgetMs ?? 250;
  const maxBody = options.maxBodyBytes ?? DEFAULT_BODY_LIMIT;
  const warn = options.warn ?? ((line: string) => process.stderr.write(`${line}\n`));
  const allowedHost = hostGuard(host);
  // Tokens of large outputs are counted by a worker of its own, so counting never delays compression.
  const countPool = pool && options.record ? new UnitPool({ size: 1, ...(options.workerUrl ? { workerUrl: options.workerUrl } : {}) }) : undefined;
  const ledger = options.record
    ? new LedgerHook({
        record: options.record,
        ...(countPool ? { countOffThread: (text: string, model: string) => countPool.count(text, model, 60_000), offThreadChars: options.workerThresholdChars ?? DEFAULT_OFFLOAD_CHARS } : {}),
        ...(options.sessionKey ? { sessionKey: options.sessionKey } : {}),
        ...(options.agentFrom ? { agentFrom: options.agentFrom } : {}),
        onError: (error) => debug("ledger: %s", error instanceof Error ? error.message : String(error)),
      })
    : undefined;
  const pending = new Set<Promise<unknown>>();
  const counters = { requests: 0, byStatus: {} as Record<string, number> };
  const started = Date.now();
  const count = (status: string) => {
    counters.requests += 1;
    counters.byStatus[status] = (counters.byStatus[status] ?? 0) + 1;
  };
  // Off mode counts nothing and compresses nothing: load neither the tokenizer nor the compressors.
  if (mode !== "off" && options.preloadTokenizer !== false) {
    void loadCounter("gpt-4o").catch(() => undefined);
    // A cold process compresses its first outputs several times slower (JIT): warm the pipeline up
    // after listening, off any request's path, so a first big tool output does not blow the budget.
    setImmediate(warmUpPipeline);
    void preloadResources();
  }

  const health = () => ({
    version: 1,
    status: "ok",
    headroom: VERSION,
    mode,
    uptimeMs: Date.now() - started,
    breaker: breaker.state(),
    requests: counters.requests,
    // Compression worker threads: running, queued jobs, started, answered, timed out, crashed.
    ...(pool ? { workers: pool.stats() } : {}),
  });
  const stats = options.stats ?? (() => ({ version: 1, requests: counters.requests, byStatus: counters.byStatus }));

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const arrived = Date.now();
    const url = req.url ?? "/";
    const method = req.method ?? "GET";
    const path = pathOf(url);
    const route = routeOf(method, url);
    const provider = route?.provider ?? providerOf(req.headers);
    if (!allowedHost(req.headers.host)) {
      count(ProxyStatus.Rejected);
      return sendError(res, provider, 403, `Blocked request: the Host header "${req.headers.host}" is not this machine. headroom only answers requests addressed to localhost, 127.0.0.1, [::1] or the address given with --host.`, { connection: "close" });
    }
    if (method === "GET" && (path === "/health" || path === "/stats")) {
      const body = JSON.stringify(path === "/health" ? health() : await stats());
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body), "cache-control": "no-store" });
      res.end(body);
      return;
    }
    if (req.headers.upgrade !== undefined) {
      count(ProxyStatus.Rejected);
      return sendError(res, provider, 426, `headroom does not proxy ${req.headers.upgrade} upgrades; send this request over plain HTTP.`, { connection: "close" });
    }
    const upstreamUrl = joinUpstream(upstreamFor(upstreams, provider), url);
    if (!route || mode === "off") {
      const status = mode === "off" ? ProxyStatus.Off : ProxyStatus.Passthrough;
      count(status);
      await passThrough(req, res, provider, upstreamUrl, status);
      return;
    }
    await compressed(req, res, route, upstreamUrl, arrived, path);
  };

  const passThrough = async (req: IncomingMessage, res: ServerResponse, provider: Route["provider"], url: string, status: ProxyStatus) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > maxBody) return tooLarge(req, res, provider);
    const hasBody = declared > 0 || req.headers["transfer-encoding"] !== undefined;
    await forwardRequest({
      req,
      res,
      provider,
      url,
      headers: upstreamRequestHeaders(req.headers, { decoded: false, keepLength: true }),
      body: hasBody ? req : undefined,
      status,
      dispatcher,
      reader: undefined,
    });
  };

  const tooLarge = (req: IncomingMessage, res: ServerResponse, provider: Route["provider"]) => {
    count(ProxyStatus.Rejected);
    sendError(res, provider, 413, `Request body larger than headroom's limit of ${Math.round(maxBody / 1024 / 1024)} MiB.`, { connection: "close" });
    // Read the rest so the client sees the answer instead of a reset while it is still sending.
    req.resume();
  };

  const compressed = async (req: IncomingMessage, res: ServerResponse, route: Route, url: string, arrived: number, path: string) => {
    const wire = WIRES[route.name];
    let raw: Buffer;
    try {
      raw = await readBody(req, maxBody);
    } catch (error) {
      if (isHeadroomError(error, BODY_TOO_LARGE)) return tooLarge(req, res, route.provider);
      res.destroy();
      return;
    }
    const received = clock();
    const encoding = req.headers["content-encoding"];
    const decoded = await decodeBody(raw, encoding, maxBody);
    let outcome: Transformed;
    if (decoded === undefined) {
      outcome = { status: ProxyStatus.BypassUnparseable, body: raw, changed: false, parsed: undefined, units: undefined, pipelineMs: 0 };
    } else {
      outcome = await transformBodyAsync(decoded, wire, { mode: mode === "measure" ? "measure" : "compress", compress, breaker, budgetMs, clock });
      if (outcome.error !== undefined) debug("pipeline failed: %s", outcome.error instanceof Error ? outcome.error.stack : String(outcome.error));
    }
    count(outcome.status);
    const decodedSent = decoded !== undefined && encoding !== undefined;
    // Unchanged requests go out as the agent sent them, byte for byte (decoded bytes when they came encoded).
    const body = decoded === undefined ? raw : outcome.body;
    let addedMs = 0;
    const reader = ledger && !isCountRoute(route) ? wire.usageReader() : undefined;
    const result: ForwardOutcome = await forwardRequest({
      req,
      res,
      provider: route.provider,
      url,
      headers: upstreamRequestHeaders(req.headers, { decoded: decodedSent, keepLength: false }),
      body,
      status: outcome.status,
      dispatcher,
      reader,
      onDispatch: () => {
        addedMs = clock() - received;
      },
    });
    debug("%s %s -> %s %s (+%sms)", req.method, path, result.upstreamStatus ?? "-", outcome.status, addedMs.toFixed(2));
    if (!ledger || isCountRoute(route)) return;
    const finished = ledger.finish({
      time: arrived,
      headers: req.headers,
      // The API's own path, whatever prefix the client used: /anything/v1/messages is /v1/messages.
      path: LEDGER_PATHS[route.name],
      mode,
      status: outcome.status,
      wire,
      parsed: outcome.parsed,
      bytes: decoded,
      units: outcome.units,
      usage: reader?.usage() ?? null,
      addedMs,
      upstreamStatus: result.upstreamStatus,
    });
    pending.add(finished);
    void finished.finally(() => pending.delete(finished));
  };

  const server = createServer((req, res) => {
    const handled = handle(req, res).catch((error: unknown) => {
      debug("internal error: %s", error instanceof Error ? error.stack : String(error));
      if (!res.headersSent) sendError(res, providerOf(req.headers), 502, `headroom failed to handle this request: ${error instanceof Error ? error.message : String(error)}`);
      else res.destroy();
    });
    pending.add(handled);
    void handled.finally(() => pending.delete(handled));
  });
  // CONNECT (an agent taking headroom for an HTTPS proxy) is refused outright.
  server.on("connect", (_req: IncomingMessage, socket: Socket) => {
    count(ProxyStatus.Rejected);
    socket.end("HTTP/1.1 405 Method Not Allowed\r\nconnection: close\r\ncontent-length: 0\r\nx-headroom-status: rejected\r\n\r\n");
  });
  server.on("clientError", (_error, socket: Socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
    else socket.destroy();
  });

  // Off mode relays raw bytes below node:http's cost where it safely can (no HTTP proxy to go
  // through, no injected dispatcher); what the relay does not take still reaches `server`.
  const relay =
    mode === "off" && !options.dispatcher && rawRelayApplies(options.env ?? process.env)
      ? createRawRelay({ httpServer: server, upstreams, allowedHost, maxBodyBytes: maxBody, onRequest: () => count(ProxyStatus.Off) })
      : undefined;
  const listener: NetServer = relay?.server ?? server;

  let port: number;
  try {
    port = await listen(listener, options.port ?? 8787, host);
  } catch (error) {
    await ownDispatcher?.close().catch(() => undefined);
    await pool?.close();
    await countPool?.close();
    throw error;
  }
  if (!isLoopbackBind(host)) {
    warn(`WARNING: headroom is listening on ${host}, reachable from other machines. Anyone who can reach it can use the API keys your agents send through it. Use --host 127.0.0.1 unless you mean it.`);
  }
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    host,
    mode,
    upstreams,
    breaker,
    settled: async () => {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    close: async () => {
      await new Promise<void>((resolve) => {
        listener.close(() => resolve());
        relay?.closeConnections();
        server.closeAllConnections();
      });
      // Requests in flight finish their compression first (bounded by the worker budget), so no
      // output is memoised unchanged only because the proxy was stopping.
      await Promise.allSettled([...pending]);
      await pool?.close();
      await countPool?.close();
      await ownDispatcher?.close().catch(() => undefined);
    },
  };
}

function listen(server: NetServer, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const message =
        error.code === "EADDRINUSE"
          ? `Port ${port} on ${host} is already in use: pick another with --port, or stop what is using it.`
          : `Could not listen on ${host}:${port}: ${error.message}`;
      reject(new HeadroomError("HR_PROXY_LISTEN", message, { cause: error }));
    };
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
