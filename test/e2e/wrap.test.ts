/**
 * `headroom wrap <agent>` end to end: the built CLI (`node bin/headroom.js wrap ...`) runs the real
 * pinned agents (`claude -p`, `codex exec`, `copilot -p`) against the scripted upstream, which is
 * the agent's own configured base URL (env for Claude Code and Copilot, a provider in CODEX_HOME's
 * config.toml for Codex), so the adapters discover it as the upstream and headroom's proxy sits in
 * between. Aider and Cursor, which cannot be installed here, run as stand-in executables that record
 * the env and argv they got (and, for aider, talk to the proxy they were pointed at).
 *
 * Covered: exit code passed through (0; the agent's own failure against an upstream answering
 * 401; a stand-in's exact code), the --report-json report with non-zero savings, compressed tool
 * outputs (markers with hash=) at the upstream, the user's config files byte-identical afterwards,
 * an OAuth-style bearer reaching the upstream untouched, SIGTERM to the wrapper, kill -9 of the
 * wrapper then the next run restoring what an adapter changed, several runs at once (own ports, own
 * reports, one consistent ledger), and the CLI errors (unknown agent, missing binary).
 *
 * Needs `npm run build` (bin/headroom.js runs dist/) and the agents (scripts/install-e2e-agents.sh);
 * tests of an agent that is not installed are skipped with the reason.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { WrapReport } from "../../src/wrap/report.js";
import {
  agentInstalled,
  claudeInvocation,
  codexInvocation,
  copilotInvocation,
  describeRun,
  notInstalledMessage,
  runInvocation,
  type AgentName,
  type AgentResult,
  type Invocation,
} from "./support/agents.js";
import { say, shell, start, type ScriptedUpstream, type Turn } from "./support/scripted-upstream.js";

const ROOT = join(import.meta.dirname, "..", "..");
const HEADROOM = join(ROOT, "bin", "headroom.js");
const STAND_IN = join(ROOT, "test", "fixtures", "wrap", "stand-in-agent.mjs");
const HTTP_AGENT = join(ROOT, "test", "fixtures", "wrap", "http-agent.mjs");
const BUILT = existsSync(join(ROOT, "dist", "src", "cli", "main.js"));

/** Two real commands whose outputs headroom compresses (24 KB and ~9 KB; Codex cuts the first to its 10 KB head + tail). */
const SCRIPT: Turn[] = [shell("seq 1 5000"), shell("ls -la /usr/lib"), say("Both commands ran; the last number is 5000.")];
const PROMPT = "Count to 5000 with seq, list /usr/lib, and tell me the last number.";
const MARKER = /omitted[^\]"]{0,300}hash=[0-9a-f]{16}/;
/** A tool call that runs for 30 s (Claude Code refuses a plain long `sleep`). */
const LONG_TOOL = "node -e 'setTimeout(() => console.log(1), 30000)'";
const BEARER = "eyJhbGciOiJSUzI1NiJ9.headroom-e2e-oauth-access-token.c2lnbmF0dXJl";

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const sha = (path: string): string => createHash("sha256").update(readFileSync(path)).digest("hex");
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function skipUnless(name: AgentName): string | false {
  if (!BUILT) return "dist/ is not built: run npm run build";
  return agentInstalled(name) ? false : notInstalledMessage(name);
}

async function upstreamFor(script: Turn[]): Promise<ScriptedUpstream> {
  const up = await start(script);
  cleanups.push(() => up.close());
  return up;
}

