/**
 * A recording HTTP relay for end-to-end tests: a node:http server on 127.0.0.1:0 that forwards every
 * request to `target` (same method, path, query and headers; Host rewritten) and streams the answer
 * back chunk by chunk, recording both sides.
 *
 * Put it between an agent and headroom to see exactly what the agent sent (the original tool outputs)
 * and which response headers it got (x-headroom-status); put it between headroom and the scripted
 * upstream to inject faults that a well-behaved test upstream never produces:
 *   - `{ kind: "reset", afterBytes }`: send the response headers and the first `afterBytes` bytes of
 *     the body, then destroy the connection (a provider connection reset in the middle of a stream);
 *   - `{ kind: "slow", firstByteMs, chunkMs }`: wait before the response starts and between chunks.
 * `fault(exchange)` decides per request (e.g. by a header or by the request's number).
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export type Fault = { kind: "reset"; afterBytes: number } | { kind: "slow"; firstByteMs: number; chunkMs: number };

export interface Exchange {
  /** Order of arrival, from 0. */
  readonly seq: number;
  readonly method: string;
  readonly url: string;
  readonly requestHeaders: IncomingHttpHeaders;
  /** The request body exactly as the client sent it. */
  readonly requestBody: Buffer;
  /** The response status and headers as the relay's target answered (undefined if it never did). */
  status?: number;
  responseHeaders?: IncomingHttpHeaders;
  /** Bytes of response body relayed to the client. */
  responseBytes: number;
  /** What went wrong, if anything (target unreachable, fault injected). */
  error?: string;
  fault?: Fault;
}

export interface RelayOptions {
  /** Base URL to forward to (http://127.0.0.1:PORT, optionally with a path prefix). */
  readonly target: string;
  /** Decides a fault per request; undefined: relay faithfully. */
  readonly fault?: (exchange: Exchange) => Fault | undefined;
}

export interface Relay {
  readonly url: string;
  readonly exchanges: Exchange[];
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection", "te", "trailer"]);

function forwardable(headers: IncomingHttpHeaders, host?: string): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    out[name] = value;
  }
  if (host !== undefined) out.host = host;
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function startRelay(options: RelayOptions): Promise<Relay> {
  const target = new URL(options.target);
  const prefix = target.pathname.replace(/\/+$/, "");
  const exchanges: Exchange[] = [];
  const sockets = new Set<Socket>();
  let seq = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const exchange: Exchange = {
      seq: seq++,
      method: req.method ?? "GET",
      url: req.url ?? "/",
      requestHeaders: req.headers,
      requestBody: Buffer.concat(chunks),
      responseBytes: 0,
    };
    exchanges.push(exchange);
    const fault = options.fault?.(exchange);
    if (fault) exchange.fault = fault;
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: exchange.method,
        path: prefix + exchange.url,
        headers: forwardable(req.headers, target.host),
        agent: false,
      },
      (answer) => {
        void relayAnswer(answer, res, exchange, fault).catch((error: unknown) => {
          exchange.error ??= String(error);
          res.destroy();
        });
      },
    );
    upstream.on("error", (error) => {
      exchange.error ??= error.message;
      if (!res.headersSent) {
        res.writeHead(502, { "content-type": "text/plain" });
        res.end(`relay: ${error.message}`);
      } else res.destroy();
    });
    res.on("close", () => {
      if (!res.writableFinished) upstream.destroy();
    });
    upstream.end(exchange.requestBody);
  };

  const relayAnswer = async (answer: IncomingMessage, res: ServerResponse, exchange: Exchange, fault: Fault | undefined): Promise<void> => {
    exchange.status = answer.statusCode ?? 0;
    exchange.responseHeaders = answer.headers;
    if (fault?.kind === "slow") await sleep(fault.firstByteMs);
    res.writeHead(exchange.status, forwardable(answer.headers));
    res.flushHeaders();
    for await (const chunk of answer) {
      let bytes = chunk as Buffer;
      if (fault?.kind === "slow" && exchange.responseBytes > 0) await sleep(fault.chunkMs);
      const cut = fault?.kind === "reset" && exchange.responseBytes + bytes.length >= fault.afterBytes;
      if (cut) bytes = bytes.subarray(0, fault.afterBytes - exchange.responseBytes);
      exchange.responseBytes += bytes.length;
      if (bytes.length > 0 && !res.write(bytes)) await new Promise((resolve) => res.once("drain", resolve));
      if (cut) {
        exchange.error = "reset injected";
        // Let those bytes leave, then cut the connection in the middle of the body.
        await sleep(20);
        res.socket?.destroy();
        answer.destroy();
        return;
      }
    }
    res.end();
  };

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end(`relay: ${String(error)}`);
      } else res.destroy();
    });
  });
  server.on("connection", (socket) => {
    socket.on("error", () => undefined);
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  // Upgrades (WebSocket attempts) are refused like the scripted upstream does, so agents fall back.
  server.on("upgrade", (_req, socket: Socket) => {
    socket.on("error", () => undefined);
    socket.end("HTTP/1.1 426 Upgrade Required\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
