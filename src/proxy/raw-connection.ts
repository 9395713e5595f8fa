// One client connection on the raw relay (off mode): request heads are rewritten for the upstream
// and bodies copied through as they arrive; each response head gets `x-headroom-status: off` and
// its body is copied back. Framing is followed on both sides so heads are found and exchanges never
// interleave. A request node:http must answer (or one for another origin) waits until the responses
// in flight have ended, then the socket is handed over (or the upstream switched) at that boundary.
import type { Socket } from "node:net";
import { errorBody } from "./provider-error.js";
import { BodyFramer, FramingError, headEnd } from "./raw-framing.js";
import { parseRequestHead, parseResponseHead, upstreamHead, type RequestHead } from "./raw-head.js";
import type { RawOrigin } from "./raw-upstream.js";
import type { Provider } from "./routes.js";
import { ProxyStatus, STATUS_HEADER } from "./status.js";

/** Heads above this go to node:http (which answers 431); a response head above it is an error. */
export const MAX_HEAD_BYTES = 64 * 1024;

export interface RawRoute {
  readonly origin: RawOrigin;
  readonly provider: Provider;
  /** Request target for the upstream (joined with the base path). */
  readonly target: string;
}

export interface RelayContext {
  /** Where a parsed request goes, or undefined when node:http must take it (health, Host guard, ...). */
  route(request: RequestHead): RawRoute | undefined;
  connect(origin: RawOrigin): Socket;
  /** Gives the socket, with `bytes` not yet read by anyone, to node:http. */
  handOver(socket: Socket, bytes: Buffer): void;
  /** One request relayed (for /health and /stats). */
  counted(): void;
  /** The message of the 502 sent when the upstream cannot be reached. */
  unreachable(origin: RawOrigin, target: string, provider: Provider, error: unknown): string;
  /** The connection is done with the relay (closed or handed over). */
  released(connection: RawConnection): void;
  readonly idleMs: number;
  readonly upstreamTimeoutMs: number;
}

interface Exchange {
  readonly method: string;
  readonly target: string;
  readonly provider: Provider;
  readonly close: boolean;
}

export class RawConnection {
  private upstream: Socket | undefined;
  private origin: RawOrigin | undefined;
  private requestHead: Buffer | undefined;
  private requestBody: BodyFramer | undefined;
  private responseHead: Buffer | undefined;
  private responseBody: BodyFramer | undefined;
  private responseStarted = false;
  private responseClose = false;
  private readonly inFlight: Exchange[] = [];
  /** Bytes from a request head that must wait for the exchanges in flight to end. */
  private held: Buffer | undefined;
  private clientEnded = false;
  private done = false;
  private readonly listeners: [string, (...args: any[]) => void][];

  constructor(
    readonly client: Socket,
    private readonly ctx: RelayContext,
  ) {
    this.listeners = [
      ["data", (chunk: Buffer) => this.fromClient(chunk)],
      ["end", () => this.clientEnd()],
      ["error", () => this.close()],
      ["close", () => this.close()],
      ["timeout", () => this.idle()],
      ["drain", () => this.upstream?.resume()],
    ];
    for (const [event, listener] of this.listeners) client.on(event, listener);
    client.setTimeout(ctx.idleMs);
  }

  /** Ends both sides at once (stopping the proxy). */
  destroy(): void {
    this.client.destroy();
    this.close();
  }

  private fromClient(chunk: Buffer): void {
    const upstream = this.upstream;
    upstream?.cork();
    try {
      this.readClient(chunk);
    } finally {
      upstream?.uncork();
    }
  }