/** Polls `check` every 50 ms for at most `ms`. */
async function waitFor(check: () => boolean, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

// ---------------------------------------------------------------------------------------------
// The user's setup for each real agent: its base URL pointing at the upstream, a bearer token, and
// config files of their own that must come out byte-identical.

interface UserSetup {
  inv: Invocation;
  /** What the user types after `headroom wrap <agent> --`. */
  userArgs: string[];
  /** Config files of the user's that headroom must leave unchanged. */
  files: string[];
  /** HEADROOM_HOME of this run (inside the fresh HOME). */
  headroomHome: string;
}

const CODEX_RUNNER_PROVIDER = /^(model_provider=|model_providers\.e2e=)/;

/** A user of `agent` whose configured upstream is `baseUrl` and whose credential is the bearer `BEARER`. */
function userOf(agent: AgentName, baseUrl: string, prompt = PROMPT): UserSetup {
  let inv: Invocation;
  let userArgs: string[];
  const files: string[] = [];
  if (agent === "claude") {
    inv = claudeInvocation({ baseUrl, prompt });
    delete inv.env.ANTHROPIC_API_KEY;
    inv.env.ANTHROPIC_AUTH_TOKEN = BEARER;
    const settings = join(inv.home, ".claude", "settings.json");
    mkdirSync(join(inv.home, ".claude"), { recursive: true });
    writeFileSync(settings, `${JSON.stringify({ permissions: { allow: ["Bash(seq:*)"] }, includeCoAuthoredBy: false }, null, 2)}\n`);
    files.push(settings);
    userArgs = inv.args;
  } else if (agent === "codex") {
    inv = codexInvocation({ baseUrl, prompt });
    inv.env.OPENAI_API_KEY = BEARER;
    // The provider lives in the user's config.toml; the runner's own -c provider flags are dropped
    // (a provider set with -c is a flag headroom must not override).
    const config = join(inv.env.CODEX_HOME as string, "config.toml");
    writeFileSync(
      config,
      [
        "# the user's codex config",
        'model_provider = "corp"',
        "",
        "[model_providers.corp]",
        'name = "Corp gateway"',
        `base_url = "${baseUrl}/v1"`,
        'wire_api = "responses"',
        'env_key = "OPENAI_API_KEY"',
        "request_max_retries = 0",
        "stream_max_retries = 0",
        "",
      ].join("\n"),
    );
    files.push(config);
    userArgs = [];
    for (let i = 0; i < inv.args.length; i++) {
      if (inv.args[i] === "-c" && CODEX_RUNNER_PROVIDER.test(inv.args[i + 1] ?? "")) {
        i++;
        continue;
      }
      userArgs.push(inv.args[i] as string);
    }
  } else {
    inv = copilotInvocation({ baseUrl, prompt, wire: "chat" });
    inv.env.COPILOT_PROVIDER_API_KEY = BEARER;
    const mcp = join(inv.home, ".copilot", "mcp-config.json");
    mkdirSync(join(inv.home, ".copilot"), { recursive: true });
    writeFileSync(mcp, `${JSON.stringify({ mcpServers: {} }, null, 2)}\n`);
    files.push(mcp);
    userArgs = inv.args;
  }
  const headroomHome = join(inv.home, "headroom-home");
  inv.env.HEADROOM_HOME = headroomHome;
  cleanups.push(() => rmSync(inv.home, { recursive: true, force: true }));
  return { inv, userArgs, files, headroomHome };
}

// ---------------------------------------------------------------------------------------------
// Running the wrapper

interface WrapRun {
  child: ChildProcess;
  reportPath: string;
  /** Resolves when the wrapper process itself has exited (its pipes may stay open in orphans). */
  exited: Promise<void>;
  done: Promise<AgentResult>;
}

/** Starts `node bin/headroom.js wrap <agent> --report-json F [extra] -- args` in the invocation's env, own process group. */
function startWrap(inv: Invocation, agent: string, args: readonly string[], extra: readonly string[] = [], timeoutMs = 60_000): WrapRun {
  const reportPath = join(inv.home, `report-${Date.now()}-${Math.random().toString(16).slice(2)}.json`);
  const argv = [HEADROOM, "wrap", agent, "--report-json", reportPath, ...extra, "--", ...args];
  const child = spawn(process.execPath, argv, { cwd: inv.cwd, env: inv.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on("data", (c: Buffer) => out.push(c));
  child.stderr?.on("data", (c: Buffer) => err.push(c));
  const started = Date.now();
  const killGroup = (): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    } catch {
      /* already gone */
    }
  };
  cleanups.push(killGroup);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const done = new Promise<AgentResult>((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({
        exitCode: code,
        signal,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        timedOut,
        durationMs: Date.now() - started,
        home: inv.home,
        argv: [process.execPath, ...argv],
      });
    });
  });
  return { child, reportPath, exited, done };
}

