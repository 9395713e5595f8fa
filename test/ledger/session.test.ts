import { describe, expect, it } from "vitest";
import { conversationOpening, sessionKey, UNKNOWN_SESSION } from "../../src/ledger/session.js";
import { capturedRuns, type CapturedRequest } from "./helpers.js";

const runs = capturedRuns();
// Requests that carry a conversation (CONNECT and websocket-upgrade attempts have no body).
const withBody = (requests: CapturedRequest[]) => requests.filter((r) => r.method === "POST" && r.body !== undefined);
const isMessagesTurn = (r: CapturedRequest) => !r.url.includes("count_tokens");

function withoutIdHeaders(headers: Record<string, string>): Record<string, string> {
  const { "x-claude-code-session-id": _claude, "session-id": _codex, ...rest } = headers;
  return rest;
}

function withoutCacheKey(body: unknown): unknown {
  if (typeof body !== "object" || body === null) return body;
  const { prompt_cache_key: _key, ...rest } = body as Record<string, unknown>;
  return rest;
}

describe("sessionKey on the real agents' requests", () => {
  it("has fixtures for the three agents", () => {
    expect([...runs.keys()].map((name) => name.split("-")[0])).toEqual(
      expect.arrayContaining(["claude", "codex", "copilot"]),
    );
  });

  for (const [file, requests] of runs) {
    it(`gives every request of ${file} the same key, distinct from the other runs`, () => {
      const keys = withBody(requests).map((r) => sessionKey(r.headers, r.body));
      expect(keys.length).toBeGreaterThan(0);
      expect(new Set(keys).size).toBe(1);
      const key = keys[0]!;
      expect(key).not.toBe(UNKNOWN_SESSION);
      for (const [other, otherRequests] of runs) {
        if (other === file) continue;
        for (const r of withBody(otherRequests)) expect(sessionKey(r.headers, r.body)).not.toBe(key);
      }
    });
  }

  it("takes Claude Code's x-claude-code-session-id as is", () => {
    const r = withBody(runs.get("claude-code.jsonl")!)[0]!;
    expect(sessionKey(r.headers, r.body)).toBe(r.headers["x-claude-code-session-id"]);
    expect(sessionKey(r.headers, r.body)).toBe("c00279be-076e-4071-9f73-47541d94d121");
  });

  it("takes Codex's session-id header, which equals its prompt_cache_key", () => {
    const r = withBody(runs.get("codex-classic.jsonl")!)[0]!;
    expect(sessionKey(r.headers, r.body)).toBe("01a20f80-f7ff-75f1-a5f5-b13f0ab760ab");
    expect(sessionKey({}, r.body)).toBe("01a20f80-f7ff-75f1-a5f5-b13f0ab760ab");
  });

  it("takes prompt_cache_key when no header names the session (Copilot on the Responses API)", () => {
    const r = withBody(runs.get("copilot-responses.jsonl")!)[0]!;
    expect(sessionKey(r.headers, r.body)).toBe("51002b23a9068183720f108c1a651c7f");
  });

  it("falls back to a 16-hex hash of the opening for Copilot on Chat Completions and Messages", () => {
    for (const file of ["copilot-chat.jsonl", "copilot-anthropic.jsonl"]) {
      const keys = withBody(runs.get(file)!).map((r) => sessionKey(r.headers, r.body));
      expect(keys[0]).toMatch(/^[0-9a-f]{16}$/);
      expect(new Set(keys).size).toBe(1);
    }
  });

  // The hash alone must hold a run together: strip the ids and compare every conversation turn.
  // (Claude Code 2.1.197's first request writes the session title: a side conversation with its own
  // opening, "<session>...", that only the header ties to the run.)
  const isTitleRequest = (r: CapturedRequest) => conversationOpening(r.body).firstUser.startsWith("<session>");
  for (const [file, requests] of runs) {
    it(`without ids, the opening hash still groups the turns of ${file}`, () => {
      const turns = withBody(requests).filter((r) => isMessagesTurn(r) && !isTitleRequest(r));
      const keys = turns.map((r) => sessionKey(withoutIdHeaders(r.headers), withoutCacheKey(r.body)));
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) expect(key).toMatch(/^[0-9a-f]{16}$/);
      expect(new Set(keys).size).toBe(1);
    });
  }
});

describe("sessionKey rules", () => {
  const anthropicBody = (cacheControl: boolean, billing: string) => ({
    system: [
      { type: "text", text: `x-anthropic-billing-header: cc_version=${billing}; cc_entrypoint=sdk-cli;` },
      { type: "text", text: "You are a coding agent.", cache_control: { type: "ephemeral" } },
    ],
    messages: [
      {
        role: "user",
        content: [{ type: "text", text: "fix the bug", ...(cacheControl ? { cache_control: { type: "ephemeral" } } : {}) }],
      },
    ],
  });

  it("ignores moving cache_control markers and Claude Code's per-request billing header line", () => {
    expect(sessionKey({}, anthropicBody(true, "2.1.197.363"))).toBe(sessionKey({}, anthropicBody(false, "2.1.197.191")));
  });

  it("a later turn (more messages after the first user message) keeps the key; a different task does not", () => {
    const first = { messages: [{ role: "system", content: "sys" }, { role: "user", content: "task A" }] };
    const later = {
      messages: [
        ...first.messages,
        { role: "assistant", content: "ok" },
        { role: "tool", content: "output" },
        { role: "user", content: "and then?" },
      ],
    };
    expect(sessionKey({}, later)).toBe(sessionKey({}, first));
    expect(sessionKey({}, { messages: [{ role: "system", content: "sys" }, { role: "user", content: "task B" }] })).not.toBe(
      sessionKey({}, first),
    );
  });

  it("prefers the Claude Code header, then Codex's, then prompt_cache_key; header names in any case", () => {
    const body = { prompt_cache_key: "pck", messages: [{ role: "user", content: "hi" }] };
    expect(sessionKey({ "x-claude-code-session-id": "cc", "session-id": "cx" }, body)).toBe("cc");
    expect(sessionKey({ "Session-Id": "cx" }, body)).toBe("cx");
    expect(sessionKey({ "session-id": ["first", "second"] }, body)).toBe("first");
    expect(sessionKey({ "session-id": "  " }, body)).toBe("pck");
  });

  it("hashes ids that are too long or carry control characters instead of storing them", () => {
    expect(sessionKey({ "session-id": "x".repeat(500) }, {})).toMatch(/^[0-9a-f]{16}$/);
    expect(sessionKey({ "session-id": "a\nb" }, {})).toMatch(/^[0-9a-f]{16}$/);
  });

  it("reads Responses input given as a string and instructions", () => {
    const a = sessionKey({}, { instructions: "be brief", input: "hello" });
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(sessionKey({}, { instructions: "be brief", input: [{ role: "user", content: [{ type: "input_text", text: "hello" }] }] })).toBe(a);
  });

  it('is "unknown" when there is nothing to go on', () => {
    expect(sessionKey({}, undefined)).toBe(UNKNOWN_SESSION);
    expect(sessionKey({}, "not json")).toBe(UNKNOWN_SESSION);
    expect(sessionKey({}, { model: "x", messages: [] })).toBe(UNKNOWN_SESSION);
  });
});
