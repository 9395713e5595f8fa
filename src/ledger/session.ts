// Which conversation a request belongs to, so the ledger can group requests by session.
// Sources, most reliable first (see ../shared/field-notes/agents.md and the agent-request fixtures):
//   1. `x-claude-code-session-id` header (Claude Code; stable for the whole run);
//   2. `session-id` header (Codex; equal to its thread id and prompt_cache_key);
//   3. `prompt_cache_key` in the body (OpenAI Responses/Chat clients that set one: Codex, Copilot CLI);
//   4. otherwise a hash of the conversation's opening: the system prompt and the first user message.
//      Agents re-send the whole history every turn and keep that prefix byte-stable for prompt
//      caching, so it identifies the conversation. Only the text is hashed: cache_control markers move
//      between turns, and Claude Code's per-request billing header line is left out.

import { createHash } from "node:crypto";

/** Incoming request headers as node:http gives them (names lower-case; tolerated in any case). */
export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** Session key used when a request carries neither an id nor any conversation text. */
export const UNKNOWN_SESSION = "unknown";

/** Longest session id taken from a header or body as is; longer ones are hashed. */
const MAX_ID_LENGTH = 128;

const BILLING_HEADER_LINE = /^x-anthropic-billing-header:.*$/gm;

function header(headers: RequestHeaders, name: string): string | undefined {
  let value = headers[name];
  if (value === undefined) {
    const found = Object.keys(headers).find((key) => key.toLowerCase() === name);
    value = found === undefined ? undefined : headers[found];
  }
  const first = Array.isArray(value) ? value[0] : value;
  const trimmed = first?.trim();
  return trimmed ? trimmed : undefined;
}

function hash16(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex").slice(0, 16);
}

// An id as it came, unless it is too long or carries control characters (then its hash).
function cleanId(id: string): string {
  // eslint-disable-next-line no-control-regex
  return id.length <= MAX_ID_LENGTH && !/[\u0000-\u001f\u007f]/.test(id) ? id : hash16(id);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// The text of a message's content in any of the three wire formats: a string, or an array of blocks
// whose `text` fields are joined (Anthropic text, Chat text parts, Responses input_text/output_text).
// Non-text blocks (images, tool results) contribute their type only.
function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((block) => {
      if (typeof block === "string") return block;
      if (!isRecord(block)) return "";
      if (typeof block.text === "string") return block.text;
      return typeof block.type === "string" ? `[${block.type}]` : "";
    })
    .join("\n");
}

const SYSTEM_ROLES = new Set(["system", "developer"]);

/**
 * The conversation's opening as text: system prompt(s) (Anthropic `system`, Responses `instructions`,
 * system/developer messages before the first user message) and the first user message.
 * Empty strings when the body has none.
 */
export function conversationOpening(body: unknown): { system: string; firstUser: string } {
  if (!isRecord(body)) return { system: "", firstUser: "" };
  const system: string[] = [];
  if (body.system !== undefined) system.push(contentText(body.system));
  if (typeof body.instructions === "string") system.push(body.instructions);
  let firstUser = "";
  const items = body.messages ?? body.input;
  if (typeof items === "string") {
    firstUser = items;
  } else if (Array.isArray(items)) {
    for (const item of items) {
      if (!isRecord(item)) continue;
      const role = item.role;
      if (role === "user") {
        firstUser = contentText(item.content);
        break;
      }
      if (typeof role === "string" && SYSTEM_ROLES.has(role)) system.push(contentText(item.content));
    }
  }
  return { system: system.join("\n\n").replace(BILLING_HEADER_LINE, ""), firstUser };
}

/**
 * The session a request belongs to: the agent's own session id when it sends one, else
 * `prompt_cache_key`, else the first 16 hex digits of the SHA-256 of the conversation's opening
 * (stable across the turns of one conversation). "unknown" when there is nothing to go on.
 */
export function sessionKey(headers: RequestHeaders, body: unknown): string {
  const claude = header(headers, "x-claude-code-session-id");
  if (claude) return cleanId(claude);
  const codex = header(headers, "session-id");
  if (codex) return cleanId(codex);
  if (isRecord(body) && typeof body.prompt_cache_key === "string" && body.prompt_cache_key.trim()) {
    return cleanId(body.prompt_cache_key.trim());
  }
  const { system, firstUser } = conversationOpening(body);
  if (!system.trim() && !firstUser.trim()) return UNKNOWN_SESSION;
  return hash16(JSON.stringify([system, firstUser]));
}
