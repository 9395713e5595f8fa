/**
 * A scripted stand-in for an LLM provider, for end-to-end tests with the real agents.
 *
 * A real node:http server on 127.0.0.1:0 that speaks the three wire formats the agents use:
 *   - Anthropic Messages      POST .../v1/messages            (SSE or JSON)
 *                             POST .../v1/messages/count_tokens -> {"input_tokens": N}
 *   - OpenAI Chat Completions POST .../chat/completions        (SSE or JSON)
 *   - OpenAI Responses        POST .../responses               (SSE or JSON)
 * Any path prefix is accepted (the route is decided by the end of the path), so the same server works
 * as `http://127.0.0.1:PORT` (Anthropic style) and `http://127.0.0.1:PORT/v1` (OpenAI style).
 *
 * The script is a list of turns: "call the shell tool with command X" or "answer with text T". The
 * turn a request gets is derived from the conversation it carries (the number of assistant turns
 * already in its history), not from a counter, so retries, side requests (titles, quota checks) and
 * several agents sharing one server do not shift the script. A request that offers no shell tool
 * (a side request) is answered with plain text and never gets a tool call.
 *
 * Prompt-cache simulation: every model request is serialized (system + tools + messages, or
 * instructions + tools + input, JSON in that order); the longest prefix shared with any earlier
 * model request counts as cache read, the rest as uncached input, at ceil(chars / 4) tokens.
 *
 * Outbound-traffic trap: point an agent's HTTPS_PROXY/HTTP_PROXY at `.url` (the runners'
 * `outboundProxy` option) and every connection it tries to make anywhere else arrives here as a
 * CONNECT (or an absolute-URL request), is recorded with kind "connect" and refused with 403.
 * `.outbound()` lists them.
 *
 * Everything is recorded in `.requests` (method, url, headers, raw body, parsed JSON, what was
 * answered) for assertions.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { brotliDecompressSync, gunzipSync, inflateSync } from "node:zlib";

// ---------------------------------------------------------------------------------------------
// Script

export type Turn =
  /** Call the agent's shell tool with this command. */
  | { kind: "shell"; command: string; description?: string }
  /** Answer with this text and end the turn. */
  | { kind: "text"; text: string }
  /** Call any tool the agent offers (Read, Edit, view, apply_patch...) with these arguments. */
  | { kind: "tool"; name: string; input: Record<string, unknown> };

export interface TurnContext {
  /** 0-based index of the assistant turn being produced (assistant turns already in history). */
  index: number;
  wire: Wire;
  /** The parsed request body. */
  body: Record<string, unknown>;
  /** The shell tool the request offers, if any. */
  shellTool: ShellTool | undefined;
}

export type Script = Turn[] | ((ctx: TurnContext) => Turn);

export const shell = (command: string, description?: string): Turn =>
  description === undefined ? { kind: "shell", command } : { kind: "shell", command, description };
export const say = (text: string): Turn => ({ kind: "text", text });
export const tool = (name: string, input: Record<string, unknown>): Turn => ({ kind: "tool", name, input });

export interface UpstreamOptions {
  /** Text for requests past the end of the script and for side requests. Default "Done.". */
  fallbackText?: string;
  /** Model id listed by GET /v1/models. Default "e2e-model". */
  modelId?: string;
}

// ---------------------------------------------------------------------------------------------
// Records

export type Wire = "anthropic" | "chat" | "responses";
export type RequestKind = Wire | "count_tokens" | "models" | "head" | "websocket" | "connect" | "other";

export interface SimulatedUsage {
  /** Tokens of the whole serialized prompt (ceil(chars / 4)). */
  promptTokens: number;
  /** Of those, the longest prefix seen before: reported as cache read. */
  cachedTokens: number;
  /** promptTokens - cachedTokens: reported as uncached input. */
  uncachedTokens: number;
  outputTokens: number;
}

export interface RecordedRequest {
  /** Order of arrival, from 0. */
  seq: number;
  method: string;
  /** As sent, with the query string. */
  url: string;
  /** Path without the query string. */
  path: string;
  headers: IncomingHttpHeaders;
  /** Raw body bytes as received (still encoded if content-encoding was set). */
  rawBody: Buffer;
  /** Body decoded from content-encoding, as text. */
  bodyText: string;
  /** Parsed JSON body, when the body was JSON. */
  json: unknown;
  kind: RequestKind;
  /** Model requests: whether the answer was streamed. */
  stream?: boolean;
  /** Model requests: the turn index and what was answered. */
  turnIndex?: number;
  turn?: Turn;
  /** Model requests: the name of the shell tool found in the request (if any). */
  shellToolName?: string;
  usage?: SimulatedUsage;
  status: number;
}

