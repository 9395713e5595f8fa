// Which requests get the pipeline. Routes are matched on the end of the path so they work under any
// prefix (ANTHROPIC_BASE_URL=http://127.0.0.1:8787/anything) and with query strings (?beta=true).
import type { IncomingHttpHeaders } from "node:http";

export type Provider = "anthropic" | "openai";
export type RouteName = "messages" | "count_tokens" | "chat" | "responses" | "responses_input_tokens";

export interface Route {
  readonly name: RouteName;
  readonly provider: Provider;
}

const ROUTES: readonly (readonly [suffix: string, route: Route])[] = [
  ["/messages/count_tokens", { name: "count_tokens", provider: "anthropic" }],
  ["/messages", { name: "messages", provider: "anthropic" }],
  ["/chat/completions", { name: "chat", provider: "openai" }],
  ["/responses/input_tokens", { name: "responses_input_tokens", provider: "openai" }],
  ["/responses", { name: "responses", provider: "openai" }],
];

/** Token-counting routes: transformed exactly like the route they count for, but not billed or recorded. */
export function isCountRoute(route: Route): boolean {
  return route.name === "count_tokens" || route.name === "responses_input_tokens";
}

/** The path of a request URL without its query string, with a trailing slash removed. */
export function pathOf(url: string): string {
  const q = url.search(/[?#]/);
  const path = q < 0 ? url : url.slice(0, q);
  return path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
}

/**
 * The compressed route a request belongs to, or undefined when it passes through unchanged.
 * @example
 * routeOf("POST", "/v1/messages?beta=true"); // { name: "messages", provider: "anthropic" }
 * routeOf("GET", "/v1/models"); // undefined
 */
export function routeOf(method: string, url: string): Route | undefined {
  if (method !== "POST") return undefined;
  const path = pathOf(url);
  for (const [suffix, route] of ROUTES) if (path.endsWith(suffix)) return route;
  return undefined;
}

/** The provider a pass-through request is meant for: Anthropic when its headers say so, else OpenAI. */
export function providerOf(headers: IncomingHttpHeaders): Provider {
  return headers["x-api-key"] !== undefined || headers["anthropic-version"] !== undefined ? "anthropic" : "openai";
}
