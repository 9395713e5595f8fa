/**
 * The real agents through a real headroom proxy to the scripted upstream:
 *
 *   agent --> recording relay --> headroom (startProxy, temp store) --> scripted upstream
 *
 * The relay in front records what the agent really sent (the original tool outputs) and the
 * response headers it got (x-headroom-status). Each session has 5 model turns: 4 real shell commands
 * with big outputs (sized under each agent's own truncation threshold, see the field notes, so the
 * outputs reach the model whole and are headroom's to compress), then a final answer.
 *
 * Faults that test/proxy/faults.test.ts already covers with plain HTTP clients (dead upstream,
 * reset mid-stream, malformed body, invalid UTF-8, gzip, 50 MB, a throwing compressor, Host guard)
 * are repeated here only where a real agent is involved: the agent's own reaction to them, or the
 * agent's session staying intact while they hit the same proxy.
 *
 * Needs the agents (scripts/install-e2e-agents.sh); an agent's tests are skipped when it is missing.
 */
import { execSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { Store } from "../../src/ccr/store.js";
import { parseMarkers } from "../../src/ccr/marker.js";
import type { LedgerEntry } from "../../src/ledger/types.js";
import { startProxy, type RunningProxy } from "../../src/proxy/server.js";
import type { CompressFn } from "../../src/proxy/transform.js";
import {
  agentInstalled,
  describeRun,
  notInstalledMessage,
  runClaude,
  runCodex,
  runCopilot,
  type AgentName,
  type AgentResult,
  type RunOptions,
} from "./support/agents.js";
import { startRelay, type Exchange, type Fault, type Relay } from "./support/relay.js";
import { say, shell, start, type RecordedRequest, type ScriptedUpstream, type Turn } from "./support/scripted-upstream.js";
import { toolCommands, toolOutputs } from "./support/tool-outputs.js";

const REPO = resolve(import.meta.dirname, "../..");

// Real commands with big outputs. Sizes (13.9 KB, ~8.6 KB, ~8.8 KB, ~3.6 KB) stay under the agents'
// own truncation thresholds (Claude Code ~30 KB, Copilot ~20 KB) except `seq` for Codex (10 KB:
// it keeps a head and a tail, which is still what headroom gets to compress).
const COMMANDS = {
  seq: "seq 1 3000",
  find: "find /usr/lib -maxdepth 3 | LC_ALL=C sort | head -300",
  // Sorted: Claude Code runs grep through its own ripgrep, whose file order varies.
  grep: `grep -rn function ${REPO}/node_modules/undici/lib | LC_ALL=C sort | head -80`,
  fail:
    "node -e 'for (let i = 0; i < 300; i++) console.log(\"step \" + i + \" ok\"); " +
    "function parseConfig() { throw new Error(\"config parse failed: missing key port\") } parseConfig()'",
} as const;
type CommandName = keyof typeof COMMANDS;
const COMPRESSIBLE: CommandName[] = ["seq", "find", "grep"];
const FINAL = "All four commands ran; the config parse failed because the key port is missing.";
const SCRIPT: Turn[] = [shell(COMMANDS.seq), shell(COMMANDS.find), shell(COMMANDS.grep), shell(COMMANDS.fail), say(FINAL)];
const PROMPT = "Run the commands I ask for, one at a time, and summarise.";

/** What each command prints when run here (stdout and stderr), for byte-exact comparisons. */
function ownOutput(command: string): string {
  try {
    return execSync(command, { encoding: "utf8", shell: "/bin/bash", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return `${e.stdout ?? ""}${e.stderr ?? ""}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Harness

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Rig {
  up: ScriptedUpstream;
  proxy: RunningProxy;
  /** The relay between the agent and headroom. */
  front: Relay;
  store: Store;
  entries: LedgerEntry[];
}

interface RigOptions {
  script?: Turn[];
  compress?: CompressFn;
  /** A fault relay between headroom and the scripted upstream. */
  upstreamFault?: (exchange: Exchange) => Fault | undefined;
}

async function rig(options: RigOptions = {}): Promise<Rig> {
  const up = await start(options.script ?? SCRIPT);
  cleanups.push(() => up.close());
  let upstreamBase = up.url;
  if (options.upstreamFault) {
    const fault = options.upstreamFault;
    const back = await startRelay({ target: up.url, fault });
    cleanups.push(() => back.close());
    upstreamBase = back.url;
  }
  const dir = mkdtempSync(join(tmpdir(), "headroom-e2e-proxy-"));
  const store = Store.open({ path: join(dir, "store.db") });
  cleanups.push(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const entries: LedgerEntry[] = [];
  const proxy = await startProxy({
    port: 0,
    store,
    upstreams: { anthropic: upstreamBase, openai: `${upstreamBase}/v1` },
    preloadTokenizer: false,
    record: (entry) => entries.push(entry),
    ...(options.compress ? { compress: options.compress } : {}),
  });
  cleanups.push(() => proxy.close());
  const front = await startRelay({ target: proxy.url });
  cleanups.push(() => front.close());
  return { up, proxy, front, store, entries };
}

type Runner = (opts: RunOptions) => Promise<AgentResult>;
interface AgentCase {
  label: string;
  agent: AgentName;
  run: Runner;
  /** Codex keeps only a head and a tail of outputs over ~10 KB before sending them. */
  truncatesAbove: number;
}

const CASES: AgentCase[] = [
  { label: "claude -p (Anthropic Messages)", agent: "claude", run: runClaude, truncatesAbove: 30_000 },
  { label: "codex exec (Responses)", agent: "codex", run: (o) => runCodex(o), truncatesAbove: 10_000 },
  { label: "copilot -p (Chat Completions)", agent: "copilot", run: (o) => runCopilot({ ...o, wire: "chat" }), truncatesAbove: 20_000 },
  { label: "copilot -p (Responses)", agent: "copilot", run: (o) => runCopilot({ ...o, wire: "responses" }), truncatesAbove: 20_000 },
];

const warned = new Set<AgentName>();
function skipUnless(name: AgentName): string | false {
  if (agentInstalled(name)) return false;
  const message = notInstalledMessage(name);
  if (!warned.has(name)) console.warn(`[e2e] skipping ${name} tests: ${message}`);
  warned.add(name);
  return message;
}

function runThrough(c: AgentCase, r: Rig, extra: Partial<RunOptions> = {}): Promise<AgentResult> {
  return c.run({ baseUrl: r.front.url, prompt: PROMPT, outboundProxy: r.up.url, timeoutMs: 60_000, ...extra });
}

/** The agent's main-thread model requests as the upstream received them (side requests dropped). */
const mainRequests = (up: ScriptedUpstream): RecordedRequest[] => up.modelRequests().filter((q) => q.shellToolName !== undefined);

function explain(r: AgentResult, rig: Rig): string {
  const requests = rig.up.requests.map((q) => `${q.method} ${q.url} [${q.kind}] turn=${q.turnIndex} status=${q.status}`).join("\n  ");
  const seen = rig.front.exchanges.map((x) => `${x.method} ${x.url} -> ${x.status} ${String(x.responseHeaders?.["x-headroom-status"])}`).join("\n  ");
  return `${describeRun(r)}\nupstream:\n  ${requests}\nagent saw:\n  ${seen}`;
}

const isModelPath = (url: string): boolean => /\/(messages|chat\/completions|responses)(\?|$)/.test(url);

// ---------------------------------------------------------------------------------------------
// Sessions

describe.each(CASES)("$label through headroom", (c) => {
  it.skipIf(skipUnless(c.agent))("completes a 5-turn session with compressed, cache-stable, retrievable tool outputs", async () => {
    const r = await rig();
    const result = await runThrough(c, r);
    const info = () => explain(result, r);
    expect(result.timedOut, info()).toBe(false);
    expect(result.exitCode, info()).toBe(0);
    expect(result.stdout, info()).toContain(FINAL);
    expect(r.up.outbound(), info()).toEqual([]);

    const main = mainRequests(r.up);
    expect(main.map((q) => q.turnIndex), info()).toEqual([0, 1, 2, 3, 4]);

    // What the agent sent (before headroom), by call id: the originals.
    const originals = new Map<string, string>();
    for (const x of r.front.exchanges) {
      if (x.method !== "POST" || !isModelPath(x.url)) continue;
      for (const [id, output] of toolOutputs(JSON.parse(x.requestBody.toString("utf8")))) originals.set(id, output.text);
    }

    // The last request carries all four outputs; find which command produced which.
    const last = main.at(-1)!;
    const commands = toolCommands(last.json);
    const forwarded = toolOutputs(last.json);
    const byCommand = new Map<CommandName, string>();
    for (const [id, command] of commands) {
      const name = (Object.keys(COMMANDS) as CommandName[]).find((n) => command.includes(COMMANDS[n]));
      if (name) byCommand.set(name, id);
    }
    expect([...byCommand.keys()].sort(), info()).toEqual(["fail", "find", "grep", "seq"]);

    let markers = 0;
    for (const name of Object.keys(COMMANDS) as CommandName[]) {
      const id = byCommand.get(name)!;
      const sent = forwarded.get(id)?.text;
      const original = originals.get(id);
      expect(sent, `${name}\n${info()}`).toBeDefined();
      expect(original, `${name}\n${info()}`).toBeDefined();
      // The agent's original holds the real command's output, byte for byte (unless the agent cut it).
      const own = ownOutput(COMMANDS[name]).trimEnd();
      if (name === "fail") {
        // Errors and stack traces reach the model verbatim.
        for (const line of ["Error: config parse failed: missing key port", "    at parseConfig ([eval]:1:"]) expect(sent, name).toContain(line);
        continue;
      }
      if (own.length < c.truncatesAbove) expect(original!.includes(own), `${name}: the agent's original holds the command's output`).toBe(true);
      else expect(original!.includes(own.slice(0, 200)), `${name}: at least the head`).toBe(true);
      if (!COMPRESSIBLE.includes(name)) continue;
      const found = parseMarkers(sent!);
      expect(found.length, `${name}: markers in what the upstream got\n${sent!.slice(0, 1500)}`).toBeGreaterThan(0);
      expect(sent!.length, name).toBeLessThan(original!.length);
      for (const marker of found) {
        // Every marker's hash gives back the agent's original, byte for byte.
        expect(r.store.get(marker.hash), `${name}: hash ${marker.hash}`).toBe(original);
        markers += 1;
      }
    }
    expect(markers).toBeGreaterThanOrEqual(3);

    // Turn N -> N+1: every tool output forwarded in one request comes again byte-identical in the next.
    let compared = 0;
    for (let i = 0; i + 1 < main.length; i++) {
      const now = toolOutputs(main[i]!.json);
      const next = toolOutputs(main[i + 1]!.json);
      for (const [id, output] of now) {
        const again = next.get(id);
        expect(again, `call ${id} missing from turn ${i + 1}`).toBeDefined();
        expect(JSON.stringify(again!.value), `call ${id}, turn ${i} -> ${i + 1}`).toBe(JSON.stringify(output.value));
        // The same bytes on the wire, not only the same parsed value.
        expect(main[i + 1]!.bodyText.includes(JSON.stringify(output.value)), `raw bytes of call ${id} in turn ${i + 1}`).toBe(true);
        compared += 1;
      }
    }
    expect(compared).toBe(1 + 2 + 3);

    // The prompt cache simulation sees each turn extend the previous one.
    for (const q of main.slice(1)) expect(q.usage?.cachedTokens ?? 0, info()).toBeGreaterThan(0);

    // What the agent saw: x-headroom-status on every model response. The first turn has no tool
    // output (unchanged); every later one forwards compressed outputs: "compressed", or
    // "over-budget" when the pipeline took longer than its 250 ms budget (it happens to a cold
    // proxy on a loaded machine; the compressed result is forwarded all the same, see status.ts).
    const statuses = r.front.exchanges.filter((x) => x.method === "POST" && isModelPath(x.url)).map((x) => String(x.responseHeaders?.["x-headroom-status"]));
    expect(statuses.length, info()).toBe(5);
    expect(statuses[0], info()).toBe("unchanged");
    for (const status of statuses.slice(1)) expect(["compressed", "over-budget"], info()).toContain(status);
    expect(statuses, info()).toContain("compressed");
    await r.proxy.settled();
    expect(r.entries.map((e) => e.status)).toEqual(statuses);
  });
});

// ---------------------------------------------------------------------------------------------
// Faults with real agents

describe("faults with real agents", () => {
  it.skipIf(skipUnless("claude") || skipUnless("codex"))("upstream down: the agent exits non-zero with a clear error at once, and the proxy keeps serving", async () => {
    const dead = await start([]);
    await dead.close();
    const proxy = await startProxy({ port: 0, store: null, upstreams: { anthropic: dead.url, openai: `${dead.url}/v1` }, preloadTokenizer: false });
    cleanups.push(() => proxy.close());
    for (const run of [runClaude, (o: RunOptions) => runCodex(o)]) {
      const result = await run({ baseUrl: proxy.url, prompt: PROMPT, timeoutMs: 45_000 });
      expect(result.timedOut, describeRun(result)).toBe(false);
      expect(result.exitCode, describeRun(result)).not.toBe(0);
      expect(result.durationMs, describeRun(result)).toBeLessThan(30_000);
      // headroom's 502 names the unreachable upstream and the cause, and the agent shows it.
      expect(`${result.stdout}${result.stderr}`, describeRun(result)).toMatch(/502.*headroom could not reach the upstream http:\/\/127\.0\.0\.1:\d+\/v1\/(messages|responses): connect ECONNREFUSED/);
    }
    const health = await fetch(`${proxy.url}/health`);
    expect(health.status).toBe(200);
  });

  it.skipIf(skipUnless("claude"))("connection reset mid-stream: the agent sees a broken stream, retries, gets the same bytes forwarded, and finishes", async () => {
    let armed = true;
    const r = await rig({
      script: [shell(COMMANDS.seq), say(FINAL)],
      upstreamFault: (exchange) => {
        // The first model request that carries a tool output gets its stream cut after 120 bytes.
        if (!armed || !isModelPath(exchange.url)) return undefined;
        if (toolOutputs(JSON.parse(exchange.requestBody.toString("utf8"))).size === 0) return undefined;
        armed = false;
        return { kind: "reset", afterBytes: 120 };
      },
    });
    const result = await runThrough(CASES[0]!, r, { timeoutMs: 45_000 });
    const info = () => explain(result, r);
    expect(armed, "the fault was injected").toBe(false);
    expect(result.timedOut, info()).toBe(false);
    // The cut reached the agent as a broken response (not a clean end of stream)...
    const seen = r.front.exchanges.filter((x) => isModelPath(x.url));
    expect(seen[1]?.error, info()).toBeDefined();
    // ...which Claude Code retries (stream errors are retried even with CLAUDE_CODE_MAX_RETRIES=0).
    // Either way the agent must end cleanly: done (exit 0) or a clear failure, never a hang.
    if (result.exitCode !== 0) {
      expect(`${result.stdout}${result.stderr}`, info()).toMatch(/error/i);
      return;
    }
    expect(result.stdout, info()).toContain(FINAL);
    const main = mainRequests(r.up);
    expect(main.map((q) => q.turnIndex), info()).toEqual([0, 1, 1]);
    // The retry is forwarded with exactly the bytes of the broken attempt (memo: the cache prefix holds).
    // The retry carries the tool output with exactly the bytes forwarded in the broken attempt (memo:
    // the cache prefix holds). The agent changes other fields on a retry (max_tokens), not the output.
    const before = [...toolOutputs(main[1]!.json).values()];
    const retried = toolOutputs(main[2]!.json);
    expect(before.length).toBe(1);
    for (const output of before) {
      expect(JSON.stringify(retried.get(output.id)?.value)).toBe(JSON.stringify(output.value));
      expect(main[2]!.bodyText.includes(JSON.stringify(output.value)), "same raw bytes").toBe(true);
    }
    expect(parseMarkers(main[2]!.bodyText).length).toBeGreaterThan(0);
  });

  it.skipIf(skipUnless("codex"))("slow upstream (2 s to first byte, 50 ms between chunks): the session completes, compressed", async () => {
    const r = await rig({ script: [shell(COMMANDS.grep), shell(COMMANDS.seq), say(FINAL)], upstreamFault: () => ({ kind: "slow", firstByteMs: 2000, chunkMs: 50 }) });
    const result = await runThrough(CASES[1]!, r);
    expect(result.exitCode, explain(result, r)).toBe(0);
    expect(result.stdout).toContain(FINAL);
    expect(mainRequests(r.up).length).toBe(3);
    const statuses = r.front.exchanges.filter((x) => isModelPath(x.url)).map((x) => x.responseHeaders?.["x-headroom-status"]);
    expect(statuses.filter((s) => s === "compressed" || s === "over-budget").length, explain(result, r)).toBe(2);
    expect(parseMarkers(mainRequests(r.up).at(-1)!.bodyText).length).toBeGreaterThan(0);
  });

  it.skipIf(skipUnless("copilot"))("a compressor that throws: the session completes and the upstream gets the agent's bytes unchanged", async () => {
    const throwing: CompressFn = () => {
      throw new Error("compressor bug (injected)");
    };
    const r = await rig({ script: [shell(COMMANDS.seq), shell(COMMANDS.grep), say(FINAL)], compress: throwing });
    const result = await runThrough(CASES[3]!, r);
    expect(result.exitCode, explain(result, r)).toBe(0);
    expect(result.stdout).toContain(FINAL);
    const sent = r.front.exchanges.filter((x) => x.method === "POST" && isModelPath(x.url));
    const received = r.up.modelRequests();
    expect(received.length).toBe(sent.length);
    sent.forEach((x, i) => expect(received[i]!.rawBody.equals(x.requestBody), `request ${i} forwarded byte for byte`).toBe(true));
    const statuses = sent.map((x) => x.responseHeaders?.["x-headroom-status"]);
    // The first request has no tool output (nothing to compress); the later ones bypass.
    expect(statuses.slice(1).every((s) => s === "bypass-error" || s === "bypass-breaker"), explain(result, r)).toBe(true);
  });

  it.skipIf(skipUnless("claude"))(
    "bad requests hitting the same proxy during a real session (malformed, invalid UTF-8, gzip, 50 MB, foreign Host) get clear answers and the session is intact",
    async () => {
      const r = await rig();
      const session = runThrough(CASES[0]!, r);
      const fixture = JSON.parse(readFileSync(join(REPO, "test/fixtures/agent-requests/claude-code.jsonl"), "utf8").trim().split("\n").at(-1)!) as {
        headers: Record<string, string>;
        body: unknown;
      };
      const anthropicHeaders = { "content-type": "application/json", "anthropic-version": "2023-06-01", "x-api-key": "sk-e2e" };
      const huge = JSON.stringify({ model: "gpt-4.1", stream: true, messages: [{ role: "user", content: "x".repeat(50 * 1024 * 1024) }] });
      const invalidUtf8 = Buffer.concat([Buffer.from('{"model":"gpt-4.1","messages":[{"role":"tool","tool_call_id":"c","content":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}]}')]);
      const answers = await Promise.all([
        raw(r.proxy.url, "/v1/messages?beta=true", { headers: anthropicHeaders, body: '{"model":"claude","messages":[' }),
        raw(r.proxy.url, "/v1/chat/completions", { headers: { "content-type": "application/json", authorization: "Bearer e2e" }, body: invalidUtf8 }),
        raw(r.proxy.url, "/v1/messages?beta=true", {
          headers: { ...anthropicHeaders, "content-encoding": "gzip" },
          body: gzipSync(Buffer.from(JSON.stringify(fixture.body))),
        }),
        raw(r.proxy.url, "/v1/chat/completions", { headers: { "content-type": "application/json", authorization: "Bearer e2e" }, body: huge }),
        raw(r.proxy.url, "/v1/messages", { headers: { ...anthropicHeaders, host: "evil.example:80" }, body: "{}" }),
      ]);
      const [malformed, badUtf8, gzip, big, foreign] = answers;
      // Each gets either the upstream's answer or a clear error from headroom: never a hang.
      expect(malformed!.status).toBe(400); // the scripted upstream's own answer to a non-JSON body
      expect(malformed!.headers["x-headroom-status"]).toBe("bypass-unparseable");
      expect(badUtf8!.headers["x-headroom-status"]).toBe("bypass-unparseable");
      expect(gzip!.status).toBe(200);
      expect(["compressed", "over-budget"]).toContain(gzip!.headers["x-headroom-status"]);
      expect(gzip!.body.toString()).toContain("message_stop");
      expect(big!.status).toBe(200);
      expect(big!.body.toString()).toContain("data: [DONE]");
      expect(foreign!.status).toBe(403);
      expect(foreign!.body.toString()).toContain("Host header");
      const result = await session;
      expect(result.exitCode, explain(result, r)).toBe(0);
      expect(result.stdout).toContain(FINAL);
      // The agent's own turns (the gzip fixture replay offers a Bash tool too, but no session header).
      expect(mainRequests(r.up).filter((q) => q.headers["x-claude-code-session-id"] !== undefined).map((q) => q.turnIndex)).toEqual([0, 1, 2, 3, 4]);
      expect((await fetch(`${r.proxy.url}/health`)).status).toBe(200);
    },
  );
});

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One request with node:http (any Host header), bounded by a 30 s timeout: a hang fails the test. */
function raw(base: string, path: string, options: { headers: Record<string, string>; body: string | Buffer }): Promise<RawAnswer> {
  return new Promise((resolvePromise, reject) => {
    const req = httpRequest(`${base}${path}`, { method: "POST", headers: options.headers, agent: false, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within 30 s for ${path}`)));
    req.on("error", reject);
    req.end(options.body);
  });
}
