// DNS-rebinding guard (DESIGN.md, invariant 6): a web page can make a browser send requests to
// 127.0.0.1 under its own host name; such requests carry that name in Host and are refused.
import { isIP } from "node:net";

/** Host name part of a Host header ("[::1]:8787" -> "::1", "localhost:8787" -> "localhost"). */
export function hostnameOf(hostHeader: string): string {
  const value = hostHeader.trim().toLowerCase();
  if (value.startsWith("[")) {
    const end = value.indexOf("]");
    return end < 0 ? value : value.slice(1, end);
  }
  const colon = value.indexOf(":");
  // More than one colon without brackets: a bare IPv6 address, no port.
  if (colon >= 0 && value.indexOf(":", colon + 1) >= 0) return value;
  return (colon >= 0 ? value.slice(0, colon) : value).replace(/\.$/, "");
}

/** True for names that always mean this machine: localhost, *.localhost, 127.0.0.0/8, ::1. */
export function isLoopbackName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/^\[|\]$/g, "");
  if (name === "localhost" || name.endsWith(".localhost")) return true;
  if (isIP(name) === 4) return name.startsWith("127.");
  if (name === "::1" || name === "0:0:0:0:0:0:0:1") return true;
  // IPv4-mapped IPv6 loopback (::ffff:127.0.0.1).
  return name.startsWith("::ffff:127.");
}

/**
 * A Host check for a proxy bound to `boundHost`: loopback names always pass, and so does the exact
 * address or name the proxy was bound to with --host. A request without Host (HTTP/1.0, never a
 * browser) passes.
 * @example
 * const allowed = hostGuard("127.0.0.1");
 * allowed("localhost:8787"); // true
 * allowed("evil.example:8787"); // false
 */
export function hostGuard(boundHost: string): (hostHeader: string | undefined) => boolean {
  const bound = hostnameOf(boundHost);
  return (hostHeader) => {
    if (hostHeader === undefined || hostHeader === "") return true;
    const name = hostnameOf(hostHeader);
    return isLoopbackName(name) || name === bound;
  };
}

/** True when the proxy listens only on this machine. */
export function isLoopbackBind(host: string): boolean {
  return isLoopbackName(hostnameOf(host.includes(":") && !host.startsWith("[") ? `[${host}]` : host));
}
