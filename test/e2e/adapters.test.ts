/**
 * The adapters' plans, run with the real pinned agents: each agent is launched with exactly the
 * plan's bin/args/env (no other base-URL variable set), against the scripted upstream standing in
 * for headroom's proxy. The run must complete, send its model requests (and the user's
 * credential) to the "proxy", start the MCP server the plan registered (a stub that records its
 * start), and leave the user's config files byte-identical.
 *
 * Needs the agents: scripts/install-e2e-agents.sh (skipped with the reason otherwise).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ASSUME_FIRST_PARTY } from "../../adapters/claude.js";
import { adapterFor } from "../../adapters/index.js";
import type { Adapter } from "../../adapters/types.js";
import {
  agentInstalled,
  claudeInvocation,
  codexInvocation,
  copilotInvocation,
  describeRun,
  notInstalledMessage,
  runInvocation,
  TEST_API_KEY,
  type AgentName,
  type AgentResult,
  type Invocation,
} from "./support/agents.js";
import { carries, say, shell, start, type ScriptedUpstream } from "./support/scripted-upstream.js";

const MCP_STUB = join(import.meta.dirname, "..", "fixtures", "adapters", "mcp-stub.mjs");
const COMMAND = "seq 1 50";
const PROMPT = `Run \`${COMMAND}\` and tell me the last number.`;
const FINAL = "The last number is 50.";

let upstream: ScriptedUpstream | undefined;
afterEach(async () => {
  await upstream?.close();
  upstream = undefined;
});

function skipUnless(name: AgentName): string | false {
  return agentInstalled(name) ? false : notInstalledMessage(name);
}

const sha = (path: string): string => createHash("sha256").update(readFileSync(path)).digest("hex");

interface Run {
  result: AgentResult;
  marker: string;
  up: ScriptedUpstream;
}

/**
 * Prepares `adapter` in the invocation's environment (with `userEnv` applied and the runner's
 * own base-URL variables removed), runs the agent with the plan, undoes it, and checks the
 * user's files (`userFiles`) are byte-identical afterwards.
 */
async function runPlan(adapter: Adapter, inv: Invocation, userArgs: string[], up: ScriptedUpstream, userFiles: string[]): Promise<Run> {
  const marker = join(inv.home, "mcp-started.log");
  const before = userFiles.map(sha);
  const plan = await adapter.prepare({ proxyUrl: up.url, env: inv.env, userArgs, mcp: { command: process.execPath, args: [MCP_STUB, marker] }, cwd: inv.cwd });
  expect(plan.proxied, plan.notices.join("\n")).toBe(true);
  let result: AgentResult;
  try {
    result = await runInvocation({ ...inv, bin: plan.bin, args: plan.args, env: plan.env }, { keepHome: true });
  } finally {
    await plan.undo();
  }
  expect(userFiles.map(sha)).toEqual(before);
  return { result, marker, up };
}

function expectCompleted(r: Run): void {
  const info = `${describeRun(r.result)}\nrequests: ${r.up.requests.map((q) => `${q.method} ${q.url} [${q.kind}]`).join(", ")}`;
  expect(r.result.timedOut, info).toBe(false);
  expect(r.result.exitCode, info).toBe(0);
  expect(r.result.stdout, info).toContain(FINAL);
  const main = r.up.modelRequests().filter((q) => q.shellToolName !== undefined);
  expect(main.some((q) => q.turnIndex === 1 && carries(q.bodyText, "\n49\n50")), info).toBe(true);
  expect(existsSync(r.marker) ? readFileSync(r.marker, "utf8") : "", `MCP server not started\n${info}`).toMatch(/initialize/);
}

function withoutKeys(env: Record<string, string>, keys: string[]): Record<string, string> {
  const out = { ...env };
  for (const k of keys) delete out[k];
  return out;
}

describe("claude plan on the real Claude Code", () => {
  it.skipIf(skipUnless("claude"))("behind a gateway: completes through the proxy with the user's API key, MCP started, nothing else contacted", async () => {
    const up = (upstream = await start([shell(COMMAND), say(FINAL)]));
    const inv = claudeInvocation({ baseUrl: up.url, prompt: PROMPT, outboundProxy: up.url });
    // The user's own gateway; headroom's proxy (here: the scripted upstream) stands in front of it.
    inv.env = { ...inv.env, ANTHROPIC_BASE_URL: "https://llm-gateway.corp.example" };
    const settings = join(inv.home, ".claude", "settings.json");
    mkdirSync(join(inv.home, ".claude"), { recursive: true });
    writeFileSync(settings, JSON.stringify({ permissions: { allow: ["Bash"] } }));
    expect(await adapterFor("claude").discoverUpstream(inv.env, { userArgs: inv.args, cwd: inv.cwd })).toEqual({ anthropic: "https://llm-gateway.corp.example" });
    try {
      const r = await runPlan(adapterFor("claude"), inv, inv.args, up, [settings]);
      expectCompleted(r);
      const first = up.modelRequests()[0];
      expect(first?.headers["x-api-key"]).toBe(TEST_API_KEY);
      expect(up.outbound().map((q) => q.url)).toEqual([]);
    } finally {
      rmSync(inv.home, { recursive: true, force: true });
    }
  });

  it.skipIf(skipUnless("claude"))("first-party user with an OAuth token: the bearer passes untouched and first-party betas are kept", async () => {
    const up = (upstream = await start([shell(COMMAND), say(FINAL)]));
    // First party, Claude Code also calls api.anthropic.com directly (as it does without headroom):
    // the trap refuses those at once instead of letting them time out.
    const inv = claudeInvocation({ baseUrl: up.url, prompt: PROMPT, outboundProxy: up.url });
    inv.env = { ...withoutKeys(inv.env, ["ANTHROPIC_BASE_URL", "ANTHROPIC_API_KEY"]), CLAUDE_CODE_OAUTH_TOKEN: "sk-ant-oat01-headroom-test" };
    try {
      const r = await runPlan(adapterFor("claude"), inv, inv.args, up, []);
      expect(r.result.argv.join(" ")).toContain(ASSUME_FIRST_PARTY);
      expectCompleted(r);
      const first = up.modelRequests()[0];
      expect(first?.headers.authorization).toBe("Bearer sk-ant-oat01-headroom-test");
      // Measured on 2.1.331: these betas are sent to api.anthropic.com but dropped for a "gateway".
      expect(String(first?.headers["anthropic-beta"])).toContain("prompt-caching-scope");
    } finally {
      rmSync(inv.home, { recursive: true, force: true });
    }
  });
});

