// Which coding agent sent a request, from its user-agent and a few agent-specific headers.
// Evidence (test/fixtures/agent-requests/*.jsonl, captured from the real agents):
//   Claude Code   user-agent "claude-cli/2.1.331 (external, sdk-cli)", headers x-app: cli and
//                 x-claude-code-session-id.
//   Codex         user-agent "codex_exec/0.169.0 (Debian 12.0.0; x86_64) xterm (codex_exec; 0.169.0)",
//                 header originator: codex_exec (the interactive TUI is codex_cli_rs; the IDE
//                 extension codex_vscode).
//   Copilot CLI   a plain SDK user-agent ("OpenAI/JS 5.20.1", "Anthropic/JS 0.94.0") plus GitHub
//                 Copilot's own headers x-initiator (user|agent) and x-interaction-type.
// Documented, not captured here (neither can be installed on these machines):
//   Aider         calls providers through LiteLLM: the OpenAI Python SDK ("OpenAI/Python 1.x") for
//                 OpenAI-compatible endpoints, LiteLLM's own httpx client ("litellm/1.x") for others;
//                 with OpenRouter-style attribution it sends HTTP-Referer https://aider.chat and
//                 X-Title Aider. A bare "OpenAI/Python" user-agent is a heuristic: aider is the only
//                 Python agent headroom wraps, but any Python script using that SDK looks the same.
//   Cursor        the editor's Electron user-agent carries "Cursor/<version>"; the Cursor CLI is
//                 cursor-agent. (Cursor's model requests usually leave from Cursor's servers, which
//                 is why a loopback proxy may never see them.)
// Anything else is "unknown": an SDK user-agent alone does not say which agent is behind it.

import type { RequestHeaders } from "./session.js";

export type AgentName = "claude-code" | "codex" | "copilot" | "aider" | "cursor" | "unknown";

export const AGENT_NAMES: readonly AgentName[] = ["claude-code", "codex", "copilot", "aider", "cursor", "unknown"];

function header(headers: RequestHeaders | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  let value = headers[name];
  if (value === undefined) {
    const found = Object.keys(headers).find((key) => key.toLowerCase() === name);
    value = found === undefined ? undefined : headers[found];
  }
  const first = Array.isArray(value) ? value[0] : value;
  return first?.trim() || undefined;
}

const SDK_JS = /^(?:openai|anthropic)\/js\b/i;

/** The agent behind a request: from its user-agent, refined by agent-specific headers when given. */
export function agentFrom(userAgent: string | undefined, headers?: RequestHeaders): AgentName {
  const ua = (userAgent ?? header(headers, "user-agent") ?? "").trim();
  const lower = ua.toLowerCase();

  if (/^claude-(?:cli|code)\//.test(lower) || header(headers, "x-claude-code-session-id")) return "claude-code";
  if (/^codex[_-]/.test(lower) || /^codex[_-]/i.test(header(headers, "originator") ?? "")) return "codex";
  if (lower.includes("copilot")) return "copilot"; // GitHub's own clients: copilot/…, GitHubCopilotChat/…
  if (
    SDK_JS.test(ua) &&
    (header(headers, "x-initiator") !== undefined || header(headers, "x-interaction-type") !== undefined)
  ) {
    return "copilot";
  }
  if (/\baider\b/.test(lower) || /aider\.chat/i.test(header(headers, "http-referer") ?? "")) return "aider";
  if (/^aider$/i.test(header(headers, "x-title") ?? "")) return "aider";
  if (/^litellm\//.test(lower) || /^openai\/python\b/.test(lower)) return "aider";
  if (/\bcursor(?:-agent)?\//.test(lower)) return "cursor";
  return "unknown";
}