  private readClient(chunk: Buffer): void {
    let buf = chunk;
    let pos = 0;
    while (pos < buf.length && !this.done) {
      if (this.held !== undefined) {
        this.held = Buffer.concat([this.held ?? Buffer.alloc(0), buf.subarray(pos)]);
        return;
      }
      if (this.requestBody) {
        let taken: number;
        try {
          taken = this.requestBody.feed(buf, pos);
        } catch {
          // A malformed chunked body cannot be relayed or recovered from: drop both sides.
          this.destroy();
          return;
        }
        if (taken > 0) this.toUpstream(buf.subarray(pos, pos + taken));
        pos += taken;
        if (this.requestBody.done) this.requestBody = undefined;
        continue;
      }
      const before = this.requestHead?.length ?? 0;
      const head = before === 0 ? buf.subarray(pos) : Buffer.concat([this.requestHead!, buf.subarray(pos)]);
      pos = buf.length;
      const end = headEnd(head, before);
      if (end < 0) {
        // Too long, or lines ended by bare LF: node:http decides (431, 400, or it parses it).
        if (head.length > MAX_HEAD_BYTES || head.indexOf("\n\n", Math.max(0, before - 1)) >= 0) this.hold(head);
        else this.requestHead = head;
        return;
      }
      this.requestHead = undefined;
      if (!this.startRequest(head.subarray(0, end))) {
        this.hold(head);
        return;
      }
      buf = head.subarray(end);
      pos = 0;
    }
  }

  /** Forwards a request head; false when it must wait for a handover or another upstream. */
  private startRequest(headBytes: Buffer): boolean {
    const request = parseRequestHead(headBytes);
    if (request.handOver !== undefined) return false;
    const route = this.ctx.route(request);
    if (route === undefined) return false;
    if (this.origin !== undefined && route.origin.key !== this.origin.key) return false;
    if (this.upstream === undefined) this.openUpstream(route.origin);
    this.ctx.counted();
    this.inFlight.push({ method: request.method, target: route.target, provider: route.provider, close: request.close });
    this.toUpstream(upstreamHead(request, route.target, route.origin.hostHeader));
    const body = new BodyFramer(request.framing);
    if (!body.done) this.requestBody = body;
    return true;
  }

  // Keeps the bytes until the exchanges in flight end; then node:http or a new upstream takes them.
  private hold(bytes: Buffer): void {
    this.held = bytes;
    this.client.pause();
    if (this.inFlight.length === 0) this.release();
  }

  private release(): void {
    const bytes = this.held;
    if (bytes === undefined || this.done) return;
    this.held = undefined;
    this.dropUpstream();
    const end = headEnd(bytes);
    const request = end < 0 ? undefined : parseRequestHead(bytes.subarray(0, end));
    if (request !== undefined && request.handOver === undefined && this.ctx.route(request) !== undefined) {
      // Only the origin differed: go on with a connection to the new one.
      this.client.resume();
      this.fromClient(bytes);
      return;
    }
    this.done = true;
    this.detach();
    this.ctx.released(this);
    this.ctx.handOver(this.client, bytes);
  }

  private openUpstream(origin: RawOrigin): void {
    const upstream = this.ctx.connect(origin);
    this.upstream = upstream;
    this.origin = origin;
    upstream.on("data", (chunk: Buffer) => this.fromUpstream(upstream, chunk));
    upstream.on("end", () => this.upstreamEnd(upstream));
    upstream.on("error", (error) => this.upstreamFailed(upstream, error));
    upstream.on("close", () => this.upstreamFailed(upstream, new Error("upstream closed the connection")));
    upstream.setTimeout(this.ctx.upstreamTimeoutMs, () => upstream.destroy(new Error("upstream silent for too long")));
    // The client's writes wait while the upstream is slow to take them (and the reverse, above).
    upstream.on("drain", () => {
      if (this.held === undefined) this.client.resume();
    });
  }

  private toUpstream(bytes: Buffer): void {
    if (!this.upstream!.write(bytes)) this.client.pause();
  }

  private toClient(bytes: Buffer): void {
    if (!this.client.write(bytes)) this.upstream?.pause();
  }

  private fromUpstream(upstream: Socket, chunk: Buffer): void {
    if (upstream !== this.upstream || this.done) return;
    this.client.cork();
    try {
      this.readUpstream(upstream, chunk);
    } catch (error) {
      this.upstreamFailed(upstream, error);
    } finally {
      this.client.uncork();
    }
  }

