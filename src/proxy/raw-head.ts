// Request and response heads for the raw relay: parsed just enough to route, re-frame and stamp
// them, and written back byte for byte otherwise (latin1 keeps every byte as it came). Anything this
// strict reader does not accept goes to node:http instead, whose parser has the last word.
import { FramingError, type Framing } from "./raw-framing.js";
import { STATUS_HEADER } from "./status.js";

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Origin-form target: a path, optionally a query; no whitespace or control characters.
const ORIGIN_FORM = /^\/[^\x00-\x20\x7f]*$/;
// A CR not followed by LF, an LF not preceded by CR, or a NUL: smuggling material, never relayed.
const STRAY = /\r(?!\n)|(?<!\r)\n|\0/;
const DIGITS = /^\d{1,15}$/;

export interface RequestHead {
  readonly method: string;
  readonly target: string;
  /** Header lines in order, without CRLF. */
  readonly lines: readonly string[];
  readonly host: string | undefined;
  readonly framing: Framing;
  /** The client asked to close after this exchange (Connection: close). */
  readonly close: boolean;
  /** Present when node:http must answer (reason for the debug log). */
  readonly handOver: string | undefined;
  /** Header names (lowercase) that decide the provider. */
  readonly anthropicHint: boolean;
}

const handOver = (reason: string): RequestHead => ({ method: "", target: "", lines: [], host: undefined, framing: { kind: "none" }, close: false, handOver: reason, anthropicHint: false });

/**
 * Reads a request head (everything up to and including the blank line). Only plain HTTP/1.1
 * requests with an origin-form target and unambiguous framing stay on the raw path.
 * @example
 * parseRequestHead(Buffer.from("GET /v1/models HTTP/1.1\r\nHost: localhost\r\n\r\n")).handOver; // undefined
 */
export function parseRequestHead(head: Buffer): RequestHead {
  const text = head.toString("latin1", 0, head.length - 4);
  if (STRAY.test(text)) return handOver("stray CR, LF or NUL");
  const lines = text.split("\r\n");
  const start = lines[0]!;
  const sp1 = start.indexOf(" ");
  const sp2 = start.indexOf(" ", sp1 + 1);
  if (sp1 < 0 || sp2 < 0 || start.slice(sp2 + 1) !== "HTTP/1.1") return handOver("not an HTTP/1.1 request line");
  const method = start.slice(0, sp1);
  const target = start.slice(sp1 + 1, sp2);
  if (!TOKEN.test(method) || method === "CONNECT") return handOver("method");
  if (!ORIGIN_FORM.test(target)) return handOver("target not in origin form");
  let host: string | undefined;
  let length: string | undefined;
  let encoding: string | undefined;
  let connection = "";
  let anthropicHint = false;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(":");
    if (colon <= 0) return handOver("header line without a name");
    const name = line.slice(0, colon);
    if (!TOKEN.test(name)) return handOver("bad header name");
    const value = line.slice(colon + 1).trim();
    switch (name.toLowerCase()) {
      case "host":
        if (host !== undefined) return handOver("two Host headers");
        host = value;
        break;
      case "content-length":
        if (length !== undefined || !DIGITS.test(value)) return handOver("Content-Length");
        length = value;
        break;
      case "transfer-encoding":
        if (encoding !== undefined || value.toLowerCase() !== "chunked") return handOver("Transfer-Encoding");
        encoding = value;
        break;
      case "connection":
        connection += `,${value.toLowerCase()}`;
        break;
      case "upgrade":
        return handOver("Upgrade");
      case "x-api-key":
      case "anthropic-version":
        anthropicHint = true;
        break;
    }
  }
  if (host === undefined) return handOver("no Host header");
  if (length !== undefined && encoding !== undefined) return handOver("both Content-Length and Transfer-Encoding");
  const framing: Framing = encoding !== undefined ? { kind: "chunked" } : length !== undefined ? { kind: "length", length: Number(length) } : { kind: "none" };
  return { method, target, lines: lines.slice(1), host, framing, close: /(^|,)\s*close\s*(,|$)/.test(connection), handOver: undefined, anthropicHint };
}

// RFC 9110 7.6.1 and 11.7: headers for the hop to headroom only, never sent to the provider.
const DROPPED = new Set(["proxy-authorization", "proxy-connection", "keep-alive"]);

/**
 * The head sent upstream: request line with the upstream path, Host of the upstream, the client's
 * other header lines as they were (minus proxy credentials and the fields its Connection names).
 */