/** The agent itself (no headroom) in the invocation's env, own process group. */
function startDirect(inv: Invocation, args: readonly string[]): { pid: number | undefined; done: Promise<AgentResult> } {
  const child = spawn(inv.bin, [...args], { cwd: inv.cwd, env: inv.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const out: Buffer[] = [];
  child.stdout?.on("data", (c: Buffer) => out.push(c));
  child.stderr?.on("data", (c: Buffer) => out.push(c));
  const started = Date.now();
  const killGroup = (): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    } catch {
      /* already gone */
    }
  };
  cleanups.push(killGroup);
  const done = new Promise<AgentResult>((resolve) => {
    const timer = setTimeout(killGroup, 60_000);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      killGroup(); // the tool it left running
      resolve({ exitCode: code, signal, stdout: Buffer.concat(out).toString("utf8"), stderr: "", timedOut: false, durationMs: Date.now() - started, home: inv.home, argv: [inv.bin, ...args] });
    });
  });
  return { pid: child.pid, done };
}

function readReport(path: string): WrapReport | undefined {
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as WrapReport) : undefined;
}

function info(r: AgentResult, up?: ScriptedUpstream): string {
  const reqs = up ? `\nupstream: ${up.requests.map((q) => `${q.method} ${q.url} [${q.kind}] turn=${q.turnIndex} ${q.status}`).join(", ")}` : "";
  return `${describeRun(r)}${reqs}`;
}

/** The pids of a process's children, over all its threads (Linux /proc). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        out.push(...readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number));
      } catch {
        /* thread gone */
      }
    }
  } catch {
    /* process gone */
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie is dead for our purpose.
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return false;
  }
}

