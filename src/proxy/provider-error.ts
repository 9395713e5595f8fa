// Errors headroom answers by itself are written in the provider's own error shape, so the agent
// shows the message instead of failing to parse it.
import type { ServerResponse } from "node:http";
import type { Provider } from "./routes.js";
import { ProxyStatus, STATUS_HEADER } from "./status.js";

const ANTHROPIC_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  403: "permission_error",
  404: "not_found_error",
  405: "invalid_request_error",
  413: "request_too_large",
  426: "invalid_request_error",
  502: "api_error",
};

/**
 * The JSON body of an error in the provider's shape.
 * @example
 * errorBody("anthropic", 413, "too big"); // {"type":"error","error":{"type":"request_too_large","message":"too big"}}
 */
export function errorBody(provider: Provider, status: number, message: string): string {
  if (provider === "anthropic") {
    return JSON.stringify({ type: "error", error: { type: ANTHROPIC_TYPES[status] ?? "api_error", message } });
  }
  const type = status >= 500 ? "server_error" : "invalid_request_error";
  return JSON.stringify({ error: { message, type, param: null, code: `headroom_${status}` } });
}

/** Answers with an error of headroom's own (x-headroom-status: rejected) and closes the exchange. */
export function sendError(
  res: ServerResponse,
  provider: Provider,
  status: number,
  message: string,
  extraHeaders: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = errorBody(provider, status, message);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    [STATUS_HEADER]: ProxyStatus.Rejected,
    ...extraHeaders,
  });
  res.end(body);
}
