/**
 * Run the real coding agents (installed by scripts/install-e2e-agents.sh into
 * test/e2e/agents/node_modules) non-interactively against a base URL.
 *
 * Every run gets a fresh HOME (and CODEX_HOME, XDG dirs) in a temp dir, a minimal environment
 * (nothing of the caller's credentials, proxies or agent config leaks in), stdin closed, the
 * agents' quiet/offline switches, and a timeout that kills the whole process group.
 *
 * `baseUrl` is always the server root as users write it for Anthropic (http://127.0.0.1:PORT, any
 * path prefix allowed, no /v1): each runner adds `/v1` where the agent expects an OpenAI-style base.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export type AgentName = "claude" | "codex" | "copilot";

export interface AgentResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
  /** The HOME the agent ran with (deleted after the run unless `keepHome` or `home` was given). */
  home: string;
  /** The exact command line, for failure messages. */
  argv: string[];
}

export interface RunOptions {
  baseUrl: string;
  prompt: string;
  /** Working directory of the agent. Default: a fresh empty temp dir inside HOME. */
  cwd?: string;
  /** Extra env, applied last (a value of undefined removes a variable). */
  env?: Record<string, string | undefined>;
  /** Extra CLI args, appended after the runner's own. */
  args?: string[];
  /** Kill the agent after this long. Default 60 s. */
  timeoutMs?: number;
  /** Use this HOME instead of a fresh one (it is never deleted). */
  home?: string;
  /** Keep the fresh HOME after the run (for inspecting session logs). */
  keepHome?: boolean;
  /** Model to ask for (each agent has a default that the scripted upstream accepts). */
  model?: string;
  /**
   * Route every non-loopback connection through this HTTP proxy (HTTP_PROXY, HTTPS_PROXY,
   * ALL_PROXY, both cases). Pass the scripted upstream's `.url` to record and refuse any outbound
   * traffic (see ScriptedUpstream.outbound()). Loopback stays direct (NO_PROXY).
   */
  outboundProxy?: string;
}

export const AGENTS_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "agents");
export const AGENTS_NODE_MODULES = join(AGENTS_DIR, "node_modules");

/** A test API key: recognisable, never valid anywhere. */
export const TEST_API_KEY = "sk-headroom-e2e-test-key-0000";

// ---------------------------------------------------------------------------------------------
// Binaries

function linuxLibcSuffix(): "" | "-musl" {
  if (process.platform !== "linux") return "";
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return report?.header?.glibcVersionRuntime === undefined ? "-musl" : "";
}

function codexTriple(): string {
  const a = process.arch === "arm64" ? "aarch64" : "x86_64";
  if (process.platform === "linux") return `${a}-unknown-linux-musl`;
  if (process.platform === "darwin") return `${a}-apple-darwin`;
  return `${a}-pc-windows-msvc`;
}

/**
 * The native binary of an agent inside test/e2e/agents/node_modules (the platform package that
 * the launcher package would spawn). Running it directly avoids a Node launcher in between (on
 * Node 20 the codex and copilot launchers stay resident as a parent process), does not depend on
 * install scripts having run, and lets a timeout kill the agent itself.
 * Returns the path even when it does not exist; see `agentInstalled`.
 */
export function agentBin(name: AgentName): string {
  const nm = AGENTS_NODE_MODULES;
  const exe = process.platform === "win32" ? ".exe" : "";
  const arch = process.arch;
  switch (name) {
    case "claude":
      return join(nm, "@anthropic-ai", `claude-code-${process.platform}-${arch}${linuxLibcSuffix()}`, `claude${exe}`);
    case "codex": {
      const pkg = `codex-${process.platform}-${arch}`;
      return join(nm, "@openai", pkg, "vendor", codexTriple(), "bin", `codex${exe}`);
    }
    case "copilot": {
      const plat = process.platform === "linux" && linuxLibcSuffix() === "-musl" ? "linuxmusl" : process.platform;
      return join(nm, "@github", `copilot-${plat}-${arch}`, `copilot${exe}`);
    }
  }
}

/** Whether the agent's binary is installed (scripts/install-e2e-agents.sh). */
export function agentInstalled(name: AgentName): boolean {
  return existsSync(agentBin(name));
}

/** A skip message for tests when an agent is missing. */
export function notInstalledMessage(name: AgentName): string {
  return `${name} is not installed in test/e2e/agents/node_modules: run scripts/install-e2e-agents.sh`;
}

// ---------------------------------------------------------------------------------------------
// Process running

interface Prepared {
  home: string;
  cwd: string;
  baseEnv: Record<string, string>;
  fresh: boolean;
}

/**
 * Everything needed to start an agent: what `runClaude`/`runCodex`/`runCopilot` spawn. Exposed so
 * tests of `headroom wrap` can start the agent through headroom with the same isolated HOME, env
 * and args (drop the base-URL variables the wrapper is supposed to set, and spawn
 * `headroom wrap <agent> -- ...args` with `runInvocation(inv, { command })`).
 * `env.PATH` starts with the agents' binary directories, so `claude`, `codex` and `copilot`
 * resolve to the installed versions.
 */
