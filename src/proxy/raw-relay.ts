// `off` mode's front door: a net.Server that relays HTTP/1.1 bytes between each client connection
// and one upstream connection (raw-connection.ts), below what node:http and undici cost per request.
// Whatever the relay does not take (/health, /stats, a foreign Host, CONNECT, Upgrade, a body over
// the limit, a head it cannot parse or over 64 KiB) goes to the proxy's node:http server with the
// bytes already read, so every rule it enforces still holds.
import type { Server as HttpServer } from "node:http";
import { createServer, type Server, type Socket } from "node:net";
import type { ConnectionOptions } from "node:tls";
import { unreachableMessage } from "./forward.js";
import { RawConnection, type RawRoute, type RelayContext } from "./raw-connection.js";
import type { RequestHead } from "./raw-head.js";
import { connectOrigin, rawOrigin, type RawOrigin } from "./raw-upstream.js";
import { upstreamTarget } from "./raw-upstream.js";
import { pathOf, routeOf, type Provider } from "./routes.js";
import type { Upstreams } from "./upstream.js";

export interface RawRelayOptions {
  /** Answers what the relay hands over; never listens itself. */
  readonly httpServer: HttpServer;
  readonly upstreams: Upstreams;
  readonly allowedHost: (hostHeader: string | undefined) => boolean;
  /** Requests declaring a larger Content-Length go to node:http (413). */
  readonly maxBodyBytes: number;
  /** Called once per request relayed. */
  readonly onRequest: () => void;
  /** Extra TLS options for https upstreams (tests pass a CA); Node's default CAs otherwise. */
  readonly tls?: ConnectionOptions;
  /** A client connection with nothing in flight is closed after this long without traffic (default 60 s). */
  readonly idleMs?: number;
  /** An upstream silent this long mid-exchange is dropped (default 15 minutes, as undici's timeouts). */
  readonly upstreamTimeoutMs?: number;
}

export interface RawRelay {
  readonly server: Server;
  /** Ends every connection the relay still holds (handed-over ones belong to the node:http server). */
  closeConnections(): void;
}

const PROXY_VARS = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"];

/** The relay speaks to upstreams directly: not when an HTTP(S) proxy must be used (undici's job). */
export function rawRelayApplies(env: NodeJS.ProcessEnv): boolean {
  return PROXY_VARS.every((name) => (env[name] ?? "") === "");
}

/**
 * The off-mode listener: relays what it can, hands the rest to `httpServer`.
 * @example
 * const relay = createRawRelay({ httpServer, upstreams, allowedHost: hostGuard("127.0.0.1"), maxBodyBytes, onRequest: () => count("off") });
 * relay.server.listen(8787, "127.0.0.1");
 */
export function createRawRelay(options: RawRelayOptions): RawRelay {
  const origins: Record<Provider, RawOrigin | undefined> = { anthropic: rawOrigin(options.upstreams.anthropic), openai: rawOrigin(options.upstreams.openai) };
  const sessions = new Map<string, Buffer>();
  const connections = new Set<RawConnection>();
  const context: RelayContext = {
    route: (request: RequestHead): RawRoute | undefined => {
      if (!options.allowedHost(request.host)) return undefined;
      if (request.method === "GET") {
        const path = pathOf(request.target);
        if (path === "/health" || path === "/stats") return undefined;
      }
      if (request.framing.kind === "length" && request.framing.length > options.maxBodyBytes) return undefined;
      const provider = routeOf(request.method, request.target)?.provider ?? (request.anthropicHint ? "anthropic" : "openai");
      const origin = origins[provider];
      return origin === undefined ? undefined : { origin, provider, target: upstreamTarget(origin, request.target) };
    },
    connect: (origin) => connectOrigin(origin, options.tls, sessions),
    handOver: (socket: Socket, bytes: Buffer) => {
      socket.unshift(bytes);
      options.httpServer.emit("connection", socket);
      socket.resume();
    },
    counted: options.onRequest,
    unreachable: (origin, target, provider, error) => unreachableMessage(`${origin.base.slice(0, origin.prefixLength)}${target}`, provider, error),
    released: (connection) => connections.delete(connection),
    idleMs: options.idleMs ?? 60_000,
    upstreamTimeoutMs: options.upstreamTimeoutMs ?? 15 * 60_000,
  };
  // The same socket options node:http's own server uses, so a handed-over socket behaves as its own.
  const server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    connections.add(new RawConnection(socket, context));
  });
  return {
    server,
    closeConnections: () => {
      for (const connection of [...connections]) connection.destroy();
    },
  };
}
