import { describe, expect, it } from "vitest";
import { agentFrom, AGENT_NAMES } from "../../src/ledger/agent.js";
import { capturedRuns } from "./helpers.js";

const runs = capturedRuns();

describe("agentFrom on the real agents' requests", () => {
  const expected = (file: string) =>
    file.startsWith("claude-code") ? "claude-code" : file.startsWith("codex") ? "codex" : "copilot";

  for (const [file, requests] of runs) {
    it(`names every request of ${file} ${expected(file)}`, () => {
      const named = requests.filter((r) => r.method !== "CONNECT"); // proxy CONNECTs carry no agent headers
      expect(named.length).toBeGreaterThan(0);
      for (const r of named) expect(agentFrom(r.headers["user-agent"], r.headers)).toBe(expected(file));
    });
  }

  it("reads the user-agent from the headers when it is not passed", () => {
    const r = runs.get("codex-classic.jsonl")![0]!;
    expect(agentFrom(undefined, r.headers)).toBe("codex");
  });

  it("a proxy CONNECT (no user-agent, no agent headers) is unknown", () => {
    const connect = runs.get("claude-code-2.1.197-no-traffic-flags.jsonl")!.find((r) => r.method === "CONNECT")!;
    expect(agentFrom(connect.headers["user-agent"], connect.headers)).toBe("unknown");
  });
});

describe("agentFrom on user-agents it cannot capture here", () => {
  it.each([
    ["claude-cli/2.1.197 (external, sdk-cli)", {}, "claude-code"],
    ["claude-cli/2.2.0 (external, cli)", {}, "claude-code"],
    ["codex_cli_rs/0.170.0 (Mac OS 15.1; arm64) iTerm.app/3.5", {}, "codex"],
    ["codex_vscode/0.170.0", {}, "codex"],
    ["reqwest/0.12", { originator: "codex_cli_rs" }, "codex"],
    ["copilot/1.0.102 (linux v20.20.2) term/xterm", {}, "copilot"],
    ["GitHubCopilotChat/0.30.0", {}, "copilot"],
    ["OpenAI/JS 5.20.1", { "x-initiator": "agent" }, "copilot"],
    ["Anthropic/JS 0.94.0", { "x-interaction-type": "conversation-user" }, "copilot"],
    ["OpenAI/Python 1.99.1", {}, "aider"],
    ["litellm/1.76.0", {}, "aider"],
    ["python-httpx/0.28.1", { "http-referer": "https://aider.chat", "x-title": "Aider" }, "aider"],
    ["Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Cursor/1.7.0 Chrome/132.0 Electron/34.0", {}, "cursor"],
    ["cursor-agent/2026.10.1", {}, "cursor"],
  ] as const)("%s -> %s", (ua, headers, agent) => {
    expect(agentFrom(ua, headers)).toBe(agent);
  });

  it.each([
    [undefined],
    [""],
    ["OpenAI/JS 5.20.1"], // a bare SDK user-agent: any script could send it
    ["Anthropic/JS 0.94.0"],
    ["curl/8.5.0"],
    ["Mozilla/5.0 (X11; Linux x86_64) Chrome/132.0"],
  ])("%s -> unknown", (ua) => {
    expect(agentFrom(ua)).toBe("unknown");
  });

  it("only ever returns one of the documented names", () => {
    for (const ua of ["x", "claude-cli/1", "codex_exec/1", "copilot/1", "litellm/1", "Cursor/1"]) {
      expect(AGENT_NAMES).toContain(agentFrom(ua));
    }
  });
});
