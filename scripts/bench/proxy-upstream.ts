// The bench's stand-in provider: a minimal, fast node:http server on 127.0.0.1:0, run in its own
// process (started by scripts/bench/proxy.ts) so it never shares an event loop with the client or
// the proxy. It reads the whole request body, then answers like the provider the path names:
// SSE for `"stream":true` requests, JSON otherwise, with fixed bytes per wire format (so a client
// can check every byte of what came back through the proxy).
//
//   POST .../v1/messages               Anthropic Messages (SSE or JSON)
//   POST .../v1/messages/count_tokens  {"input_tokens": N}
//   POST .../chat/completions          OpenAI Chat Completions (SSE or JSON)
//   POST .../responses                 OpenAI Responses (SSE or JSON)
//   GET  /__bench/stats                {requests, inFlight, maxInFlight}; POST /__bench/reset zeroes them
//
// A request header `x-bench-stream-ms: N` spreads the SSE events of the answer over about N ms (the
// headers and first event go out at once), to hold many streams open at the same time.
// Prints {"port": N} on stdout once listening; exits when its parent disconnects or on SIGTERM.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

type Wire = "anthropic" | "chat" | "responses";

const usage = { input_tokens: 1200, cache_creation_input_tokens: 0, cache_read_input_tokens: 48000, output_tokens: 12 };

function sse(events: [string | undefined, unknown][]): Buffer[] {
  return events.map(([name, data]) => Buffer.from(`${name ? `event: ${name}\n` : ""}data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`));
}