export interface ScriptedUpstream {
  /** http://127.0.0.1:PORT (no trailing slash, no /v1). */
  readonly url: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** Only the model requests (anthropic, chat, responses), in order. */
  modelRequests(): RecordedRequest[];
  /** Connections the agent tried to make elsewhere through the proxy trap (CONNECT host:port or absolute URLs). */
  outbound(): RecordedRequest[];
  close(): Promise<void>;
}

/**
 * Whether a JSON request body carries this text inside a string value, or inside a JSON string
 * nested in a string (Codex code mode wraps tool output in JSON inside input_text).
 */
export function carries(bodyText: string, text: string): boolean {
  const once = JSON.stringify(text).slice(1, -1);
  const twice = JSON.stringify(once).slice(1, -1);
  return bodyText.includes(once) || bodyText.includes(twice);
}

// ---------------------------------------------------------------------------------------------
// Shell tool discovery

export interface ShellTool {
  name: string;
  /** How the call is encoded on the wire. */
  style:
    | "anthropic" // tool_use with {command, description}
    | "function-command" // function call with {command, description} (Copilot "bash")
    | "function-cmd" // function call with {cmd} (Codex "exec_command")
    | "function-argv" // function call with {command: ["bash", "-lc", X]} (Codex "shell")
    | "custom-exec"; // Codex code mode: custom tool "exec" taking JavaScript
  /** Namespace the tool was offered in (Responses namespaces), if any. */
  namespace?: string;
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

function findShellTool(wire: Wire, body: Json): ShellTool | undefined {
  if (wire === "anthropic") {
    for (const t of arr(body.tools)) {
      const name = isObj(t) ? str(t.name) : undefined;
      if (name === "Bash" || name === "bash") return { name, style: "anthropic" };
    }
    return undefined;
  }
  if (wire === "chat") {
    const names = new Set<string>();
    for (const t of arr(body.tools)) {
      if (isObj(t) && isObj(t.function)) {
        const n = str(t.function.name);
        if (n) names.add(n);
      }
    }
    return pickFunctionTool(names);
  }
  // Responses: top-level tools, namespaces, and tools inside `additional_tools` input items.
  const functions = new Map<string, string | undefined>(); // name -> namespace
  let customExec: ShellTool | undefined;
  const visit = (tools: unknown[], namespace: string | undefined): void => {
    for (const t of tools) {
      if (!isObj(t)) continue;
      const type = str(t.type);
      const name = str(t.name);
      if (type === "function" && name && !functions.has(name)) functions.set(name, namespace);
      else if (type === "custom" && name === "exec" && !customExec)
        customExec = namespace === undefined ? { name, style: "custom-exec" } : { name, style: "custom-exec", namespace };
      else if (type === "namespace") visit(arr(t.tools), name);
    }
  };
  visit(arr(body.tools), undefined);
  for (const item of arr(body.input)) {
    if (isObj(item) && item.type === "additional_tools") visit(arr(item.tools), undefined);
  }
  const fn = pickFunctionTool(new Set(functions.keys()));
  if (fn) {
    const ns = functions.get(fn.name);
    return ns === undefined ? fn : { ...fn, namespace: ns };
  }
  return customExec;
}

function pickFunctionTool(names: Set<string>): ShellTool | undefined {
  if (names.has("exec_command")) return { name: "exec_command", style: "function-cmd" };
  if (names.has("shell")) return { name: "shell", style: "function-argv" };
  if (names.has("bash")) return { name: "bash", style: "function-command" };
  if (names.has("Bash")) return { name: "Bash", style: "function-command" };
  return undefined;
}

function shellArguments(tool: ShellTool, turn: Extract<Turn, { kind: "shell" }>): string {
  const description = turn.description ?? "Run a command for the e2e test";
  switch (tool.style) {
    case "function-cmd":
      return JSON.stringify({ cmd: turn.command });
    case "function-argv":
      return JSON.stringify({ command: ["bash", "-lc", turn.command] });
    case "custom-exec":
      return `const r = await tools.exec_command({ cmd: ${JSON.stringify(turn.command)} });\ntext(r);`;
    default:
      return JSON.stringify({ command: turn.command, description });
  }
}

// ---------------------------------------------------------------------------------------------
// Turn index: assistant turns already in the history

function assistantTurns(wire: Wire, body: Json): number {
  if (wire === "anthropic" || wire === "chat") {
    return arr(body.messages).filter((m) => isObj(m) && m.role === "assistant").length;
  }
  // Responses: each assistant turn we produce is one output item: a message or a tool call.
  // Reasoning items do not count (a real model may send them alongside).
  let n = 0;
  const input = body.input;
  if (typeof input === "string") return 0;
  for (const item of arr(input)) {
    if (!isObj(item)) continue;
    const type = str(item.type);
    if (type === "function_call" || type === "custom_tool_call" || type === "local_shell_call") n++;
    else if ((type === "message" || type === undefined) && item.role === "assistant") n++;
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Cache simulation

const tokensOf = (chars: number): number => Math.ceil(chars / 4);

function cacheKey(wire: Wire | "count_tokens", body: Json): string {
  if (wire === "responses") return JSON.stringify([body.instructions ?? null, body.tools ?? null, body.input ?? null]);
  if (wire === "chat") return JSON.stringify([null, body.tools ?? null, body.messages ?? null]);
  return JSON.stringify([body.system ?? null, body.tools ?? null, body.messages ?? null]);
}

function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

class PromptCache {
  private seen: string[] = [];
  usage(key: string, outputChars: number): SimulatedUsage {
    let best = 0;
    for (const s of this.seen) best = Math.max(best, commonPrefix(s, key));
    this.seen.push(key);
    const promptTokens = tokensOf(key.length);
    const cachedTokens = Math.min(promptTokens, Math.floor(best / 4));
    return {
      promptTokens,
      cachedTokens,
      uncachedTokens: promptTokens - cachedTokens,
      outputTokens: Math.max(1, tokensOf(outputChars)),
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Server

let idCounter = 0;
const newId = (prefix: string): string => `${prefix}${(++idCounter).toString(16).padStart(6, "0")}e2e${Date.now().toString(16)}`;

function decodeBody(raw: Buffer, encoding: string | undefined): Buffer {
  const enc = (encoding ?? "").trim().toLowerCase();
  try {
    if (enc === "gzip" || enc === "x-gzip") return gunzipSync(raw);
    if (enc === "br") return brotliDecompressSync(raw);
    if (enc === "deflate") return inflateSync(raw);
  } catch {
    return raw;
  }
  return raw;
}

function routeOf(method: string, path: string): RequestKind {
  if (/^[a-z]+:\/\//i.test(path)) return "connect"; // absolute URL: a plain-HTTP proxy request
  if (method === "HEAD") return "head";
  if (method === "GET" && /\/models(\/[^/]+)?$/.test(path)) return "models";
  if (method !== "POST") return "other";
  if (path.endsWith("/messages/count_tokens")) return "count_tokens";
  if (path.endsWith("/messages")) return "anthropic";
  if (path.endsWith("/chat/completions")) return "chat";
  if (path.endsWith("/responses")) return "responses";
  return "other";
}

export async function start(script: Script, options: UpstreamOptions = {}): Promise<ScriptedUpstream> {
  const fallbackText = options.fallbackText ?? "Done.";
  const modelId = options.modelId ?? "e2e-model";
  const requests: RecordedRequest[] = [];
  const cache = new PromptCache();
  const sockets = new Set<Duplex>();
  let seq = 0;

  const pickTurn = (ctx: TurnContext): Turn => {
    let turn: Turn | undefined;
    if (typeof script === "function") turn = script(ctx);
    else turn = script[ctx.index];
    if (!turn) return say(fallbackText);
    // A request that offers no shell tool (a side request) cannot get a tool call.
    if ((turn.kind === "shell" || turn.kind === "tool") && !ctx.shellTool) return say(fallbackText);
    return turn;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const rawBody = Buffer.concat(chunks);
    const decoded = decodeBody(rawBody, req.headers["content-encoding"]);
    const bodyText = decoded.toString("utf8");
    let json: unknown;
    if (bodyText.length > 0) {
      try {
        json = JSON.parse(bodyText);
      } catch {
        json = undefined;
      }
    }
    const url = req.url ?? "/";
    const path = url.split("?")[0] ?? "/";
    const method = req.method ?? "GET";
    const kind = routeOf(method, path);
    const rec: RecordedRequest = {
      seq: seq++,
      method,
      url,
      path,
      headers: req.headers,
      rawBody,
      bodyText,
      json,
      kind,
      status: 200,
    };
    requests.push(rec);

    const send = (status: number, body: unknown): void => {
      rec.status = status;
      const text = body === undefined ? "" : JSON.stringify(body);
      res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
      res.end(method === "HEAD" ? undefined : text);
    };

    if (kind === "head") {
      rec.status = 200;
      res.writeHead(200, { "content-type": "application/json" });
      res.end();
      return;
    }
    if (kind === "models") {
      const model = { id: modelId, object: "model", created: 0, owned_by: "headroom-e2e", type: "model", display_name: modelId, created_at: "2025-01-01T00:00:00Z" };
      const single = /\/models\/([^/]+)$/.exec(path);
      if (single && single[1] !== undefined) send(200, { ...model, id: decodeURIComponent(single[1]) });
      else send(200, { object: "list", data: [model], models: [], has_more: false, first_id: modelId, last_id: modelId });
      return;
    }
    if (kind === "connect") {
      send(403, { error: { type: "forbidden", message: "scripted upstream: outbound traffic is not allowed in e2e tests" } });
      return;
    }
    if (kind === "other") {
      send(404, { error: { type: "not_found_error", message: `scripted upstream: no route for ${method} ${path}` } });
      return;
    }
    if (!isObj(json)) {
      send(400, { error: { type: "invalid_request_error", message: "scripted upstream: body is not a JSON object" } });
      return;
    }
    if (kind === "count_tokens") {
      send(200, { input_tokens: tokensOf(cacheKey("count_tokens", json).length) });
      return;
    }

    if (kind !== "anthropic" && kind !== "chat" && kind !== "responses") {
      send(404, { error: { type: "not_found_error", message: `scripted upstream: no route for ${method} ${path}` } });
      return;
    }
    const wire: Wire = kind;
    const shellTool = findShellTool(wire, json);
    const index = assistantTurns(wire, json);
    const turn = pickTurn({ index, wire, body: json, shellTool });
    const stream = json.stream === true;
    const model = str(json.model) ?? modelId;
    const payload =
      turn.kind === "shell" && shellTool
        ? shellArguments(shellTool, turn)
        : turn.kind === "tool" && shellTool
          ? JSON.stringify(turn.input)
          : turn.kind === "text"
            ? turn.text
            : fallbackText;
    const usage = cache.usage(cacheKey(wire, json), payload.length);
    rec.stream = stream;
    rec.turnIndex = index;
    rec.turn = turn;
    if (shellTool) rec.shellToolName = shellTool.name;
    rec.usage = usage;

    const named: ShellTool | undefined =
      turn.kind === "tool" && shellTool ? { name: turn.name, style: wire === "anthropic" ? "anthropic" : "function-command" } : undefined;
    const out: Answer =
      turn.kind === "shell" && shellTool ? { kind: "tool", tool: shellTool, args: payload } : named ? { kind: "tool", tool: named, args: payload } : { kind: "text", text: payload };
    if (wire === "anthropic") return answerAnthropic(res, rec, model, out, usage, stream);
    if (wire === "chat") return answerChat(res, rec, model, out, usage, stream, isObj(json.stream_options) && json.stream_options.include_usage === true);
    return answerResponses(res, rec, model, out, usage, stream);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { type: "api_error", message: `scripted upstream: ${String(err)}` } }));
      } else res.destroy();
    });
  });
  server.on("connection", (s) => {
    s.on("error", () => {}); // a client resetting its connection is not a test failure
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.on("clientError", (_err, socket: Duplex) => {
    socket.destroy();
  });
  // WebSocket upgrades (Codex's built-in provider, Copilot's websockets transport) are refused with
  // 426 so the agent falls back to HTTP at once.
  server.on("upgrade", (req: IncomingMessage, socket: Duplex) => {
    socket.on("error", () => {});
    const url = req.url ?? "/";
    requests.push({
      seq: seq++,
      method: req.method ?? "GET",
      url,
      path: url.split("?")[0] ?? "/",
      headers: req.headers,
      rawBody: Buffer.alloc(0),
      bodyText: "",
      json: undefined,
      kind: "websocket",
      status: 426,
    });
    const body = "WebSocket is not supported by the scripted upstream; use HTTP.";
    socket.end(
      `HTTP/1.1 426 Upgrade Required\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  });

  // HTTPS through a proxy: CONNECT host:port. Recorded and refused.
  server.on("connect", (req: IncomingMessage, socket: Duplex) => {
    socket.on("error", () => {});
    const url = req.url ?? "";
    requests.push({
      seq: seq++,
      method: req.method ?? "CONNECT",
      url,
      path: url,
      headers: req.headers,
      rawBody: Buffer.alloc(0),
      bodyText: "",
      json: undefined,
      kind: "connect",
      status: 403,
    });
    socket.end("HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    modelRequests: () => requests.filter((r) => r.kind === "anthropic" || r.kind === "chat" || r.kind === "responses"),
    outbound: () => requests.filter((r) => r.kind === "connect"),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// Answers

type Answer = { kind: "tool"; tool: ShellTool; args: string } | { kind: "text"; text: string };

/** Split text into a few pieces so clients exercise their delta accumulation. */
function pieces(s: string): string[] {
  if (s.length <= 8) return [s];
  const a = Math.floor(s.length / 3);
  const b = Math.floor((2 * s.length) / 3);
  return [s.slice(0, a), s.slice(a, b), s.slice(b)];
}

function sseHeaders(res: ServerResponse): void {
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
  });
}

function answerAnthropic(res: ServerResponse, rec: RecordedRequest, model: string, out: Answer, u: SimulatedUsage, stream: boolean): void {
  const id = newId("msg_");
  const usage = {
    input_tokens: u.uncachedTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: u.cachedTokens,
    output_tokens: u.outputTokens,
  };
  const toolId = newId("toolu_");
  const block =
    out.kind === "tool"
      ? { type: "tool_use", id: toolId, name: out.tool.name, input: JSON.parse(out.args) as unknown }
      : { type: "text", text: out.text };
  const stopReason = out.kind === "tool" ? "tool_use" : "end_turn";
  rec.status = 200;
  if (!stream) {
    const body = JSON.stringify({ id, type: "message", role: "assistant", model, content: [block], stop_reason: stopReason, stop_sequence: null, usage });
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
    return;
  }
  sseHeaders(res);
  const ev = (type: string, data: Json): void => {
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  };
  ev("message_start", {
    message: { id, type: "message", role: "assistant", model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } },
  });
  if (out.kind === "tool") {
    ev("content_block_start", { index: 0, content_block: { type: "tool_use", id: toolId, name: out.tool.name, input: {} } });
    ev("ping", {});
    for (const p of pieces(out.args)) ev("content_block_delta", { index: 0, delta: { type: "input_json_delta", partial_json: p } });
  } else {
    ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } });
    ev("ping", {});
    for (const p of pieces(out.text)) ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: p } });
  }
  ev("content_block_stop", { index: 0 });
  ev("message_delta", { delta: { stop_reason: stopReason, stop_sequence: null }, usage });
  ev("message_stop", {});
  res.end();
}

function answerChat(
  res: ServerResponse,
  rec: RecordedRequest,
  model: string,
  out: Answer,
  u: SimulatedUsage,
  stream: boolean,
  includeUsage: boolean,
): void {
  const id = newId("chatcmpl-");
  const created = Math.floor(Date.now() / 1000);
  const usage = {
    prompt_tokens: u.promptTokens,
    completion_tokens: u.outputTokens,
    total_tokens: u.promptTokens + u.outputTokens,
    prompt_tokens_details: { cached_tokens: u.cachedTokens },
    completion_tokens_details: { reasoning_tokens: 0 },
  };
  const callId = newId("call_");
  const finish = out.kind === "tool" ? "tool_calls" : "stop";
  rec.status = 200;
  if (!stream) {
    const message =
      out.kind === "tool"
        ? { role: "assistant", content: null, tool_calls: [{ id: callId, type: "function", function: { name: out.tool.name, arguments: out.args } }] }
        : { role: "assistant", content: out.text };
    const body = JSON.stringify({ id, object: "chat.completion", created, model, choices: [{ index: 0, message, finish_reason: finish }], usage });
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
    return;
  }
  sseHeaders(res);
  const chunk = (choices: unknown[], extra: Json = {}): void => {
    res.write(`data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices, ...extra })}\n\n`);
  };
  if (out.kind === "tool") {
    chunk([{ index: 0, delta: { role: "assistant", content: null }, finish_reason: null }]);
    const parts = pieces(out.args);
    parts.forEach((p, i) => {
      const call =
        i === 0
          ? { index: 0, id: callId, type: "function", function: { name: out.tool.name, arguments: p } }
          : { index: 0, function: { arguments: p } };
      chunk([{ index: 0, delta: { tool_calls: [call] }, finish_reason: null }]);
    });
  } else {
    chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]);
    for (const p of pieces(out.text)) chunk([{ index: 0, delta: { content: p }, finish_reason: null }]);
  }
  chunk([{ index: 0, delta: {}, finish_reason: finish }]);
  if (includeUsage) chunk([], { usage });
  res.write("data: [DONE]\n\n");
  res.end();
}

function answerResponses(res: ServerResponse, rec: RecordedRequest, model: string, out: Answer, u: SimulatedUsage, stream: boolean): void {
  const id = newId("resp_");
  const createdAt = Math.floor(Date.now() / 1000);
  const usage = {
    input_tokens: u.promptTokens,
    input_tokens_details: { cached_tokens: u.cachedTokens },
    output_tokens: u.outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: u.promptTokens + u.outputTokens,
  };
  const callId = newId("call_");
  let item: Json;
  if (out.kind === "tool" && out.tool.style === "custom-exec") {
    item = { type: "custom_tool_call", id: newId("ctc_"), status: "completed", call_id: callId, name: out.tool.name, input: out.args };
    if (out.tool.namespace !== undefined) item.namespace = out.tool.namespace;
  } else if (out.kind === "tool") {
    item = { type: "function_call", id: newId("fc_"), status: "completed", name: out.tool.name, arguments: out.args, call_id: callId };
    if (out.tool.namespace !== undefined) item.namespace = out.tool.namespace;
  } else {
    item = {
      type: "message",
      id: newId("msg_"),
      status: "completed",
      role: "assistant",
      content: [{ type: "output_text", text: out.text, annotations: [] }],
    };
  }
  const response = (status: string, output: unknown[], withUsage: boolean): Json => ({
    id,
    object: "response",
    created_at: createdAt,
    status,
    model,
    output,
    parallel_tool_calls: true,
    tool_choice: "auto",
    tools: [],
    error: null,
    incomplete_details: null,
    usage: withUsage ? usage : null,
  });
  rec.status = 200;
  if (!stream) {
    const body = JSON.stringify(response("completed", [item], true));
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
    return;
  }
  sseHeaders(res);
  let sequence = 0;
  const ev = (type: string, data: Json): void => {
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...data })}\n\n`);
  };
  ev("response.created", { response: response("in_progress", [], false) });
  ev("response.in_progress", { response: response("in_progress", [], false) });
  const itemId = str(item.id) ?? "";
  if (item.type === "function_call") {
    ev("response.output_item.added", { output_index: 0, item: { ...item, arguments: "", status: "in_progress" } });
    for (const p of pieces(str(item.arguments) ?? "")) ev("response.function_call_arguments.delta", { item_id: itemId, output_index: 0, delta: p });
    ev("response.function_call_arguments.done", { item_id: itemId, output_index: 0, arguments: item.arguments });
  } else if (item.type === "custom_tool_call") {
    ev("response.output_item.added", { output_index: 0, item: { ...item, input: "", status: "in_progress" } });
    for (const p of pieces(str(item.input) ?? "")) ev("response.custom_tool_call_input.delta", { item_id: itemId, output_index: 0, delta: p });
    ev("response.custom_tool_call_input.done", { item_id: itemId, output_index: 0, input: item.input });
  } else {
    const text = out.kind === "text" ? out.text : "";
    ev("response.output_item.added", { output_index: 0, item: { ...item, status: "in_progress", content: [] } });
    ev("response.content_part.added", { item_id: itemId, output_index: 0, content_index: 0, part: { type: "output_text", text: "", annotations: [] } });
    for (const p of pieces(text)) ev("response.output_text.delta", { item_id: itemId, output_index: 0, content_index: 0, delta: p, logprobs: [] });
    ev("response.output_text.done", { item_id: itemId, output_index: 0, content_index: 0, text, logprobs: [] });
    ev("response.content_part.done", { item_id: itemId, output_index: 0, content_index: 0, part: { type: "output_text", text, annotations: [] } });
  }
  ev("response.output_item.done", { output_index: 0, item });
  ev("response.completed", { response: response("completed", [item], true) });
  res.end();
}
