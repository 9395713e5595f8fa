// Where the raw relay connects: one origin per upstream base URL, reached over plain TCP or TLS
// (SNI, Node's default CAs, which include NODE_EXTRA_CA_CERTS). Only base URLs the relay can serve
// exactly as undici would (http/https, no credentials, no query) get an origin.
import { connect as netConnect, isIP, type Socket } from "node:net";
import { connect as tlsConnect, type ConnectionOptions } from "node:tls";
import { joinUpstream } from "./upstream.js";

export interface RawOrigin {
  /** protocol//host:port: connections are shared only within one key. */
  readonly key: string;
  readonly tls: boolean;
  /** Host name or address to connect to (IPv6 without brackets). */
  readonly hostname: string;
  readonly port: number;
  /** The Host header undici would send: host, with the port unless it is the default one. */
  readonly hostHeader: string;
  readonly base: string;
  /** The part of joinUpstream's result before the path. */
  readonly prefixLength: number;
}

/**
 * The origin of an upstream base URL, or undefined when the raw relay should leave it to undici.
 * @example
 * rawOrigin("https://api.openai.com/v1"); // { key: "https://api.openai.com:443", hostHeader: "api.openai.com", ... }
 */
export function rawOrigin(base: string): RawOrigin | undefined {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
  if (url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "") return undefined;
  const trimmed = base.replace(/\/+$/, "");
  const slash = trimmed.indexOf("/", trimmed.indexOf("//") + 2);
  const tls = url.protocol === "https:";
  const port = url.port === "" ? (tls ? 443 : 80) : Number(url.port);
  const hostname = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  return { key: `${url.protocol}//${hostname}:${port}`, tls, hostname, port, hostHeader: url.host, base, prefixLength: slash < 0 ? trimmed.length : slash };
}

/** The request target sent upstream: joinUpstream's URL without its origin. */
export function upstreamTarget(origin: RawOrigin, requestTarget: string): string {
  return joinUpstream(origin.base, requestTarget).slice(origin.prefixLength) || "/";
}

/** Opens a connection to an origin; extra TLS options (a test CA) apply to https origins only. */
export function connectOrigin(origin: RawOrigin, tlsOptions: ConnectionOptions = {}, sessions?: Map<string, Buffer>): Socket {
  if (!origin.tls) return netConnect({ host: origin.hostname, port: origin.port, noDelay: true });
  const session = sessions?.get(origin.key);
  const socket = tlsConnect({
    host: origin.hostname,
    port: origin.port,
    ...(isIP(origin.hostname) === 0 ? { servername: origin.hostname } : {}),
    ALPNProtocols: ["http/1.1"],
    ...(session ? { session } : {}),
    ...tlsOptions,
  });
  socket.setNoDelay(true);
  // Resuming the last TLS session saves a round trip on the next connection to the same origin.
  if (sessions) socket.on("session", (ticket: Buffer) => sessions.set(origin.key, ticket));
  return socket;
}
