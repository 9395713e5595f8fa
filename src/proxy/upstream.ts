// The upstream side: where a request goes (base URL + request path, /v1 once), which headers travel,
// and the undici client that sends it. Auth headers are forwarded untouched and never logged.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";
import type { Readable } from "node:stream";
import { Agent, EnvHttpProxyAgent, request, type Dispatcher } from "undici";
import type { Provider } from "./routes.js";

export interface Upstreams {
  /** Written the Anthropic way, without /v1: https://api.anthropic.com */
  readonly anthropic: string;
  /** Written the OpenAI way, with /v1: https://api.openai.com/v1 */
  readonly openai: string;
}

export const DEFAULT_UPSTREAMS: Upstreams = {
  anthropic: "https://api.anthropic.com",
  openai: "https://api.openai.com/v1",
};

/**
 * The upstream URL for a request: any client-side prefix before the first /v1 segment is dropped,
 * and /v1 appears once whether or not the base ends with it. Query strings are kept.
 * @example
 * joinUpstream("https://api.anthropic.com", "/v1/messages?beta=true"); // https://api.anthropic.com/v1/messages?beta=true
 * joinUpstream("https://api.openai.com/v1", "/v1/chat/completions");   // https://api.openai.com/v1/chat/completions
 * joinUpstream("https://api.openai.com/v1", "/chat/completions");      // https://api.openai.com/v1/chat/completions
 */
export function joinUpstream(base: string, requestUrl: string): string {
  const q = requestUrl.search(/[?#]/);
  let path = q < 0 ? requestUrl : requestUrl.slice(0, q);
  const query = q < 0 ? "" : requestUrl.slice(q).replace(/#.*$/, "");
  if (!path.startsWith("/")) path = `/${path}`;
  const v1 = /\/v1(?=\/|$)/.exec(path);
  if (v1) path = path.slice(v1.index);
  const trimmed = base.replace(/\/+$/, "");
  if (/\/v1$/.test(trimmed) && /^\/v1(?=\/|$)/.test(path)) path = path.slice(3);
  return `${trimmed}${path}${query}`;
}

/** A URL safe to show: no user, password or query string. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}

/** Checks an upstream base URL given by the user; returns it without trailing slashes. */
export function normalizeUpstream(value: string, flag: string): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new TypeError(`${flag} must be an http(s) URL, got "${value}".`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new TypeError(`${flag} must be an http(s) URL, got "${value}".`);
  }
  return value.replace(/\/+$/, "");
}

export function upstreamFor(upstreams: Upstreams, provider: Provider): string {
  return provider === "anthropic" ? upstreams.anthropic : upstreams.openai;
}

export interface DispatcherOptions {
  /** Max wait for response headers; LLM calls can think for minutes. Default 15 minutes. */
  readonly headersTimeoutMs?: number;
  /** Max silence between body chunks. Default 15 minutes. */
  readonly bodyTimeoutMs?: number;
}

const PROXY_VARS = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"];

/**
 * The undici dispatcher for upstream calls: honours HTTPS_PROXY / HTTP_PROXY / NO_PROXY when set.
 * TLS uses Node's default trust store, which includes NODE_EXTRA_CA_CERTS.
 */
export function createDispatcher(env: NodeJS.ProcessEnv = process.env, options: DispatcherOptions = {}): Dispatcher {
  const timeouts = {
    headersTimeout: options.headersTimeoutMs ?? 15 * 60_000,
    bodyTimeout: options.bodyTimeoutMs ?? 15 * 60_000,
    keepAliveTimeout: 30_000,
  };
  const useProxy = PROXY_VARS.some((name) => (env[name] ?? "") !== "");
  if (!useProxy) return new Agent(timeouts);
  const httpProxy = env.HTTP_PROXY ?? env.http_proxy;
  const httpsProxy = env.HTTPS_PROXY ?? env.https_proxy;
  const noProxy = env.NO_PROXY ?? env.no_proxy;
  return new EnvHttpProxyAgent({
    ...timeouts,
    ...(httpProxy ? { httpProxy } : {}),
    ...(httpsProxy ? { httpsProxy } : {}),
    ...(noProxy !== undefined ? { noProxy } : {}),
  });
}

// RFC 9110 7.6.1: connection-specific fields end at the first hop, as do the ones Connection names.
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

function connectionTokens(value: string | string[] | undefined): Set<string> {
  const text = Array.isArray(value) ? value.join(",") : (value ?? "");
  return new Set(text.split(",").map((token) => token.trim().toLowerCase()).filter(Boolean));
}

/**
 * Headers sent upstream: the client's, minus hop-by-hop ones, Host (undici sets the upstream's),
 * Expect, and Content-Length (recomputed from the body sent). `decoded` drops Content-Encoding
 * because the body now goes out decoded.
 */
export function upstreamRequestHeaders(
  headers: IncomingHttpHeaders,
  options: { decoded: boolean; keepLength: boolean },
): Record<string, string | string[]> {
  const named = connectionTokens(headers.connection);
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || named.has(name)) continue;
    if (name === "host" || name === "expect") continue;
    if (name === "content-length" && !options.keepLength) continue;
    if (name === "content-encoding" && options.decoded) continue;
    out[name] = value;
  }
  return out;
}

/** Headers sent back to the client: the upstream's, minus hop-by-hop ones. Content-Length stays (bytes are unchanged). */
export function clientResponseHeaders(headers: Record<string, string | string[] | undefined>): OutgoingHttpHeaders {
  const named = connectionTokens(headers.connection);
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || named.has(name)) continue;
    out[name] = value;
  }
  return out;
}

export interface UpstreamCall {
  readonly url: string;
  readonly method: string;
  readonly headers: Record<string, string | string[]>;
  /** A buffer (known length) or the client's request stream (pass-through). */
  readonly body: Buffer | Readable | undefined;
  readonly signal: AbortSignal;
  readonly dispatcher: Dispatcher;
}

/** Sends one request upstream. Response bodies are not decompressed (undici's request never does). */
export function callUpstream(call: UpstreamCall): Promise<Dispatcher.ResponseData> {
  return request(call.url, {
    method: call.method as Dispatcher.HttpMethod,
    headers: call.headers,
    body: call.body ?? null,
    signal: call.signal,
    dispatcher: call.dispatcher,
  });
}
