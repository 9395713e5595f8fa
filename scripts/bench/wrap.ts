// `npm run bench:wrap`: whole agent sessions through `headroom wrap` vs the agent alone.
//
// A scripted session of 12 tool calls running real commands on a real code tree (undici's sources
// from node_modules, a git repository built from them, a failing `node --test` run, `npm ls`), then
// a final answer, played by the scripted upstream (test/e2e/support/scripted-upstream.ts) to the
// real pinned agents (test/e2e/agents). The upstream simulates a provider's prompt cache: the
// longest prefix of a request seen before is a cache read, the rest uncached input (chars / 4).
//
// Per agent, variants:
//   direct      the agent alone (its own truncation of big outputs)
//   wrap-cut    `headroom wrap`, the agent's truncation forced to its default by a user flag
//   wrap-raised `headroom wrap`, the agent's truncation threshold raised by a user flag
//   wrap        `headroom wrap` as shipped (no flags: whatever the adapter does)
//
// Billed input = uncached input at full price + cache reads at 0.1x (Anthropic: $3 / $0.30 per M
// for Claude Sonnet 4.x; OpenAI: $1.25 / $0.125 per M for gpt-5-codex; cache writes are not
// simulated by the upstream, so no write premium is counted on either side).
//
// Needles: for every command, a fact from the middle of its real output (a unique line, or a
// unique string value for JSON). Kept = in the text the model received, or retrievable: a marker in
// that text names a hash whose stored original contains it. Lost = cut by the agent (or dropped).
//
// Per call, the text output also lists what the model received under each variant and what headroom
// did to it (kind, tokens before -> after, from the ledger row a marker's hash names).
//
// Usage: node --import tsx scripts/bench/wrap.ts [--json] [--agents claude,codex,copilot]
//          [--variants direct,wrap-cut,wrap-raised,wrap]
// Needs `npm run build` (bin/headroom.js) and the agents (scripts/install-e2e-agents.sh).
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  agentInstalled,
  claudeInvocation,
  codexInvocation,
  copilotInvocation,
  runInvocation,
  type AgentName,
  type AgentResult,
  type Invocation,
} from "../../test/e2e/support/agents.js";
import { say, shell, start, type RecordedRequest, type ScriptedUpstream, type Turn } from "../../test/e2e/support/scripted-upstream.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const HEADROOM = join(ROOT, "bin", "headroom.js");
const UNDICI = join(ROOT, "node_modules", "undici");
const CACHE_READ_PRICE = 0.1;
const PRICE_PER_M: Record<AgentName, { model: string; input: number }> = {
  claude: { model: "Claude Sonnet 4.x", input: 3 },
  codex: { model: "gpt-5-codex", input: 1.25 },
  copilot: { model: "gpt-4.1 (chat)", input: 2 },
};

export type Variant = "direct" | "wrap-cut" | "wrap-raised" | "wrap";
const ALL_VARIANTS: Variant[] = ["direct", "wrap-cut", "wrap-raised", "wrap"];

/**
 * Each agent's own truncation knob, as measured with the pinned binaries (see scripts/bench/README.md):
 * `cut` forces the default, `raised` lets whole outputs (up to the knob's cap) through.
 */
const KNOBS: Record<AgentName, { cut: Knob; raised: Knob }> = {
  // Claude Code 2.1.331: settings key bashOutputMaxChars (default 30000, clamped to 4000-128000).
  claude: { cut: { args: ["--settings", '{"bashOutputMaxChars":30000}'] }, raised: { args: ["--settings", '{"bashOutputMaxChars":128000}'] } },
  // Codex 0.169: tool_output_token_limit (~4 bytes a token; default keeps ~10 KB; exec_command caps a call at 10000 tokens).
  codex: { cut: { args: ["-c", "tool_output_token_limit=2500"] }, raised: { args: ["-c", "tool_output_token_limit=10000"] } },
  // Copilot CLI 1.0.102: COPILOT_LARGE_OUTPUT_THRESHOLD_BYTES (an output over it becomes a 500-char preview).
  copilot: { cut: { env: { COPILOT_LARGE_OUTPUT_THRESHOLD_BYTES: "20000" } }, raised: { env: { COPILOT_LARGE_OUTPUT_THRESHOLD_BYTES: "131072" } } },
};
interface Knob {
  args?: string[];
  env?: Record<string, string>;
}

// ---------------------------------------------------------------------------------------------
// The code tree

