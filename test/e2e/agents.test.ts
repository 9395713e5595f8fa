/**
 * The e2e infrastructure, proven on the real agents pointed DIRECTLY at the scripted upstream
 * (no headroom in between): each agent runs a 2-turn session (one real shell command, then a final
 * answer), exits 0, and the upstream receives the command's output in the second request.
 *
 * Needs the agents: scripts/install-e2e-agents.sh. Each agent's tests are skipped (with the reason)
 * when its binary is not installed.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  agentInstalled,
  describeRun,
  notInstalledMessage,
  runClaude,
  runCodex,
  runCopilot,
  type AgentName,
  type AgentResult,
} from "./support/agents.js";
import { carries, say, shell, start, type RecordedRequest, type ScriptedUpstream, type Wire } from "./support/scripted-upstream.js";

const COMMAND = "seq 1 3000";
const PROMPT = `Run \`${COMMAND}\` and tell me the last number.`;
const FINAL = "There are 3000 numbers; the last one is 3000.";
// Lines of `seq 1 3000` that must reach the model (whole or at least head and tail: the agents keep
// outputs under ~10 KB whole; this one is 13.9 KB, so Codex keeps a head and a tail).
const EXPECTED_LINES = ["1\n2\n3\n4\n5\n", "\n2999\n3000"];

let upstream: ScriptedUpstream | undefined;
afterEach(async () => {
  await upstream?.close();
  upstream = undefined;
});

const warned = new Set<AgentName>();
/** For it.skipIf: false when the agent is installed, else the reason (printed once per agent). */
function skipUnless(name: AgentName): string | false {
  if (agentInstalled(name)) return false;
  const msg = notInstalledMessage(name);
  if (!warned.has(name)) console.warn(`[e2e] skipping ${name} tests: ${msg}`);
  warned.add(name);
  return msg;
}

/** Checks shared by every agent: exit 0, two model requests, the tool output in the second. */
function expectTwoTurnSession(r: AgentResult, up: ScriptedUpstream, wire: Wire): RecordedRequest[] {
  const info = (): string => `${describeRun(r)}\nrequests: ${up.requests.map((q) => `${q.method} ${q.url} [${q.kind}] turn=${q.turnIndex}`).join(", ")}`;
  expect(r.timedOut, info()).toBe(false);
  expect(r.exitCode, info()).toBe(0);
  const main = up.modelRequests().filter((q) => q.kind === wire && q.shellToolName !== undefined);
  const first = main.find((q) => q.turnIndex === 0);
  const second = main.find((q) => q.turnIndex === 1);
  expect(first, info()).toBeDefined();
  expect(second, info()).toBeDefined();
  expect(first?.turn?.kind, info()).toBe("shell");
  expect(second?.turn?.kind, info()).toBe("text");
  for (const line of EXPECTED_LINES) expect(carries(second?.bodyText ?? "", line), `${line}\n${info()}`).toBe(true);
  // The final answer reaches the agent's output.
  expect(r.stdout, info()).toContain(FINAL);
  // The cache simulation saw the second request extend the first.
  expect(second?.usage?.cachedTokens ?? 0, info()).toBeGreaterThan(0);
  // The quiet/offline switches work: nothing tried to leave the machine (proxy trap).
  expect(up.outbound().map((q) => q.url), info()).toEqual([]);
  return main;
}

describe("claude (Anthropic Messages)", () => {
  it.skipIf(skipUnless("claude"))("runs a shell command and sends its output back", async () => {
    const up = (upstream = await start([shell(COMMAND), say(FINAL)]));
    const r = await runClaude({ baseUrl: up.url, prompt: PROMPT, outboundProxy: up.url });
    const main = expectTwoTurnSession(r, up, "anthropic");
    expect(main[0]?.shellToolName).toBe("Bash");
    expect(main[0]?.url).toMatch(/^\/v1\/messages/);
    expect(main[0]?.headers["x-api-key"]).toBeDefined();
  });
});

describe("codex (OpenAI Responses)", () => {
  it.skipIf(skipUnless("codex"))("runs a shell command and sends its output back (function tools)", async () => {
    const up = (upstream = await start([shell(COMMAND), say(FINAL)]));
    const r = await runCodex({ baseUrl: up.url, prompt: PROMPT, outboundProxy: up.url });
    const main = expectTwoTurnSession(r, up, "responses");
    expect(main[0]?.shellToolName).toBe("exec_command");
    expect(main[0]?.path).toBe("/v1/responses");
  });

  it.skipIf(skipUnless("codex"))("runs a shell command with its default model (code-mode exec tool)", async () => {
    const up = (upstream = await start([shell(COMMAND), say(FINAL)]));
    const r = await runCodex({ baseUrl: up.url, model: null, prompt: PROMPT, outboundProxy: up.url });
    const main = expectTwoTurnSession(r, up, "responses");
    expect(main[0]?.shellToolName).toBeDefined();
  });
});

describe("copilot", () => {
  for (const wire of ["chat", "responses"] as const) {
    it.skipIf(skipUnless("copilot"))(`runs a shell command and sends its output back (${wire} wire)`, async () => {
      const up = (upstream = await start([shell(COMMAND), say(FINAL)]));
      const r = await runCopilot({ baseUrl: up.url, wire, prompt: PROMPT, outboundProxy: up.url });
      const main = expectTwoTurnSession(r, up, wire);
      expect(main[0]?.shellToolName).toBe("bash");
      expect(main[0]?.path).toBe(wire === "chat" ? "/v1/chat/completions" : "/v1/responses");
    });
  }

  it.skipIf(skipUnless("copilot"))("runs a shell command and sends its output back (anthropic wire)", async () => {
    const up = (upstream = await start([shell(COMMAND), say(FINAL)]));
    const r = await runCopilot({ baseUrl: up.url, wire: "anthropic", prompt: PROMPT, outboundProxy: up.url });
    const main = expectTwoTurnSession(r, up, "anthropic");
    expect(main[0]?.shellToolName).toBe("bash");
  });
});
