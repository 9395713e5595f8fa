// Canned provider responses with known usage, in the three wire formats (multi-byte text included
// so chunk splits fall inside UTF-8 characters).
import type { ProviderUsage } from "../../src/ledger/types.js";

export interface Sample {
  readonly name: "anthropic" | "chat" | "responses";
  readonly path: string;
  readonly stream: string;
  readonly json: unknown;
  readonly usage: ProviderUsage;
}

const ev = (event: string | null, data: unknown) => `${event ? `event: ${event}\n` : ""}data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`;

export const SAMPLES: readonly Sample[] = [
  {
    name: "anthropic",
    path: "/v1/messages?beta=true",
    stream:
      ev("message_start", { type: "message_start", message: { id: "msg_1", type: "message", role: "assistant", content: [], model: "claude", usage: { input_tokens: 12, cache_creation_input_tokens: 100, cache_read_input_tokens: 2000, output_tokens: 1 } } }) +
      ev("content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }) +
      ": keep-alive comment\n\n" +
      ev("ping", { type: "ping" }) +
      ev("content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "héllo wörld 日本語 🎉 \"usage\": not this" } }) +
      ev("content_block_stop", { type: "content_block_stop", index: 0 }) +
      ev("message_delta", { type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: 42 } }) +
      ev("message_stop", { type: "message_stop" }),
    json: { id: "msg_1", type: "message", content: [{ type: "text", text: "日本語 🎉" }], usage: { input_tokens: 12, cache_creation_input_tokens: 100, cache_read_input_tokens: 2000, output_tokens: 42 } },
    usage: { input: 12, cacheCreation: 100, cacheRead: 2000, output: 42 },
  },
  {
    name: "chat",
    path: "/v1/chat/completions",
    stream:
      ev(null, { id: "c", object: "chat.completion.chunk", choices: [{ index: 0, delta: { role: "assistant", content: "" } }], usage: null }) +
      ev(null, { id: "c", object: "chat.completion.chunk", choices: [{ index: 0, delta: { content: "日本語 🎉 prompt_tokens" } }], usage: null }) +
      ev(null, { id: "c", object: "chat.completion.chunk", choices: [{ index: 0, delta: {}, finish_reason: "stop" }], usage: null }) +
      ev(null, { id: "c", object: "chat.completion.chunk", choices: [], usage: { prompt_tokens: 1500, completion_tokens: 30, total_tokens: 1530, prompt_tokens_details: { cached_tokens: 1024 } } }) +
      ev(null, "[DONE]"),
    json: { id: "c", object: "chat.completion", choices: [{ index: 0, message: { role: "assistant", content: "🎉" } }], usage: { prompt_tokens: 1500, completion_tokens: 30, prompt_tokens_details: { cached_tokens: 1024 } } },
    usage: { input: 476, cacheRead: 1024, output: 30 },
  },
  {
    name: "responses",
    path: "/v1/responses",
    stream:
      ev("response.created", { type: "response.created", response: { id: "r", status: "in_progress", usage: null } }) +
      ev("response.output_text.delta", { type: "response.output_text.delta", delta: "🎉 ok ü" }) +
      ev("response.completed", { type: "response.completed", response: { id: "r", status: "completed", usage: { input_tokens: 900, input_tokens_details: { cached_tokens: 512 }, output_tokens: 20, output_tokens_details: { reasoning_tokens: 5 }, total_tokens: 920 } } }),
    json: { id: "r", object: "response", status: "completed", usage: { input_tokens: 900, input_tokens_details: { cached_tokens: 512 }, output_tokens: 20 } },
    usage: { input: 388, cacheRead: 512, output: 20 },
  },
];

/** The same stream with CRLF (or bare CR) line endings. */
export const withLineEndings = (text: string, eol: "\r\n" | "\r"): string => text.replace(/\n/g, eol);