export interface Invocation {
  agent: AgentName;
  bin: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  home: string;
  /** Whether `home` was created for this invocation (and is deleted after the run). */
  freshHome: boolean;
}

function prepare(opts: Omit<RunOptions, "model">): Prepared {
  const fresh = opts.home === undefined;
  const home = opts.home ?? mkdtempSync(join(tmpdir(), "headroom-e2e-home-"));
  const dirs = {
    XDG_CONFIG_HOME: join(home, ".config"),
    XDG_DATA_HOME: join(home, ".local", "share"),
    XDG_STATE_HOME: join(home, ".local", "state"),
    XDG_CACHE_HOME: join(home, ".cache"),
    TMPDIR: join(home, "tmp"),
  };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  let cwd = opts.cwd;
  if (cwd === undefined) {
    cwd = join(home, "work");
    mkdirSync(cwd, { recursive: true });
  }
  const baseEnv: Record<string, string> = {
    PATH: agentsPath(process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin"),
    HOME: home,
    USER: process.env.USER ?? "e2e",
    LANG: "C.UTF-8",
    LC_ALL: "C.UTF-8",
    TERM: "dumb",
    NO_COLOR: "1",
    CI: "1",
    SHELL: "/bin/bash",
    // Loopback must never go through a proxy, whatever the machine is configured with.
    NO_PROXY: "127.0.0.1,localhost,::1",
    no_proxy: "127.0.0.1,localhost,::1",
    ...dirs,
  };
  if (opts.outboundProxy !== undefined) {
    for (const k of ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"]) {
      baseEnv[k] = opts.outboundProxy;
      baseEnv[k.toLowerCase()] = opts.outboundProxy;
    }
  }
  return { home, cwd, baseEnv, fresh };
}

function mergeEnv(base: Record<string, string>, extra: Record<string, string | undefined> | undefined): Record<string, string> {
  const env = { ...base };
  for (const [k, v] of Object.entries(extra ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** PATH with the directories of the installed agent binaries first. */
export function agentsPath(rest: string): string {
  const dirs = (["claude", "codex", "copilot"] as const).map((a) => dirname(agentBin(a)));
  return [...dirs, rest].join(delimiter);
}

export interface RunInvocationOptions {
  /** Kill after this long. Default 60 s. */
  timeoutMs?: number;
  /** Keep a fresh HOME after the run. */
  keepHome?: boolean;
  /** Spawn this instead of the agent itself (e.g. `node bin/headroom.js wrap claude -- ...inv.args`). */
  command?: { bin: string; args: string[] };
}

/**
 * Spawn an invocation: stdin closed, own process group (a timeout, and the end of the run, kill
 * the whole group), output collected; a fresh HOME is deleted afterwards unless `keepHome`.
 */
export function runInvocation(inv: Invocation, opts: RunInvocationOptions = {}): Promise<AgentResult> {
  const bin = opts.command?.bin ?? inv.bin;
  const args = opts.command?.args ?? inv.args;
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const started = Date.now();
  const cleanup = (): void => {
    if (inv.freshHome && !opts.keepHome) rmSync(inv.home, { recursive: true, force: true });
  };
  return new Promise<AgentResult>((resolve, reject) => {
    const child = spawn(bin, args, {
      cwd: inv.cwd,
      env: inv.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // own process group, so a timeout kills the agent and everything it started
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    let timedOut = false;
    const killGroup = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      cleanup();
      reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      // Tool processes the agent left behind in its group (e.g. background shells) go too.
      killGroup();
      const result: AgentResult = {
        exitCode: code,
        signal,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        timedOut,
        durationMs: Date.now() - started,
        home: inv.home,
        argv: [bin, ...args],
      };
      cleanup();
      resolve(result);
    });
  });
}

function invocation(agent: AgentName, args: string[], env: Record<string, string>, p: Prepared): Invocation {
  return { agent, bin: agentBin(agent), args, env, cwd: p.cwd, home: p.home, freshHome: p.fresh };
}

const trimSlash = (u: string): string => u.replace(/\/+$/, "");
const withV1 = (u: string): string => (/\/v1$/.test(trimSlash(u)) ? trimSlash(u) : `${trimSlash(u)}/v1`);

// ---------------------------------------------------------------------------------------------
// Claude Code

/**
 * `claude -p PROMPT --allowedTools Bash` with ANTHROPIC_BASE_URL = baseUrl and a test API key.
 */
export function runClaude(opts: RunOptions): Promise<AgentResult> {
  return runInvocation(claudeInvocation(opts), opts);
}

export function claudeInvocation(opts: RunOptions): Invocation {
  const p = prepare(opts);
  const env = mergeEnv(
    {
      ...p.baseEnv,
      ANTHROPIC_BASE_URL: trimSlash(opts.baseUrl),
      ANTHROPIC_API_KEY: TEST_API_KEY,
      CLAUDE_CONFIG_DIR: join(p.home, ".claude"),
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      DISABLE_TELEMETRY: "1",
      DISABLE_ERROR_REPORTING: "1",
      DISABLE_AUTOUPDATER: "1",
      CLAUDE_CODE_MAX_RETRIES: "0",
    },
    opts.env,
  );
  const args = ["-p", opts.prompt, "--allowedTools", "Bash"];
  if (opts.model !== undefined) args.push("--model", opts.model);
  args.push(...(opts.args ?? []));
  return invocation("claude", args, env, p);
}

// ---------------------------------------------------------------------------------------------
// Codex

/** The Codex model whose tools are plain functions (exec_command ...), not code mode. */
export const CODEX_CLASSIC_MODEL = "gpt-5-codex";

/**
 * `codex exec` with a custom Responses provider at baseUrl + "/v1" (OPENAI_BASE_URL is ignored by
 * recent versions). Default model: CODEX_CLASSIC_MODEL; pass `model: null` for Codex's own default
 * model (which uses the code-mode `exec` tool).
 */
export function runCodex(opts: CodexRunOptions): Promise<AgentResult> {
  return runInvocation(codexInvocation(opts), opts);
}

export type CodexRunOptions = Omit<RunOptions, "model"> & { model?: string | null };

export function codexInvocation(opts: CodexRunOptions): Invocation {
  const p = prepare(opts);
  const codexHome = join(p.home, ".codex");
  mkdirSync(codexHome, { recursive: true });
  const env = mergeEnv({ ...p.baseEnv, CODEX_HOME: codexHome, OPENAI_API_KEY: TEST_API_KEY }, opts.env);
  const provider =
    `model_providers.e2e={name="e2e",base_url=${JSON.stringify(withV1(opts.baseUrl))},` +
    `wire_api="responses",env_key="OPENAI_API_KEY",request_max_retries=0,stream_max_retries=0}`;
  const args = [
    "exec",
    "--skip-git-repo-check",
    "--dangerously-bypass-approvals-and-sandbox",
    "-c",
    "check_for_update_on_startup=false",
    "-c",
    "analytics.enabled=false",
    "-c",
    'model_provider="e2e"',
    "-c",
    provider,
    "--disable",
    "plugins",
    "--disable",
    "apps",
    "--disable",
    "remote_plugin",
    "--disable",
    "unbounded_connection_retries",
  ];
  const model = opts.model === undefined ? CODEX_CLASSIC_MODEL : opts.model;
  if (model !== null) args.push("-m", model);
  args.push(...(opts.args ?? []), opts.prompt);
  return invocation("codex", args, env, p);
}

// ---------------------------------------------------------------------------------------------
// Copilot CLI

export type CopilotWire = "chat" | "responses" | "anthropic";

const COPILOT_DEFAULT_MODEL: Record<CopilotWire, string> = {
  chat: "gpt-4.1",
  responses: "gpt-5",
  anthropic: "claude-sonnet-4.5",
};

/**
 * `copilot -p PROMPT --yolo --no-auto-update --disable-client-telemetry` with a bring-your-own
 * provider (COPILOT_PROVIDER_*) at baseUrl (+ "/v1" for the OpenAI wires).
 */
export function runCopilot(opts: CopilotRunOptions): Promise<AgentResult> {
  return runInvocation(copilotInvocation(opts), opts);
}

export type CopilotRunOptions = RunOptions & { wire: CopilotWire };

export function copilotInvocation(opts: CopilotRunOptions): Invocation {
  const p = prepare(opts);
  const providerEnv: Record<string, string> =
    opts.wire === "anthropic"
      ? { COPILOT_PROVIDER_BASE_URL: trimSlash(opts.baseUrl), COPILOT_PROVIDER_TYPE: "anthropic" }
      : { COPILOT_PROVIDER_BASE_URL: withV1(opts.baseUrl) };
  if (opts.wire === "responses") providerEnv.COPILOT_PROVIDER_WIRE_API = "responses";
  const env = mergeEnv(
    {
      ...p.baseEnv,
      ...providerEnv,
      COPILOT_PROVIDER_API_KEY: TEST_API_KEY,
      COPILOT_MODEL: opts.model ?? COPILOT_DEFAULT_MODEL[opts.wire],
      COPILOT_OFFLINE: "true",
    },
    opts.env,
  );
  const args = ["-p", opts.prompt, "--yolo", "--no-auto-update", "--disable-client-telemetry", ...(opts.args ?? [])];
  return invocation("copilot", args, env, p);
}

/** A one-line summary of a run for assertion messages. */
export function describeRun(r: AgentResult): string {
  const tail = (s: string): string => (s.length > 2000 ? `...${s.slice(-2000)}` : s);
  return [
    `exit=${r.exitCode} signal=${r.signal} timedOut=${r.timedOut} ${r.durationMs}ms`,
    `argv: ${JSON.stringify(r.argv)}`,
    `stdout: ${tail(r.stdout)}`,
    `stderr: ${tail(r.stderr)}`,
  ].join("\n");
}