function git(cwd: string, args: string[]): void {
  execFileSync("git", args, {
    cwd,
    stdio: "ignore",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "Bench",
      GIT_AUTHOR_EMAIL: "bench@example.invalid",
      GIT_COMMITTER_NAME: "Bench",
      GIT_COMMITTER_EMAIL: "bench@example.invalid",
      GIT_AUTHOR_DATE: "2025-06-01T12:00:00Z",
      GIT_COMMITTER_DATE: "2025-06-01T12:00:00Z",
    },
  });
}

/** A work tree: node_modules (link to the repo's), a git repo of undici's core, a test suite with one failure. */
function buildTree(): string {
  const work = mkdtempSync(join(tmpdir(), "headroom-bench-wrap-"));
  execFileSync("ln", ["-s", join(ROOT, "node_modules"), join(work, "node_modules")]);
  writeFileSync(join(work, "package.json"), `${JSON.stringify({ name: "bench-app", version: "1.0.0", private: true, type: "module" }, null, 2)}\n`);
  // A repository whose history is real code: undici's lib/core and lib/api, one file per commit.
  const repo = join(work, "repo");
  mkdirSync(join(repo, "lib"), { recursive: true });
  git(repo, ["init", "-q", "-b", "main"]);
  for (const dir of ["core", "api"]) {
    for (const file of readdirSync(join(UNDICI, "lib", dir)).sort()) {
      mkdirSync(join(repo, "lib", dir), { recursive: true });
      cpSync(join(UNDICI, "lib", dir, file), join(repo, "lib", dir, file));
      git(repo, ["add", "."]);
      git(repo, ["commit", "-q", "-m", `Add lib/${dir}/${file}`]);
    }
  }
  // A test suite: 120 passing tests and one failure in the middle.
  const tests = join(work, "test");
  mkdirSync(tests, { recursive: true });
  const cases: string[] = ['import { test } from "node:test";', 'import assert from "node:assert/strict";', ""];
  for (let i = 1; i <= 120; i++) {
    if (i === 67) cases.push(`test("parses Content-Length header case ${i}", () => { assert.equal(Number("1024 "), 1042, "content-length mismatch for chunk 67"); });`);
    else cases.push(`test("parses Content-Length header case ${i}", () => { assert.equal(Number("${i * 8}"), ${i * 8}); });`);
  }
  writeFileSync(join(tests, "headers.test.js"), `${cases.join("\n")}\n`);
  return work;
}

/**
 * The session: 12 real commands, then the answer. (No `cd`: Claude Code's shell keeps the working
 * directory from one call to the next, the others do not.)
 */
const COMMANDS: string[] = [
  "find node_modules/undici -type f",
  'grep -rn "throw new" node_modules/undici/lib',
  "cat node_modules/undici/README.md",
  "npm ls --json --all",
  "ls -laR node_modules/undici/lib",
  "node --test --test-reporter=tap test/",
  "git -C repo log -p -n 6 -- lib/core",
  'grep -rn "require(" node_modules/undici/lib',
  "cat node_modules/undici/lib/dispatcher/client-h1.js",
  "git -C repo log --stat",
  'grep -rn "function" node_modules/undici/lib/web',
  "cat node_modules/undici/lib/core/util.js",
];

interface Needle {
  command: number;
  text: string;
  /** Where in the output (0..1). */
  at: number;
}

/** Needles chosen by hand where the output has run-to-run noise (timings). */
const FIXED_NEEDLES: Record<string, string> = {
  "node --test --test-reporter=tap test/": "content-length mismatch for chunk 67",
};
/** Lines that differ between runs: never needles. */
const NOISY = /duration_ms|\d+(\.\d+)?\s*m?s\b|\b\d{2}:\d{2}:\d{2}\b/;

/** A fact from the middle of an output: a unique line (or, for JSON, a unique string value). */
function pickNeedle(output: string, command: number): Needle | undefined {
  const fixed = FIXED_NEEDLES[COMMANDS[command] as string];
  if (fixed !== undefined) {
    const at = output.indexOf(fixed);
    return at < 0 ? undefined : { command, text: fixed, at: at / output.length };
  }
  const lines = output.split("\n");
  const json = /^\s*[[{]/.test(output);
  const counts = new Map<string, number>();
  const candidate = (line: string): string | undefined => {
    if (json) {
      const m = /"([^"]{16,80})"\s*[,}]?\s*$/.exec(line);
      return m?.[1];
    }
    const t = line.trim();
    return t.length >= 24 && t.length <= 160 && !NOISY.test(t) ? t : undefined;
  };
  for (const line of lines) {
    const c = candidate(line);
    if (c !== undefined) counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  const mid = Math.floor(lines.length * 0.55);
  for (let d = 0; d < lines.length; d++) {
    for (const i of [mid + d, mid - d]) {
      const c = i >= 0 && i < lines.length ? candidate(lines[i] as string) : undefined;
      if (c !== undefined && counts.get(c) === 1 && output.split(c).length === 2) return { command, text: c, at: i / lines.length };
    }
  }
  return undefined;
}

function runLocally(work: string, command: string): string {
  const r = spawnSync("bash", ["-c", command], { cwd: work, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: "1" } });
  return `${r.stdout}${r.stderr}`;
}

