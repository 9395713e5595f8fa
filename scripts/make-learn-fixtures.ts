/**
 * Make the `headroom learn` fixtures: real session logs written by the real agents.
 *
 *     node --import tsx scripts/make-learn-fixtures.ts
 *
 * Needs the pinned agents (scripts/install-e2e-agents.sh). Runs Claude Code and Codex (test/e2e/agents)
 * against the scripted upstream (test/e2e/support) in a temp project `shop` (a package.json whose
 * `npm test` passes, sources in src/), in sessions whose scripted tool calls fail and then succeed.
 * Session persistence stays on (the runners pass no --no-session-persistence / --ephemeral). Then it
 * copies what the agents wrote, byte for byte except for paths, into
 *
 *     test/fixtures/learn/claude/projects/-home-dev-shop/*.jsonl
 *     test/fixtures/learn/codex/sessions/YYYY/MM/DD/rollout-*.jsonl
 *
 * replacing the temp HOME with /home/dev (so the project becomes /home/dev/shop) in file contents
 * and directory names, and writes test/fixtures/learn/PLANTED.md (what was planted where). The
 * claude/ and codex/ fixture trees are replaced on every run; gemini/ (hand-written) is left alone.
 * Every connection the agents (or the commands they run) try to make outside loopback is trapped
 * and refused; the script fails if there was any.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { agentBin, agentInstalled, codexInvocation, describeRun, runClaude, runInvocation, type AgentResult } from "../test/e2e/support/agents.js";
import { say, shell, start, type Turn } from "../test/e2e/support/scripted-upstream.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "test", "fixtures", "learn");
const STABLE_HOME = "/home/dev";

type Agent = "claude" | "codex";

/** One planted pattern, for PLANTED.md. */
interface Plant {
  pattern: string;
  failed: string;
  corrected: string;
}

interface SessionPlan {
  name: string;
  /** Prompts of the turns: the first starts the session, later ones resume it. */
  prompts: string[];
  /** Scripted model turns across all prompts (a text turn ends a prompt's turn). */
  script: Turn[];
  plants: Plant[];
  /** Agents to run it with (default both). */
  agents?: Agent[];
}

const yarnThenNpm: Plant = { pattern: "test-command", failed: "yarn test (command not found, exit 127)", corrected: "npm test (exit 0)" };
const libThenSrc = (file: string): Plant => ({
  pattern: "missing-path",
  failed: `cat lib/${file} (No such file or directory, exit 1)`,
  corrected: `cat src/${file} (exit 0)`,
});
const buildRetried: Plant = {
  pattern: "retried-command",
  failed: "npm run build twice (Missing script: \"build\", exit 1 both times)",
  corrected: "npm run build:prod (exit 0)",
};
const userCorrection = (jest: string): Plant => ({
  pattern: "user-correction",
  failed: `${jest} (command not found, exit 127), then the user's second turn says to use npm test, not jest`,
  corrected: "npm test (exit 0) in the second turn",
});

const PLANS: SessionPlan[] = [
  {
    name: "s1-tests",
    prompts: ["Run the test suite."],
    script: [shell("yarn test"), shell("npm test"), say("The tests pass with npm test.")],
    plants: [yarnThenNpm],
  },
  {
    name: "s2-entry",
    prompts: ["Show me the entry point of the shop."],
    script: [shell("cat lib/index.js"), shell("ls"), shell("cat src/index.js"), say("The entry point is src/index.js.")],
    plants: [libThenSrc("index.js")],
  },
  {
    name: "s3-build",
    prompts: ["Build the project for production."],
    script: [shell("npm run build"), shell("npm run build"), shell("cat package.json"), shell("npm run build:prod"), say("Built with npm run build:prod.")],
    plants: [buildRetried],
  },
  {
    name: "s4-cart",
    prompts: ["Check the cart module, run the tests and build."],
    script: [
      shell("cat lib/cart.js"),
      shell("cat src/cart.js"),
      shell("yarn test"),
      shell("npm test"),
      shell("npm run build"),
      shell("npm run build"),
      shell("npm run build:prod"),
      say("The cart module is fine, the tests pass and the build is done."),
    ],
    plants: [libThenSrc("cart.js"), yarnThenNpm, buildRetried],
  },
  {
    name: "s5-correction",
    prompts: ["Run the unit tests with jest.", "no, use npm test, not jest"],
    script: [shell("jest"), say("jest is not installed here."), shell("npm test"), say("npm test passes.")],
    plants: [userCorrection("jest")],
  },
  {
    name: "s6-correction",
    prompts: ["Run the cart tests.", "No, use npm test, not jest."],
    script: [shell("jest test/cart.test.js"), say("jest is not available."), shell("npm test"), say("All tests pass with npm test.")],
    plants: [userCorrection("jest test/cart.test.js")],
  },
  {
    name: "s7-lint-once",
    prompts: ["Lint the code."],
    script: [shell("make lint"), shell("npm run lint"), say("Lint is clean.")],
    plants: [{ pattern: "once-only (min evidence 2 must drop it)", failed: "make lint (No rule to make target 'lint', exit 2)", corrected: "npm run lint (exit 0)" }],
    agents: ["claude"],
  },
];

