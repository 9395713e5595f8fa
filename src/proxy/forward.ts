// Sends one request upstream and streams the answer back byte for byte: status, headers (minus
// hop-by-hop ones) and body chunks as they arrive, with backpressure. A copy of each chunk goes to
// the usage tap after the client has been written. A client that leaves aborts the upstream call; an
// upstream that fails mid-stream closes the client's connection (never a hang, never a silent cut).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Readable } from "node:stream";
import type { Dispatcher } from "undici";
import type { Provider } from "./routes.js";
import { createTap } from "./sse-tap.js";
import { sendError } from "./provider-error.js";
import { STATUS_HEADER, type ProxyStatus } from "./status.js";
import { callUpstream, clientResponseHeaders, displayUrl } from "./upstream.js";
import type { UsageReader } from "./wire-format.js";

export interface ForwardRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly provider: Provider;
  readonly url: string;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer | Readable | undefined;
  readonly status: ProxyStatus;
  readonly dispatcher: Dispatcher;
  /** Reads usage from a copy of the response; absent means no tap. */
  readonly reader: UsageReader | undefined;
  /** Called just before the request leaves for the upstream. */
  readonly onDispatch?: () => void;
}

export type ForwardEnd = "complete" | "client-closed" | "upstream-failed" | "unreachable";

export interface ForwardOutcome {
  readonly upstreamStatus: number | null;
  readonly end: ForwardEnd;
}

/**
 * Forwards a request and pipes the response back.
 * @example
 * const outcome = await forwardRequest({ req, res, provider: "openai", url, headers, body, status: "passthrough", dispatcher, reader: undefined });
 */
export async function forwardRequest(request: ForwardRequest): Promise<ForwardOutcome> {
  const { req, res } = request;
  const controller = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) controller.abort();
  };
  res.once("close", onClose);
  let upstream: Dispatcher.ResponseData;
  try {
    request.onDispatch?.();
    upstream = await callUpstream({
      url: request.url,
      method: req.method ?? "GET",
      headers: request.headers,
      body: request.body,
      signal: controller.signal,
      dispatcher: request.dispatcher,
    });
  } catch (error) {
    res.off("close", onClose);
    if (controller.signal.aborted) return { upstreamStatus: null, end: "client-closed" };
    sendError(res, request.provider, 502, unreachableMessage(request.url, request.provider, error));
    return { upstreamStatus: null, end: "unreachable" };
  }
  res.off("close", onClose);
  const headers = clientResponseHeaders(upstream.headers);
  headers[STATUS_HEADER] = request.status;
  if (res.destroyed) {
    upstream.body.destroy();
    return { upstreamStatus: upstream.statusCode, end: "client-closed" };
  }
  try {
    res.writeHead(upstream.statusCode, headers);
  } catch (error) {
    // A header node refuses to send (invalid characters): free the upstream connection, then report.
    upstream.body.destroy();
    throw error;
  }
  const tap = request.reader
    ? createTap(headerText(upstream.headers["content-type"]), headerText(upstream.headers["content-encoding"]), request.reader)
    : undefined;
  const end = await pipeBody(upstream.body, res, tap);
  if (tap) await tap.end().catch(() => undefined);
  return { upstreamStatus: upstream.statusCode, end };
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(", ") : value;
}

// Client first, tap second; pause the upstream while the client's buffer is full.
function pipeBody(body: Readable, res: ServerResponse, tap: { write(chunk: Uint8Array): void } | undefined): Promise<ForwardEnd> {
  return new Promise<ForwardEnd>((resolve) => {
    let settled = false;
    const settle = (end: ForwardEnd) => {
      if (settled) return;
      settled = true;
      body.off("data", onData);
      res.off("close", onClientClose);
      resolve(end);
    };
    const onData = (chunk: Buffer) => {
      if (!res.write(chunk)) {
        body.pause();
        res.once("drain", () => body.resume());
      }
      if (tap) {
        try {
          tap.write(chunk);
        } catch {
          tap = undefined;
        }
      }
    };
    const onClientClose = () => {
      if (settled) return;
      body.destroy();
      settle("client-closed");
    };
    body.on("data", onData);
    body.once("end", () => {
      res.end();
      settle("complete");
    });
    body.once("error", (error: Error) => {
      if (settled) return;
      // Closing without the final chunk tells the client the stream broke (no silent truncation).
      res.destroy(error);
      settle("upstream-failed");
    });
    res.once("close", onClientClose);
  });
}

/** The 502 message when the upstream cannot be reached (the URL shown without query or credentials). */
export function unreachableMessage(url: string, provider: Provider, error: unknown): string {
  const flag = provider === "anthropic" ? "--anthropic-upstream / HEADROOM_ANTHROPIC_UPSTREAM" : "--openai-upstream / HEADROOM_OPENAI_UPSTREAM";
  return `headroom could not reach the upstream ${displayUrl(url)}: ${describe(error)}. Check that it is up, or point headroom elsewhere with ${flag}.`;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause : undefined;
  const code = (error as { code?: unknown }).code ?? (cause as { code?: unknown } | undefined)?.code;
  const message = cause?.message ?? error.message;
  return typeof code === "string" && !message.includes(code) ? `${code} ${message}` : message;
}