// ---------------------------------------------------------------------------------------------
// Reading what the upstream received

/** The tool results of the main conversation, in call order, as the model received them. */
function toolResults(req: RecordedRequest): string[] {
  const body = req.json as Record<string, unknown>;
  const out: string[] = [];
  const textOf = (v: unknown): string =>
    typeof v === "string" ? v : Array.isArray(v) ? v.map((x) => (typeof x === "object" && x !== null ? String((x as Record<string, unknown>).text ?? "") : "")).join("") : "";
  if (req.kind === "anthropic") {
    for (const m of (body.messages as Record<string, unknown>[]) ?? []) {
      if (!Array.isArray(m.content)) continue;
      for (const c of m.content as Record<string, unknown>[]) if (c.type === "tool_result") out.push(textOf(c.content));
    }
  } else if (req.kind === "responses") {
    for (const it of (body.input as Record<string, unknown>[]) ?? []) {
      if (it.type === "function_call_output" || it.type === "custom_tool_call_output") out.push(textOf(it.output));
    }
  } else {
    for (const m of (body.messages as Record<string, unknown>[]) ?? []) if (m.role === "tool") out.push(textOf(m.content));
  }
  return out;
}

const HASH = /hash=([0-9a-f]{16})/g;

function retrieveOriginal(headroomHome: string, hash: string, cache: Map<string, string>): string {
  const hit = cache.get(hash);
  if (hit !== undefined) return hit;
  const r = spawnSync(process.execPath, [HEADROOM, "retrieve", hash], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, env: { ...process.env, HEADROOM_HOME: headroomHome } });
  const text = r.status === 0 ? r.stdout : "";
  cache.set(hash, text);
  return text;
}

/** One tool output as headroom's ledger recorded it (o200k tokens). */
export interface Compression {
  kind: string;
  tokensBefore: number;
  tokensAfter: number;
  markers: number;
}

/** The ledger's compressions of a run (`headroom show --json`), by hash. */
function ledgerCompressions(headroomHome: string): Map<string, Compression> {
  const r = spawnSync(process.execPath, [HEADROOM, "show", "1000", "--json"], { encoding: "utf8", env: { ...process.env, HEADROOM_HOME: headroomHome } });
  const out = new Map<string, Compression>();
  if (r.status !== 0) return out;
  const rows = (JSON.parse(r.stdout) as { compressions?: (Compression & { hash: string })[] }).compressions ?? [];
  for (const row of rows) out.set(row.hash, { kind: row.kind, tokensBefore: row.tokensBefore, tokensAfter: row.tokensAfter, markers: row.markers });
  return out;
}

export interface RunResult {
  agent: AgentName;
  variant: Variant;
  exitCode: number | null;
  requests: number;
  promptTokens: number;
  cachedTokens: number;
  uncachedTokens: number;
  /** uncached + 0.1 x cached, in input-token equivalents. */
  billed: number;
  dollars: number;
  cacheShare: number;
  /** Characters of each tool result as the model received it. */
  toolChars: number[];
  /** Per tool result, what headroom's ledger says it did (by the hash its markers name), when it left one. */
  compressions: (Compression | null)[];
  needles: { inText: number; retrievable: number; lost: number; lostWhich: string[] };
  durationMs: number;
}