  private readUpstream(upstream: Socket, chunk: Buffer): void {
    let buf = chunk;
    let pos = 0;
    while (pos < buf.length && upstream === this.upstream && !this.done) {
      if (this.responseBody) {
        const taken = this.responseBody.feed(buf, pos);
        if (taken > 0) this.toClient(buf.subarray(pos, pos + taken));
        pos += taken;
        if (this.responseBody.done) this.responseEnded();
        continue;
      }
      const exchange = this.inFlight[0];
      if (exchange === undefined) throw new FramingError("response without a request");
      const before = this.responseHead?.length ?? 0;
      const head = before === 0 ? buf.subarray(pos) : Buffer.concat([this.responseHead!, buf.subarray(pos)]);
      pos = buf.length;
      const end = headEnd(head, before);
      if (end < 0) {
        if (head.length > MAX_HEAD_BYTES) throw new FramingError("response head too large");
        this.responseHead = head;
        return;
      }
      this.responseHead = undefined;
      const response = parseResponseHead(head.subarray(0, end), exchange.method, ProxyStatus.Off);
      this.toClient(response.bytes);
      buf = head.subarray(end);
      pos = 0;
      if (response.status < 200) continue;
      this.responseStarted = true;
      this.responseClose = response.close;
      const body = new BodyFramer(response.framing);
      if (body.done) this.responseEnded();
      else this.responseBody = body;
    }
  }

  private responseEnded(): void {
    const exchange = this.inFlight.shift()!;
    this.responseBody = undefined;
    this.responseStarted = false;
    if (this.responseClose || exchange.close) this.finish();
    else if (this.inFlight.length > 0) return;
    else if (this.held !== undefined) this.release();
    else if (this.clientEnded) this.finish();
  }

  // The upstream sent FIN: the end of an until-close body, an idle close, or a cut exchange.
  private upstreamEnd(upstream: Socket): void {
    if (upstream !== this.upstream || this.done) return;
    if (this.responseBody?.untilClose === true) {
      this.responseBody = undefined;
      this.inFlight.shift();
      this.finish();
      return;
    }
    this.upstreamFailed(upstream, new Error("upstream closed the connection"));
  }

  private upstreamFailed(upstream: Socket, error: unknown): void {
    if (upstream !== this.upstream || this.done) return;
    const exchange = this.inFlight[0];
    if (exchange === undefined && this.requestBody === undefined) {
      // Idle: the next request opens a new connection.
      this.dropUpstream();
      if (this.held === undefined) this.client.resume();
      return;
    }
    if (exchange !== undefined && !this.responseStarted) {
      this.fail(exchange.provider, this.ctx.unreachable(this.origin!, exchange.target, exchange.provider, error));
      return;
    }
    // Mid-response: a reset tells the client the answer is incomplete (never a silent truncation).
    this.done = true;
    this.dropUpstream();
    this.client.resetAndDestroy();
    this.close();
  }

  // 502 in the provider's shape, then the connection ends (the rest of the request is read and dropped).
  private fail(provider: Provider, message: string): void {
    this.done = true;
    this.dropUpstream();
    const body = errorBody(provider, 502, message);
    const head = `HTTP/1.1 502 Bad Gateway\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${STATUS_HEADER}: ${ProxyStatus.Rejected}\r\nconnection: close\r\n\r\n`;
    this.client.resume();
    this.client.end(head + body);
    this.client.setTimeout(10_000);
  }

  private finish(): void {
    this.done = true;
    this.dropUpstream();
    this.client.end();
  }

  private clientEnd(): void {
    if (this.done) return;
    this.clientEnded = true;
    // A request cut short is abandoned; otherwise the answers in flight are delivered first.
    if (this.requestBody !== undefined || (this.requestHead?.length ?? 0) > 0) this.destroy();
    else if (this.inFlight.length === 0) {
      if (this.held !== undefined) this.release();
      else this.finish();
    }
  }

  private idle(): void {
    if (this.done || this.inFlight.length === 0) this.destroy();
  }

  private dropUpstream(): void {
    const upstream = this.upstream;
    this.upstream = undefined;
    this.origin = undefined;
    this.responseHead = undefined;
    this.responseBody = undefined;
    upstream?.destroy();
  }

  private detach(): void {
    for (const [event, listener] of this.listeners) this.client.off(event, listener);
    this.client.setTimeout(0);
  }

  private close(): void {
    this.done = true;
    this.dropUpstream();
    if (!this.client.destroyed) this.client.destroy();
    this.ctx.released(this);
  }
}