const STREAMS: Record<Wire, Buffer[]> = {
  anthropic: sse([
    ["message_start", { type: "message_start", message: { id: "msg_bench", type: "message", role: "assistant", model: "bench", content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } } }],
    ["content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }],
    ["ping", { type: "ping" }],
    ["content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "The build " } }],
    ["content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "passes now." } }],
    ["content_block_stop", { type: "content_block_stop", index: 0 }],
    ["message_delta", { type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage }],
    ["message_stop", { type: "message_stop" }],
  ]),
  chat: sse([
    [undefined, { id: "chatcmpl-bench", object: "chat.completion.chunk", created: 0, model: "bench", choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] }],
    [undefined, { id: "chatcmpl-bench", object: "chat.completion.chunk", created: 0, model: "bench", choices: [{ index: 0, delta: { content: "The build " }, finish_reason: null }] }],
    [undefined, { id: "chatcmpl-bench", object: "chat.completion.chunk", created: 0, model: "bench", choices: [{ index: 0, delta: { content: "passes now." }, finish_reason: null }] }],
    [undefined, { id: "chatcmpl-bench", object: "chat.completion.chunk", created: 0, model: "bench", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }],
    [undefined, { id: "chatcmpl-bench", object: "chat.completion.chunk", created: 0, model: "bench", choices: [], usage: { prompt_tokens: 49200, completion_tokens: 12, total_tokens: 49212, prompt_tokens_details: { cached_tokens: 48000 } } }],
    [undefined, "[DONE]"],
  ]),
  responses: sse([
    ["response.created", { type: "response.created", sequence_number: 0, response: { id: "resp_bench", object: "response", status: "in_progress", model: "bench", output: [], usage: null } }],
    ["response.output_item.added", { type: "response.output_item.added", sequence_number: 1, output_index: 0, item: { type: "message", id: "msg_bench", role: "assistant", status: "in_progress", content: [] } }],
    ["response.output_text.delta", { type: "response.output_text.delta", sequence_number: 2, item_id: "msg_bench", output_index: 0, content_index: 0, delta: "The build " }],
    ["response.output_text.delta", { type: "response.output_text.delta", sequence_number: 3, item_id: "msg_bench", output_index: 0, content_index: 0, delta: "passes now." }],
    ["response.output_item.done", { type: "response.output_item.done", sequence_number: 4, output_index: 0, item: { type: "message", id: "msg_bench", role: "assistant", status: "completed", content: [{ type: "output_text", text: "The build passes now.", annotations: [] }] } }],
    [
      "response.completed",
      {
        type: "response.completed",
        sequence_number: 5,
        response: { id: "resp_bench", object: "response", status: "completed", model: "bench", output: [], usage: { input_tokens: 49200, input_tokens_details: { cached_tokens: 48000 }, output_tokens: 12, total_tokens: 49212 } },
      },
    ],
  ]),
};

const JSONS: Record<Wire | "count_tokens", Buffer> = {
  anthropic: Buffer.from(JSON.stringify({ id: "msg_bench", type: "message", role: "assistant", model: "bench", content: [{ type: "text", text: "The build passes now." }], stop_reason: "end_turn", usage })),
  chat: Buffer.from(
    JSON.stringify({
      id: "chatcmpl-bench",
      object: "chat.completion",
      created: 0,
      model: "bench",
      choices: [{ index: 0, message: { role: "assistant", content: "The build passes now." }, finish_reason: "stop" }],
      usage: { prompt_tokens: 49200, completion_tokens: 12, total_tokens: 49212, prompt_tokens_details: { cached_tokens: 48000 } },
    }),
  ),
  responses: Buffer.from(JSON.stringify({ id: "resp_bench", object: "response", status: "completed", model: "bench", output: [{ type: "message", role: "assistant", content: [{ type: "output_text", text: "The build passes now." }] }], usage: { input_tokens: 49200, output_tokens: 12 } })),
  count_tokens: Buffer.from(JSON.stringify({ input_tokens: 49200 })),
};

function wireOf(path: string): Wire | "count_tokens" | undefined {
  if (path.endsWith("/messages/count_tokens")) return "count_tokens";
  if (path.endsWith("/messages")) return "anthropic";
  if (path.endsWith("/chat/completions")) return "chat";
  if (path.endsWith("/responses")) return "responses";
  return undefined;
}

const stats = { requests: 0, inFlight: 0, maxInFlight: 0 };
const STREAM_FLAG = Buffer.from('"stream":true');

function answer(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  const path = (req.url ?? "/").split("?")[0] ?? "/";
  if (path === "/__bench/stats") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(stats));
    return;
  }
  if (path === "/__bench/reset") {
    stats.requests = 0;
    stats.maxInFlight = stats.inFlight;
    res.writeHead(204);
    res.end();
    return;
  }
  const wire = wireOf(path);
  if (req.method !== "POST" || wire === undefined) {
    res.writeHead(404, { "content-type": "application/json" });
    res.end('{"error":{"type":"not_found_error","message":"bench upstream: no such route"}}');
    return;
  }
  stats.requests += 1;
  if (wire === "count_tokens" || !body.includes(STREAM_FLAG)) {
    const bytes = JSONS[wire];
    res.writeHead(200, { "content-type": "application/json", "content-length": bytes.length, "request-id": "req_bench" });
    res.end(bytes);
    return;
  }
  const events = STREAMS[wire];
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "request-id": "req_bench" });
  const spread = Number(req.headers["x-bench-stream-ms"] ?? 0);
  if (!(spread > 0)) {
    // Headers and first event at once (like a provider's first token), the rest right after.
    res.write(events[0]);
    res.end(Buffer.concat(events.slice(1)));
    return;
  }
  let next = 0;
  const step = spread / Math.max(1, events.length - 1);
  const send = (): void => {
    if (res.destroyed) return;
    const event = events[next++]!;
    if (next === events.length) res.end(event);
    else {
      res.write(event);
      setTimeout(send, step);
    }
  };
  send();
}

const server = createServer((req, res) => {
  stats.inFlight += 1;
  stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
  res.once("close", () => (stats.inFlight -= 1));
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => answer(req, res, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
  req.on("error", () => res.destroy());
});
server.keepAliveTimeout = 60_000;
server.on("connection", (socket) => socket.on("error", () => undefined));
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
const stop = (): void => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("disconnect", stop);
// Never outlive the bench: stdin is the parent's pipe; it closes when the parent goes.
process.stdin.on("end", stop);
process.stdin.resume();