async function runVariant(agent: AgentName, variant: Variant, work: string, turns: Turn[], needles: Needle[]): Promise<RunResult> {
  const up: ScriptedUpstream = await start(turns);
  const prompt = "Investigate this project: run the commands I ask for and answer with the facts you found.";
  let inv: Invocation;
  let userArgs: string[];
  const knob = variant === "wrap-cut" ? KNOBS[agent].cut : variant === "wrap-raised" ? KNOBS[agent].raised : {};
  if (agent === "claude") {
    inv = claudeInvocation({ baseUrl: up.url, prompt, cwd: work, timeoutMs: 180_000 });
    userArgs = [...inv.args, ...(knob.args ?? [])];
  } else if (agent === "codex") {
    inv = codexInvocation({ baseUrl: up.url, prompt, cwd: work, timeoutMs: 180_000 });
    // The provider goes into the user's config.toml (a -c provider is a flag wrap must not override).
    writeFileSync(
      join(inv.env.CODEX_HOME as string, "config.toml"),
      `model_provider = "bench"\n[model_providers.bench]\nname = "bench"\nbase_url = "${up.url}/v1"\nwire_api = "responses"\nenv_key = "OPENAI_API_KEY"\nrequest_max_retries = 0\nstream_max_retries = 0\n`,
    );
    userArgs = [];
    for (let i = 0; i < inv.args.length; i++) {
      if (inv.args[i] === "-c" && /^(model_provider=|model_providers\.e2e=)/.test(inv.args[i + 1] ?? "")) i++;
      else userArgs.push(inv.args[i] as string);
    }
    const prompt_ = userArgs.pop() as string;
    userArgs.push(...(knob.args ?? []), prompt_);
  } else {
    inv = copilotInvocation({ baseUrl: up.url, prompt, wire: "chat", cwd: work, timeoutMs: 180_000 });
    userArgs = [...inv.args, ...(knob.args ?? [])];
  }
  Object.assign(inv.env, knob.env ?? {});
  const headroomHome = join(inv.home, "headroom-home");
  inv.env.HEADROOM_HOME = headroomHome;
  const started = Date.now();
  let r: AgentResult;
  try {
    if (variant === "direct") r = await runInvocation({ ...inv, args: userArgs }, { timeoutMs: 180_000, keepHome: true });
    else r = await runInvocation(inv, { timeoutMs: 180_000, keepHome: true, command: { bin: process.execPath, args: [HEADROOM, "wrap", agent, "--quiet", "--", ...userArgs] } });
    const model = up.modelRequests();
    let prompt = 0;
    let cached = 0;
    for (const q of model) {
      prompt += q.usage?.promptTokens ?? 0;
      cached += q.usage?.cachedTokens ?? 0;
    }
    const uncached = prompt - cached;
    const billed = uncached + CACHE_READ_PRICE * cached;
    const main = model.filter((q) => q.shellToolName !== undefined);
    const last = main.reduce<RecordedRequest | undefined>((a, q) => (a === undefined || (q.turnIndex ?? 0) >= (a.turnIndex ?? 0) ? q : a), undefined);
    const results = last ? toolResults(last) : [];
    const originals = new Map<string, string>();
    let inText = 0;
    let retrievable = 0;
    const lostWhich: string[] = [];
    for (const n of needles) {
      const got = results[n.command] ?? "";
      if (got.includes(n.text)) inText++;
      else if ([...got.matchAll(HASH)].some((m) => retrieveOriginal(headroomHome, m[1] as string, originals).includes(n.text))) retrievable++;
      else lostWhich.push(`#${n.command + 1} ${COMMANDS[n.command]}`);
    }
    const ledger = variant === "direct" ? new Map<string, Compression>() : ledgerCompressions(headroomHome);
    const compressions = results.map((t) => {
      const hash = /hash=([0-9a-f]{16})/.exec(t)?.[1];
      return (hash !== undefined ? ledger.get(hash) : undefined) ?? null;
    });
    if (r.exitCode !== 0 || results.length < COMMANDS.length) {
      process.stderr.write(`bench:wrap: ${agent} ${variant}: exit ${r.exitCode}, ${results.length} tool results\n${r.stderr.slice(-1500)}\n`);
    }
    return {
      agent,
      variant,
      exitCode: r.exitCode,
      requests: model.length,
      promptTokens: prompt,
      cachedTokens: cached,
      uncachedTokens: uncached,
      billed,
      dollars: (billed / 1e6) * PRICE_PER_M[agent].input,
      cacheShare: prompt > 0 ? cached / prompt : 0,
      toolChars: results.map((t) => t.length),
      compressions,
      needles: { inText, retrievable, lost: lostWhich.length, lostWhich },
      durationMs: Date.now() - started,
    };
  } finally {
    await up.close();
    rmSync(inv.home, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const json = argv.includes("--json");
  const listArg = (name: string): string[] | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? (argv[i + 1] ?? "").split(",").filter(Boolean) : undefined;
  };
  const agents = (listArg("--agents") ?? ["claude", "codex"]) as AgentName[];
  const variants = (listArg("--variants") ?? ALL_VARIANTS) as Variant[];
  if (!existsSync(join(ROOT, "dist", "src", "cli", "main.js"))) throw new Error("bench:wrap needs the build: run npm run build");
  for (const a of agents) if (!agentInstalled(a)) throw new Error(`${a} is not installed: run scripts/install-e2e-agents.sh`);

  const work = buildTree();
  try {
    const outputs = COMMANDS.map((c) => runLocally(work, c));
    const needles = outputs.map((o, i) => pickNeedle(o, i)).filter((n): n is Needle => n !== undefined);
    const turns: Turn[] = [...COMMANDS.map((c) => shell(c)), say(`Findings: ${needles.map((n) => n.text.slice(0, 40)).join("; ")}`)];
    const results: RunResult[] = [];
    for (const agent of agents) {
      for (const variant of variants) {
        if (!json) process.stderr.write(`bench:wrap: ${agent} ${variant}...\n`);
        results.push(await runVariant(agent, variant, work, turns, needles));
      }
    }
    const directOf = (agent: AgentName) => results.find((r) => r.agent === agent && r.variant === "direct");
    const rows = results.map((r) => {
      const d = directOf(r.agent);
      // A needle lost here and also lost without headroom was cut by the agent before headroom saw it.
      const byHeadroom = d ? r.needles.lostWhich.filter((w) => !d.needles.lostWhich.includes(w)).length : null;
      return { ...r, reductionVsDirect: d && d.billed > 0 ? (1 - r.billed / d.billed) * 100 : null, lostByHeadroom: r.variant === "direct" ? 0 : byHeadroom };
    });
    if (json) {
      process.stdout.write(
        `${JSON.stringify(
          {
            version: 1,
            prices: { cacheRead: CACHE_READ_PRICE, perMillionInput: PRICE_PER_M, tokens: "chars / 4 of the serialized prompt (scripted upstream)" },
            commands: COMMANDS.map((c, i) => ({ command: c, chars: outputs[i]?.length ?? 0 })),
            needles,
            runs: rows,
          },
          null,
          2,
        )}\n`,
      );
      return;
    }
    const out: string[] = [];
    out.push(`Session: ${COMMANDS.length} tool calls on a real tree + final answer; ${needles.length} needles from the middle of outputs.`);
    out.push(`Outputs (chars): ${outputs.map((o) => o.length).join(", ")}`);
    out.push(`Billed input = uncached + ${CACHE_READ_PRICE}x cache reads (input-token equivalents, chars/4); $ at list input price.`);
    out.push("");
    out.push("| agent | variant | exit | requests | prompt tokens | cache read | uncached | billed | $ | vs direct | cache share | needles kept (text + retrievable / all) | lost by headroom |");
    out.push("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (const r of rows) {
      out.push(
        `| ${r.agent} | ${r.variant} | ${r.exitCode} | ${r.requests} | ${fmt(r.promptTokens)} | ${fmt(r.cachedTokens)} | ${fmt(r.uncachedTokens)} | ${fmt(r.billed)} | ${r.dollars.toFixed(3)} | ${
          r.reductionVsDirect === null ? "" : `${r.reductionVsDirect >= 0 ? "-" : "+"}${Math.abs(r.reductionVsDirect).toFixed(1)}%`
        } | ${(r.cacheShare * 100).toFixed(1)}% | ${r.needles.inText} + ${r.needles.retrievable} / ${needles.length} | ${r.lostByHeadroom ?? "?"} |`,
      );
    }
    out.push("");
    for (const r of rows) {
      out.push(`${r.agent} ${r.variant}: tool results as received (chars): ${r.toolChars.join(", ")}${r.needles.lost ? `; lost: ${r.needles.lostWhich.join("; ")}` : ""}`);
    }
    // Per call: what the model received under each variant, and what headroom did to it.
    for (const agent of agents) {
      const mine = rows.filter((r) => r.agent === agent);
      out.push("");
      out.push(`${agent}, per call: chars the model received [headroom kind, o200k tokens before -> after, when a marker names the ledger row]`);
      out.push(`| # | command | output chars | ${mine.map((r) => r.variant).join(" | ")} |`);
      out.push(`|---|---|---|${mine.map(() => "---|").join("")}`);
      COMMANDS.forEach((c, i) => {
        const cells = mine.map((r) => {
          const chars = r.toolChars[i];
          const k = r.compressions[i];
          return `${chars === undefined ? "-" : fmt(chars)}${k ? ` [${k.kind} ${fmt(k.tokensBefore)}->${fmt(k.tokensAfter)}]` : ""}`;
        });
        out.push(`| ${i + 1} | \`${c}\` | ${fmt(outputs[i]?.length ?? 0)} | ${cells.join(" | ")} |`);
      });
    }
    process.stdout.write(`${out.join("\n")}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:wrap: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