export function upstreamHead(request: RequestHead, path: string, upstreamHost: string): Buffer {
  // Named fields may come before the Connection line that names them.
  const named = request.lines.some((line) => line.slice(0, line.indexOf(":")).toLowerCase() === "connection") ? connectionNames(request.lines) : undefined;
  let out = `${request.method} ${path} HTTP/1.1\r\n`;
  for (const line of request.lines) {
    const colon = line.indexOf(":");
    const name = line.slice(0, colon).toLowerCase();
    if (name === "host") {
      out += `Host: ${upstreamHost}\r\n`;
      continue;
    }
    if (DROPPED.has(name)) continue;
    if (named !== undefined && named.has(name)) continue;
    out += `${line}\r\n`;
  }
  return Buffer.from(`${out}\r\n`, "latin1");
}

function connectionNames(lines: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (line.slice(0, colon).toLowerCase() !== "connection") continue;
    for (const token of line.slice(colon + 1).split(",")) {
      const name = token.trim().toLowerCase();
      if (name !== "" && name !== "close" && name !== "keep-alive" && name !== "connection") names.add(name);
    }
  }
  return names;
}

export interface ResponseHead {
  readonly status: number;
  readonly framing: Framing;
  /** The connection ends after this response (Connection: close, HTTP/1.0, or framing by close). */
  readonly close: boolean;
  /** The head to send the client: the upstream's, with `x-headroom-status: off` added. */
  readonly bytes: Buffer;
}

/**
 * Reads a response head and frames its body (RFC 9112 6.3). Throws FramingError on a head that
 * cannot be relayed safely (conflicting lengths, a switch of protocols).
 */
export function parseResponseHead(head: Buffer, requestMethod: string, stamp: string): ResponseHead {
  const text = head.toString("latin1", 0, head.length - 4);
  if (STRAY.test(text)) throw new FramingError("stray CR, LF or NUL in response head");
  const lineEnd = text.indexOf("\r\n");
  const start = lineEnd < 0 ? text : text.slice(0, lineEnd);
  const version = start.slice(0, 9);
  if ((version !== "HTTP/1.1 " && version !== "HTTP/1.0 ") || !/^\d{3}$/.test(start.slice(9, 12))) throw new FramingError("bad status line");
  const status = Number(start.slice(9, 12));
  if (status === 101) throw new FramingError("unexpected protocol switch");
  let close = version === "HTTP/1.0 ";
  let length: string | undefined;
  let encoding: string | undefined;
  let stale = false;
  const lines = lineEnd < 0 ? [] : text.slice(lineEnd + 2).split("\r\n");
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon <= 0) throw new FramingError("bad response header line");
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === "content-length") {
      if (!DIGITS.test(value) || (length !== undefined && length !== value)) throw new FramingError("bad Content-Length");
      length = value;
    } else if (name === "transfer-encoding") {
      encoding = encoding === undefined ? value : `${encoding}, ${value}`;
    } else if (name === "connection") {
      if (/(^|,)\s*close\s*(,|$)/i.test(value)) close = true;
    } else if (name === STATUS_HEADER) {
      stale = true;
    }
  }
  let framing: Framing;
  if (requestMethod === "HEAD" || status < 200 || status === 204 || status === 304) framing = { kind: "none" };
  else if (encoding !== undefined) {
    // Chunked must be the last coding; anything else runs until close. With a length too, TE wins.
    framing = /(^|,)\s*chunked\s*$/i.test(encoding) ? { kind: "chunked" } : { kind: "close" };
    if (length !== undefined || framing.kind === "close") close = true;
  } else if (length !== undefined) framing = { kind: "length", length: Number(length) };
  else {
    framing = { kind: "close" };
    close = true;
  }
  const stampLine = `${STATUS_HEADER}: ${stamp}\r\n`;
  let bytes: Buffer;
  if (!stale) {
    const split = lineEnd < 0 ? head.length - 2 : lineEnd + 2;
    bytes = Buffer.concat([head.subarray(0, split), Buffer.from(stampLine, "latin1"), head.subarray(split)]);
  } else {
    const kept = lines.filter((line) => line.slice(0, line.indexOf(":")).toLowerCase() !== STATUS_HEADER);
    bytes = Buffer.from(`${start}\r\n${stampLine}${kept.map((line) => `${line}\r\n`).join("")}\r\n`, "latin1");
  }
  return { status, framing, close, bytes };
}