/** A provider that refuses every request: 401 with an error body in the shape of the wire. */
async function refusingUpstream(): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      if (req.method === "HEAD") {
        res.writeHead(200).end();
        return;
      }
      hits++;
      const body = JSON.stringify({ type: "error", error: { type: "authentication_error", message: "invalid credentials (scripted 401)", code: "invalid_api_key" } });
      res.writeHead(401, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }).end(body);
    });
  });
  server.on("upgrade", (_req, socket) => socket.end("HTTP/1.1 426 Upgrade Required\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  server.on("connection", (s) => cleanups.push(() => void s.destroy()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits };
}

const REAL: AgentName[] = ["claude", "codex", "copilot"];

// ---------------------------------------------------------------------------------------------

describe.each(REAL)("headroom wrap %s (the real agent)", (agent) => {
  it.skipIf(skipUnless(agent))("exit 0 passed through; compressed outputs upstream; report with savings; bearer untouched; user config unchanged", async () => {
    const up = await upstreamFor(SCRIPT);
    const user = userOf(agent, up.url);
    const before = user.files.map(sha);
    const run = startWrap(user.inv, agent, user.userArgs);
    const r = await run.done;
    expect(r.timedOut, info(r, up)).toBe(false);
    expect(r.exitCode, info(r, up)).toBe(0);
    expect(r.stdout, info(r, up)).toContain("the last number is 5000");
    // The report: stderr and --report-json, with real savings.
    expect(r.stderr, info(r, up)).toMatch(/headroom: .* exited with 0/);
    const report = readReport(run.reportPath);
    expect(report, info(r, up)).toBeDefined();
    expect(report?.exitCode).toBe(0);
    expect(report?.proxied).toBe(true);
    expect(report?.requests ?? 0).toBeGreaterThanOrEqual(3);
    expect(report?.toolOutputs.saved ?? 0, JSON.stringify(report)).toBeGreaterThan(0);
    expect(report?.input.asSent ?? 0).toBeGreaterThan(0);
    // The upstream got compressed tool outputs: a marker with a hash after the first tool call.
    const model = up.modelRequests().filter((q) => q.shellToolName !== undefined);
    expect(model.length, info(r, up)).toBeGreaterThanOrEqual(3);
    expect(model.filter((q) => (q.turnIndex ?? 0) >= 1).every((q) => MARKER.test(q.bodyText)), info(r, up)).toBe(true);
    // The user's credential, untouched, on every model request.
    for (const q of up.modelRequests()) {
      expect(q.headers.authorization, `${q.url}`).toBe(`Bearer ${BEARER}`);
      expect(q.headers["x-api-key"]).toBeUndefined();
    }
    // Nothing of the user's changed.
    expect(user.files.map(sha)).toEqual(before);
  });

  it.skipIf(skipUnless(agent))("a failing agent's exit code passes through (the upstream answers 401)", async () => {
    const refusing = await refusingUpstream();
    // The agent itself, without headroom, against the same refusing provider (run alongside).
    const direct = userOf(agent, refusing.url);
    const user = userOf(agent, refusing.url);
    const run = startWrap(user.inv, agent, user.userArgs, [], 40_000);
    const [d, r] = await Promise.all([runInvocation({ ...direct.inv, args: direct.userArgs }, { timeoutMs: 40_000, keepHome: true }), run.done]);
    expect(d.timedOut, describeRun(d)).toBe(false);
    expect(d.exitCode, describeRun(d)).not.toBe(0);
    expect(r.timedOut, info(r)).toBe(false);
    expect(refusing.hits(), info(r)).toBeGreaterThanOrEqual(2);
    expect(r.exitCode, info(r)).toBe(d.exitCode);
    expect(readReport(run.reportPath)?.exitCode).toBe(d.exitCode);
  });

  it.skipIf(skipUnless(agent))("SIGTERM to the wrapper ends the agent; the wrapper exits 143 or with the agent's own code, with the report", async () => {
    const up = await upstreamFor([shell(LONG_TOOL), say("waited")]);
    // The agent without headroom gets the same SIGTERM, to learn its own code (Copilot exits 0).
    const direct = userOf(agent, up.url, "Wait 30 seconds.");
    const user = userOf(agent, up.url, "Wait 30 seconds.");
    const run = startWrap(user.inv, agent, user.userArgs);
    const directRun = startDirect(direct.inv, direct.userArgs);
    await waitFor(() => up.modelRequests().filter((q) => q.turn?.kind === "shell").length >= 2, 30_000, "both agents to start their tool call");
    await sleep(800); // the tools are running now
    const pid = run.child.pid as number;
    const agentPids = childrenOf(pid);
    expect(agentPids.length).toBeGreaterThan(0);
    const signalledAt = Date.now();
    process.kill(pid, "SIGTERM"); // the wrapper alone, not its group
    process.kill(directRun.pid as number, "SIGTERM");
    const [r, d] = await Promise.all([run.done, directRun.done]);
    expect(r.timedOut, info(r, up)).toBe(false);
    expect(Date.now() - signalledAt, info(r, up)).toBeLessThan(15_000);
    expect(up.modelRequests().some((q) => q.turn?.kind === "text"), "a tool finished: the signal came too late").toBe(false);
    const report = readReport(run.reportPath);
    expect(report, info(r, up)).toBeDefined();
    expect(report?.exitCode).toBe(r.exitCode);
    const own = d.signal ? 143 : d.exitCode;
    expect([143, own], `${info(r, up)}\ndirect: ${describeRun(d)}`).toContain(r.exitCode);
    for (const p of agentPids) expect(alive(p), `agent pid ${p} still alive`).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------

describe("kill -9 of the wrapper, then the next run", () => {
  it.skipIf(!BUILT && "dist/ is not built")("cursor: the journaled ~/.cursor/mcp.json is restored byte for byte by the next run", async () => {
    const home = mkdtempSync(join(tmpdir(), "headroom-wrap-kill9-"));
    cleanups.push(() => rmSync(home, { recursive: true, force: true }));
    const inv: Invocation = {
      agent: "claude",
      bin: STAND_IN,
      args: [],
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, HEADROOM_HOME: join(home, "hr"), NO_COLOR: "1", STAND_IN_WAIT: "1", STAND_IN_RECORD: join(home, "record.json") },
      cwd: home,
      home,
      freshHome: false,
    };
    const mcpPath = join(home, ".cursor", "mcp.json");
    mkdirSync(join(home, ".cursor"), { recursive: true });
    const original = `{\n  "mcpServers": {\n    "github": { "command": "gh-mcp", "args": ["--stdio"] }\n  }\n}\n`;
    writeFileSync(mcpPath, original, { mode: 0o640 });
    chmodSync(mcpPath, 0o640);

    const run = startWrap(inv, "cursor", ["--print", "hello"], ["--bin", STAND_IN]);
    await waitFor(() => existsSync(join(home, "record.json")), 15_000, "the stand-in to start");
    const during = readFileSync(mcpPath, "utf8");
    expect(during).toContain('"headroom"');
    expect(during).toContain('"github"');
    const recorded = JSON.parse(readFileSync(join(home, "record.json"), "utf8")) as { argv: string[] };
    expect(recorded.argv).toEqual(["--print", "hello"]);
    process.kill(run.child.pid as number, "SIGKILL");
    await run.exited;
    expect(run.child.signalCode).toBe("SIGKILL");
    process.kill(-(run.child.pid as number), "SIGKILL"); // the orphaned stand-in
    await run.done;
    expect(readFileSync(mcpPath, "utf8")).toContain('"headroom"'); // nobody restored it yet

    // The next run, of another agent, replays the journal first.
    const next = startWrap({ ...inv, env: { ...inv.env, STAND_IN_WAIT: "", STAND_IN_RECORD: join(home, "record2.json") } }, "aider", [], ["--bin", STAND_IN]);
    const n = await next.done;
    expect(n.exitCode, info(n)).toBe(0);
    expect(readFileSync(mcpPath, "utf8")).toBe(original);
    expect(statSync(mcpPath).mode & 0o777).toBe(0o640);
  });

  it.skipIf(skipUnless("claude"))("claude: the user's files are unchanged and the next run works", async () => {
    const up = await upstreamFor([shell(LONG_TOOL), say("waited")]);
    const user = userOf("claude", up.url, "Wait 30 seconds.");
    const before = user.files.map(sha);
    const run = startWrap(user.inv, "claude", user.userArgs);
    await waitFor(() => up.modelRequests().some((q) => q.turn?.kind === "shell"), 30_000, "the agent to start its tool call");
    process.kill(run.child.pid as number, "SIGKILL");
    await run.exited;
    process.kill(-(run.child.pid as number), "SIGKILL"); // the orphaned agent
    await run.done;
    expect(user.files.map(sha)).toEqual(before);

    const up2 = await upstreamFor(SCRIPT);
    const again = startWrap({ ...user.inv, env: { ...user.inv.env, ANTHROPIC_BASE_URL: up2.url } }, "claude", user.userArgs);
    const r = await again.done;
    expect(r.exitCode, info(r, up2)).toBe(0);
    expect(readReport(again.reportPath)?.toolOutputs.saved ?? 0).toBeGreaterThan(0);
    expect(user.files.map(sha)).toEqual(before);
  });
});

// ---------------------------------------------------------------------------------------------

describe("several wrap runs at once", () => {
  it.skipIf(skipUnless("claude") || skipUnless("codex") || skipUnless("copilot"))(
    "each gets its own port and report; the shared ledger counts every request",
    async () => {
      const shared = mkdtempSync(join(tmpdir(), "headroom-wrap-shared-"));
      cleanups.push(() => rmSync(shared, { recursive: true, force: true }));
      const runs: { run: WrapRun; up: ScriptedUpstream | undefined; record?: string }[] = [];
      // Three real agents, each against its own upstream.
      for (const agent of REAL) {
        const up = await upstreamFor(SCRIPT);
        const user = userOf(agent, up.url);
        user.inv.env.HEADROOM_HOME = shared;
        runs.push({ run: startWrap(user.inv, agent, user.userArgs), up });
      }
      // Three stand-ins that send 2 requests each through their proxy, alive at the same time.
      const up = await upstreamFor([say("ok")]);
      const barrier = join(shared, "barrier");
      for (let i = 0; i < 3; i++) {
        const record = join(shared, `http-agent-${i}.json`);
        const inv: Invocation = {
          agent: "claude",
          bin: HTTP_AGENT,
          args: [],
          env: {
            PATH: process.env.PATH ?? "/usr/bin:/bin",
            HOME: shared,
            HEADROOM_HOME: shared,
            NO_COLOR: "1",
            ANTHROPIC_BASE_URL: up.url,
            ANTHROPIC_API_KEY: "sk-test",
            HTTP_AGENT_RECORD: record,
            HTTP_AGENT_BARRIER: barrier,
            HTTP_AGENT_PEERS: "3",
            HTTP_AGENT_REQUESTS: "2",
          },
          cwd: shared,
          home: shared,
          freshHome: false,
        };
        runs.push({ run: startWrap(inv, "claude", [], ["--bin", HTTP_AGENT, "--quiet"]), up: undefined, record });
      }
      const results = await Promise.all(runs.map((x) => x.run.done));
      results.forEach((r, i) => expect(r.exitCode, info(r, runs[i]?.up)).toBe(0));
      const reports = runs.map((x) => readReport(x.run.reportPath));
      for (const [i, report] of reports.entries()) {
        expect(report, `report ${i}`).toBeDefined();
        expect(report?.toolOutputs.saved ?? 0, `report ${i}`).toBeGreaterThan(0);
      }
      // The stand-ins each report exactly their own 2 requests, and had their own port.
      for (const x of runs.filter((y) => y.record)) expect(readReport(x.run.reportPath)?.requests).toBe(2);
      const ports = runs.filter((x) => x.record).map((x) => (JSON.parse(readFileSync(x.record as string, "utf8")) as { env: Record<string, string> }).env.ANTHROPIC_BASE_URL);
      expect(new Set(ports).size).toBe(3);
      for (const p of ports) expect(p).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(up.modelRequests().length).toBe(6);
      // The real agents' reports count at least their model requests.
      for (const x of runs.filter((y) => y.up)) {
        expect(readReport(x.run.reportPath)?.requests ?? 0).toBeGreaterThanOrEqual(x.up?.modelRequests().length ?? 0);
      }
      // One ledger, every request of every run.
      const stats = await runInvocation(
        { agent: "claude", bin: process.execPath, args: [HEADROOM, "stats", "--json"], env: { PATH: process.env.PATH ?? "", HOME: shared, HEADROOM_HOME: shared, NO_COLOR: "1" }, cwd: shared, home: shared, freshHome: false },
        { timeoutMs: 20_000 },
      );
      expect(stats.exitCode, describeRun(stats)).toBe(0);
      const summary = JSON.parse(stats.stdout) as { totals: { requests: number; saved: number } };
      const total = reports.reduce((s, rep) => s + (rep?.requests ?? 0), 0);
      expect(summary.totals.requests).toBe(total);
      expect(summary.totals.saved).toBe(reports.reduce((s, rep) => s + (rep?.toolOutputs.saved ?? 0), 0));
    },
  );
});

// ---------------------------------------------------------------------------------------------

describe("agents run as stand-ins", () => {
  function standInUser(name: string, extraEnv: Record<string, string>): Invocation {
    const home = mkdtempSync(join(tmpdir(), `headroom-wrap-${name}-`));
    cleanups.push(() => rmSync(home, { recursive: true, force: true }));
    return {
      agent: "claude",
      bin: STAND_IN,
      args: [],
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, HEADROOM_HOME: join(home, "hr"), NO_COLOR: "1", ...extraEnv },
      cwd: home,
      home,
      freshHome: false,
    };
  }

  it.skipIf(!BUILT && "dist/ is not built")("aider: OPENAI_API_BASE and ANTHROPIC_BASE_URL point at the proxy, which forwards to the user's upstream", async () => {
    const up = await upstreamFor([say("ok")]);
    const inv = standInUser("aider", {
      OPENAI_API_BASE: `${up.url}/v1`,
      OPENAI_API_KEY: BEARER,
      ANTHROPIC_API_KEY: "sk-ant-test",
      HTTP_AGENT_WIRE: "chat",
      HTTP_AGENT_REQUESTS: "1",
    });
    inv.env.HTTP_AGENT_RECORD = join(inv.home, "record.json");
    const run = startWrap(inv, "aider", ["--model", "gpt-4.1", "--yes-always", "--message", "build it"], ["--bin", HTTP_AGENT]);
    const r = await run.done;
    expect(r.exitCode, info(r, up)).toBe(0);
    const rec = JSON.parse(readFileSync(inv.env.HTTP_AGENT_RECORD, "utf8")) as { argv: string[]; env: Record<string, string> };
    expect(rec.argv).toEqual(["--model", "gpt-4.1", "--yes-always", "--message", "build it"]);
    expect(rec.env.OPENAI_API_BASE).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(rec.env.ANTHROPIC_BASE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(rec.env.OPENAI_API_BASE).toBe(`${rec.env.ANTHROPIC_BASE_URL}/v1`);
    expect(rec.env.OPENAI_API_BASE).not.toBe(`${up.url}/v1`);
    expect(rec.env.OPENAI_API_KEY).toBe(BEARER);
    expect((rec.env.NO_PROXY ?? "").split(",")).toEqual(expect.arrayContaining(["127.0.0.1", "localhost", "::1"]));
    // The request went through headroom to the user's upstream, compressed, bearer untouched.
    const q = up.modelRequests()[0];
    expect(q?.kind).toBe("chat");
    expect(q?.headers.authorization).toBe(`Bearer ${BEARER}`);
    expect(MARKER.test(q?.bodyText ?? "")).toBe(true);
    expect(q?.bodyText).toContain("TS2345"); // the error line is kept
    const report = readReport(run.reportPath);
    expect(report?.requests).toBe(1);
    expect(report?.toolOutputs.saved ?? 0).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/no MCP client/);
  });

  it.skipIf(!BUILT && "dist/ is not built")("cursor: says plainly it is not proxied, sets no base URL, registers the MCP server for the run only", async () => {
    const inv = standInUser("cursor", {});
    inv.env.STAND_IN_RECORD = join(inv.home, "record.json");
    const run = startWrap(inv, "cursor", ["-p", "hello"], ["--bin", STAND_IN]);
    const r = await run.done;
    expect(r.exitCode, info(r)).toBe(0);
    expect(r.stderr).toMatch(/Cursor: model requests are sent by Cursor's servers[^\n]*not compressed/);
    expect(r.stderr).toMatch(/nothing to report/);
    const rec = JSON.parse(readFileSync(inv.env.STAND_IN_RECORD, "utf8")) as { argv: string[]; env: Record<string, string> };
    expect(rec.argv).toEqual(["-p", "hello"]);
    for (const k of ["ANTHROPIC_BASE_URL", "OPENAI_API_BASE", "OPENAI_BASE_URL"]) expect(rec.env[k]).toBeUndefined();
    expect(readReport(run.reportPath)?.proxied).toBe(false);
    // ~/.cursor/mcp.json did not exist before: it is gone again.
    expect(existsSync(join(inv.home, ".cursor", "mcp.json"))).toBe(false);
  });

  it.skipIf(!BUILT && "dist/ is not built")("a stand-in's exact exit code passes through (7)", async () => {
    const inv = standInUser("exit", { STAND_IN_EXIT: "7" });
    const run = startWrap(inv, "claude", ["-p", "x"], ["--bin", STAND_IN]);
    const r = await run.done;
    expect(r.exitCode, info(r)).toBe(7);
    expect(readReport(run.reportPath)?.exitCode).toBe(7);
  });
});

// ---------------------------------------------------------------------------------------------

describe("wrap errors", () => {
  const run = (args: string[], env: Record<string, string> = {}): Promise<AgentResult> => {
    const home = mkdtempSync(join(tmpdir(), "headroom-wrap-err-"));
    cleanups.push(() => rmSync(home, { recursive: true, force: true }));
    return runInvocation(
      { agent: "claude", bin: process.execPath, args: [HEADROOM, ...args], env: { PATH: "/usr/bin:/bin", HOME: home, HEADROOM_HOME: join(home, "hr"), NO_COLOR: "1", ...env }, cwd: home, home, freshHome: false },
      { timeoutMs: 20_000 },
    );
  };

  it.skipIf(!BUILT && "dist/ is not built")("an unknown agent: a clear error listing the supported agents", async () => {
    const r = await run(["wrap", "unknown-agent", "--", "-p", "hi"]);
    expect(r.exitCode, describeRun(r)).not.toBe(0);
    expect(r.stderr).toMatch(/unknown agent "unknown-agent"/i);
    for (const a of ["claude", "codex", "copilot", "aider", "cursor"]) expect(r.stderr).toContain(a);
  });

  it.skipIf(!BUILT && "dist/ is not built")("a missing binary: an install hint, nothing started", async () => {
    const r = await run(["wrap", "codex", "--", "exec", "hi"]);
    expect(r.exitCode, describeRun(r)).not.toBe(0);
    expect(r.stderr).toMatch(/Codex was not found on PATH/);
    expect(r.stderr).toContain("npm install -g @openai/codex");
    const b = await run(["wrap", "claude", "--bin", "/nonexistent/claude"]);
    expect(b.exitCode, describeRun(b)).not.toBe(0);
    expect(b.stderr).toContain("npm install -g @anthropic-ai/claude-code");
  });
});