const CODEX_PROVIDER_ARG = /^(model_provider=|model_providers\.e2e=)/;
/** The runner's codex args without its own provider overrides: what a user would type. */
function codexUserArgs(inv: Invocation): string[] {
  const out: string[] = [];
  for (let i = 0; i < inv.args.length; i++) {
    if (inv.args[i] === "-c" && CODEX_PROVIDER_ARG.test(inv.args[i + 1] ?? "")) {
      i++;
      continue;
    }
    out.push(inv.args[i] as string);
  }
  return out;
}

describe("codex plan on the real Codex", () => {
  it.skipIf(skipUnless("codex"))("a user-defined provider in config.toml: base_url moved to the proxy, its env_key used, MCP started", async () => {
    const up = (upstream = await start([shell(COMMAND), say(FINAL)]));
    const inv = codexInvocation({ baseUrl: up.url, prompt: PROMPT, outboundProxy: up.url });
    const codexHome = inv.env.CODEX_HOME as string;
    const config = join(codexHome, "config.toml");
    writeFileSync(
      config,
      `model_provider = "corp"\n\n[model_providers.corp]\nname = "Corp"\nbase_url = "https://llm.corp.example/v1"\nenv_key = "CORP_OPENAI_KEY"\nwire_api = "responses"\nrequest_max_retries = 0\nstream_max_retries = 0\n`,
    );
    inv.env = { ...withoutKeys(inv.env, ["OPENAI_API_KEY"]), CORP_OPENAI_KEY: "sk-corp-headroom-test" };
    const userArgs = codexUserArgs(inv);
    expect(await adapterFor("codex").discoverUpstream(inv.env, { userArgs })).toEqual({ openai: "https://llm.corp.example/v1" });
    try {
      const r = await runPlan(adapterFor("codex"), inv, userArgs, up, [config]);
      expectCompleted(r);
      expect(up.modelRequests()[0]?.headers.authorization).toBe("Bearer sk-corp-headroom-test");
      expect(up.outbound().map((q) => q.url)).toEqual([]);
    } finally {
      rmSync(inv.home, { recursive: true, force: true });
    }
  });

  it.skipIf(skipUnless("codex"))("the built-in OpenAI provider with OPENAI_API_KEY: a `headroom` provider with the same key", async () => {
    const up = (upstream = await start([shell(COMMAND), say(FINAL)]));
    const inv = codexInvocation({ baseUrl: up.url, prompt: PROMPT, outboundProxy: up.url });
    const userArgs = codexUserArgs(inv);
    expect(await adapterFor("codex").discoverUpstream(inv.env, { userArgs })).toEqual({ openai: "https://api.openai.com/v1" });
    try {
      const r = await runPlan(adapterFor("codex"), inv, userArgs, up, []);
      expectCompleted(r);
      expect(up.modelRequests()[0]?.headers.authorization).toBe(`Bearer ${TEST_API_KEY}`);
    } finally {
      rmSync(inv.home, { recursive: true, force: true });
    }
  });
});

describe("copilot plan on the real Copilot CLI", () => {
  it.skipIf(skipUnless("copilot"))("a bring-your-own provider: base URL moved to the proxy, key and model kept, MCP started", async () => {
    const up = (upstream = await start([shell(COMMAND), say(FINAL)]));
    const inv = copilotInvocation({ baseUrl: up.url, prompt: PROMPT, wire: "chat", outboundProxy: up.url });
    inv.env = { ...inv.env, COPILOT_PROVIDER_BASE_URL: "https://llm.corp.example/v1" };
    expect(await adapterFor("copilot").discoverUpstream(inv.env, { userArgs: inv.args })).toEqual({ openai: "https://llm.corp.example/v1" });
    try {
      const r = await runPlan(adapterFor("copilot"), inv, inv.args, up, []);
      expectCompleted(r);
      expect(up.modelRequests()[0]?.headers.authorization).toBe(`Bearer ${TEST_API_KEY}`);
      expect(up.outbound().map((q) => q.url)).toEqual([]);
    } finally {
      rmSync(inv.home, { recursive: true, force: true });
    }
  });
});