// ---------------------------------------------------------------------------------------------
// The project

function writeProject(dir: string): void {
  mkdirSync(join(dir, "src"), { recursive: true });
  mkdirSync(join(dir, "test"), { recursive: true });
  const pkg = {
    name: "shop",
    version: "1.0.0",
    private: true,
    type: "module",
    scripts: {
      test: "node --test test/",
      "build:prod": "node -e \"console.log('built dist/shop.js')\"",
      lint: "node -e \"console.log('no lint problems')\"",
    },
  };
  writeFileSync(join(dir, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);
  writeFileSync(join(dir, "src", "index.js"), 'export { Cart } from "./cart.js";\n');
  writeFileSync(
    join(dir, "src", "cart.js"),
    "export class Cart {\n  items = [];\n  add(name, price) {\n    this.items.push({ name, price });\n  }\n  total() {\n    return this.items.reduce((s, i) => s + i.price, 0);\n  }\n}\n",
  );
  writeFileSync(
    join(dir, "test", "cart.test.js"),
    'import { test } from "node:test";\nimport assert from "node:assert";\nimport { Cart } from "../src/index.js";\n\ntest("total adds prices", () => {\n  const c = new Cart();\n  c.add("tea", 3);\n  c.add("cake", 4);\n  assert.strictEqual(c.total(), 7);\n});\n',
  );
}

// Commands the agents run must stay offline and quiet.
const NPM_ENV = {
  npm_config_offline: "true",
  npm_config_update_notifier: "false",
  npm_config_fund: "false",
  npm_config_audit: "false",
};

// ---------------------------------------------------------------------------------------------
// Running

async function runSession(agent: Agent, plan: SessionPlan, home: string, project: string): Promise<void> {
  const upstream = await start(plan.script, { fallbackText: "Done." });
  try {
    for (const [i, prompt] of plan.prompts.entries()) {
      let r: AgentResult;
      const common = { baseUrl: upstream.url, prompt, cwd: project, home, env: NPM_ENV, outboundProxy: upstream.url, timeoutMs: 120_000 };
      if (agent === "claude") {
        r = await runClaude({ ...common, args: i === 0 ? [] : ["--continue"] });
      } else {
        const inv = codexInvocation(common);
        if (i > 0) {
          // `codex exec resume --last PROMPT`: same flags, the newest session of this cwd.
          const args = [...inv.args];
          args.splice(1, 0, "resume");
          args.splice(args.length - 1, 0, "--last");
          inv.args = args;
        }
        r = await runInvocation(inv, { timeoutMs: 120_000 });
      }
      if (r.exitCode !== 0 || r.timedOut) throw new Error(`${agent} ${plan.name} turn ${i + 1} failed\n${describeRun(r)}`);
    }
    const outbound = upstream.outbound();
    if (outbound.length > 0) throw new Error(`${agent} ${plan.name} tried to reach: ${outbound.map((o) => o.url).join(", ")}`);
    const calls = upstream.modelRequests().filter((m) => m.turn?.kind === "shell").length;
    const expected = plan.script.filter((t) => t.kind === "shell").length;
    if (calls < expected) throw new Error(`${agent} ${plan.name}: ${calls} of ${expected} scripted tool calls were made`);
  } finally {
    await upstream.close();
  }
}

// Claude Code names a project directory after its path: every character but [A-Za-z0-9] becomes "-".
const escapeClaude = (p: string): string => p.replace(/[^a-zA-Z0-9]/g, "-");

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p));
    else if (e.isFile()) out.push(p);
  }
  return out.sort();
}

/** Copy a tree, replacing the temp HOME by /home/dev in names and contents. */
function copyStable(from: string, to: string, home: string): string[] {
  const pairs: [string, string][] = [
    [home, STABLE_HOME],
    [escapeClaude(home), escapeClaude(STABLE_HOME)],
  ];
  const fix = (s: string): string => pairs.reduce((acc, [a, b]) => acc.split(a).join(b), s);
  const written: string[] = [];
  for (const file of listFiles(from)) {
    const target = join(to, fix(relative(from, file)));
    mkdirSync(dirname(target), { recursive: true });
    const text = fix(readFileSync(file, "utf8"));
    const leftover = basename(dirname(home)); // the random temp dir name
    if (text.includes(leftover)) throw new Error(`${file}: the temp dir name ${leftover} is still there after replacement`);
    writeFileSync(target, text);
    written.push(target);
  }
  return written;
}

function version(bin: string, home: string): string {
  const env = { PATH: process.env.PATH ?? "", HOME: home, CODEX_HOME: join(home, ".codex") };
  return execFileSync(bin, ["--version"], { encoding: "utf8", env }).trim();
}

function sessionIdOf(agent: Agent, file: string): string {
  const first = readFileSync(file, "utf8").split("\n").find((l) => l.includes(agent === "claude" ? '"sessionId"' : '"session_meta"'));
  const m = first === undefined ? null : /"(?:sessionId|id)":"([0-9a-f-]{36})"/.exec(first);
  return m?.[1] ?? "?";
}

