/**
 * The agent runner's process handling, without the agents: isolation of the environment, stdin
 * closed, and the timeout killing the whole process group.
 */
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { claudeInvocation, codexInvocation, copilotInvocation, runInvocation, TEST_API_KEY } from "./support/agents.js";

const bash = (script: string) => ({ command: { bin: "bash", args: ["-c", script] } });

describe("agent runner", () => {
  it("runs in a fresh HOME with a minimal env and stdin closed, and deletes the HOME afterwards", async () => {
    process.env.HEADROOM_E2E_LEAK_CHECK = "leak";
    try {
      const inv = claudeInvocation({ baseUrl: "http://127.0.0.1:9/prefix/", prompt: "x" });
      const r = await runInvocation(inv, bash('echo "home=$HOME leak=${HEADROOM_E2E_LEAK_CHECK:-none} base=$ANTHROPIC_BASE_URL"; cat; echo "stdin-eof"'));
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toContain(`home=${inv.home} leak=none base=http://127.0.0.1:9/prefix`);
      expect(r.stdout).toContain("stdin-eof");
      expect(inv.env.ANTHROPIC_API_KEY).toBe(TEST_API_KEY);
      expect(existsSync(inv.home)).toBe(false);
    } finally {
      delete process.env.HEADROOM_E2E_LEAK_CHECK;
    }
  });

  it("builds each agent's base URL: as given for Anthropic, with /v1 once for OpenAI-style", async () => {
    const codex = codexInvocation({ baseUrl: "http://127.0.0.1:9", prompt: "x" });
    expect(codex.args.join(" ")).toContain('base_url="http://127.0.0.1:9/v1"');
    expect(codex.env.CODEX_HOME).toBe(`${codex.home}/.codex`);
    expect(existsSync(codex.env.CODEX_HOME!)).toBe(true);
    const chat = copilotInvocation({ baseUrl: "http://127.0.0.1:9/v1/", prompt: "x", wire: "chat" });
    expect(chat.env.COPILOT_PROVIDER_BASE_URL).toBe("http://127.0.0.1:9/v1");
    const anth = copilotInvocation({ baseUrl: "http://127.0.0.1:9", prompt: "x", wire: "anthropic" });
    expect(anth.env).toMatchObject({ COPILOT_PROVIDER_BASE_URL: "http://127.0.0.1:9", COPILOT_PROVIDER_TYPE: "anthropic" });
    const resp = copilotInvocation({ baseUrl: "http://127.0.0.1:9", prompt: "x", wire: "responses" });
    expect(resp.env.COPILOT_PROVIDER_WIRE_API).toBe("responses");
    await Promise.all([codex, chat, anth, resp].map((inv) => runInvocation(inv, bash("true")))); // cleans the homes
  });

  it("kills the whole process group on timeout", async () => {
    const inv = claudeInvocation({ baseUrl: "http://127.0.0.1:9", prompt: "x" });
    const started = Date.now();
    // The child sleeps in the background, the shell waits: both must die.
    const r = await runInvocation(inv, { ...bash("sleep 30 & wait"), timeoutMs: 300 });
    expect(r.timedOut).toBe(true);
    expect(r.signal).toBe("SIGKILL");
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