async function main(): Promise<void> {
  for (const a of ["claude", "codex"] as const) {
    if (!agentInstalled(a)) throw new Error(`${a} is not installed: run scripts/install-e2e-agents.sh`);
  }
  const root = mkdtempSync(join(tmpdir(), "headroom-learn-"));
  const home = join(root, "home");
  const project = join(home, "shop");
  writeProject(project);
  const sessions: { agent: Agent; plan: SessionPlan; file: string }[] = [];
  try {
    for (const agent of ["claude", "codex"] as const) {
      for (const plan of PLANS) {
        if (plan.agents && !plan.agents.includes(agent)) continue;
        const before = new Set(listFiles(agent === "claude" ? join(home, ".claude", "projects") : join(home, ".codex", "sessions")));
        await runSession(agent, plan, home, project);
        const after = listFiles(agent === "claude" ? join(home, ".claude", "projects") : join(home, ".codex", "sessions"));
        const added = after.filter((f) => !before.has(f) && f.endsWith(".jsonl"));
        if (added.length !== 1) throw new Error(`${agent} ${plan.name}: expected one new transcript, got ${added.length}`);
        sessions.push({ agent, plan, file: added[0] as string });
        process.stderr.write(`${agent} ${plan.name}: ${relative(home, added[0] as string)}\n`);
      }
    }
    for (const sub of ["claude", "codex"]) rmSync(join(OUT, sub), { recursive: true, force: true });
    copyStable(join(home, ".claude", "projects", escapeClaude(project)), join(OUT, "claude", "projects", escapeClaude(join(STABLE_HOME, "shop"))), home);
    copyStable(join(home, ".codex", "sessions"), join(OUT, "codex", "sessions"), home);
    writeFileSync(join(OUT, "PLANTED.md"), planted(sessions, home));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function planted(sessions: { agent: Agent; plan: SessionPlan; file: string }[], home: string): string {
  const lines: string[] = [
    "# Planted failures in the `headroom learn` fixtures",
    "",
    "Generated by `node --import tsx scripts/make-learn-fixtures.ts` (do not edit the claude/codex parts by hand;",
    "re-run the script). Real transcripts written by the real agents, run non-interactively against the",
    "scripted upstream (test/e2e/support/scripted-upstream.ts), whose model turns are listed below. The",
    "temp HOME was replaced by /home/dev everywhere (contents and directory names), so the project is",
    "`/home/dev/shop` (Claude Code project directory `-home-dev-shop`). Nothing else was changed or dropped.",
    "",
    `- Made: ${new Date().toISOString().slice(0, 10)} (agents' clock), ${version(agentBin("claude"), home)}, ${version(agentBin("codex"), home)}`,
    "- Project: package.json with scripts test (`node --test test/`, passes), build:prod, lint (no `build`",
    "  script); src/index.js, src/cart.js, test/cart.test.js; no lib/ directory; no yarn, jest or Makefile.",
    "- Commands ran offline (npm_config_offline=true; every non-loopback connection trapped: none made).",
    "- Every session also has successful tool calls (ls, cat src/..., cat package.json, npm test,",
    "  npm run build:prod, npm run lint) that must produce no finding.",
    "",
    "Each pattern is planted twice per agent (two sessions), except the once-only one, which a",
    "min-evidence of 2 must drop.",
    "",
    "| agent | session (file) | prompts | scripted tool calls | pattern | failed | corrected by |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const s of sessions) {
    const id = sessionIdOf(s.agent, s.file);
    const calls = s.plan.script.filter((t) => t.kind === "shell").map((t) => `\`${t.kind === "shell" ? t.command : ""}\``).join(", ");
    const prompts = s.plan.prompts.map((p) => `"${p}"`).join(" then ");
    for (const p of s.plan.plants) {
      lines.push(`| ${s.agent} | ${s.plan.name} \`${id}\` | ${prompts} | ${calls} | ${p.pattern} | ${p.failed} | ${p.corrected} |`);
    }
  }
  lines.push(
    "",
    "Sessions s5 and s6 also hold a failed test command (`jest ...`, exit 127) followed by a passing",
    "`npm test` (in the second turn), i.e. more evidence for the test-command pattern.",
    "",
    "## Gemini CLI (hand-written)",
    "",
    "Gemini CLI is not pinned in test/e2e/agents, so `gemini/.gemini/tmp/<sha256 of /home/dev/shop>/chats/` (GEMINI_CLI_HOME=gemini) holds",
    "two HAND-WRITTEN chat files in the documented ConversationRecord format (see src/learn/read-gemini.ts),",
    "not the output of a real run: `session-...-9b2f6c1e.json` (the older whole-file format) plants",
    "`run_shell_command` `yarn test` (Exit Code: 127) then `npm test` (Exit Code: 0) and a user message",
    "\"no, use npm test, not yarn\"; `session-...-4d8a0b7c.jsonl` (the newer line format, one message",
    "record rewritten under the same id as its tool call finished) plants `read_file` of",
    "/home/dev/shop/lib/index.js (status error, file not found) then src/index.js (success).",
    "",
  );
  return lines.join("\n");
}

await main();
