/**
 * The one interface every agent adapter implements (claude, codex, copilot, aider, cursor).
 *
 * An adapter knows one agent: where its binary is, which upstream the user already configured,
 * and which env vars / flags point it at headroom's proxy and register headroom's MCP server for
 * one run. It never starts the proxy and never spawns the agent: `headroom wrap` does both.
 *
 * Shape decisions (beyond the brief):
 * - `LaunchPlan.env` is the COMPLETE environment for the agent (the caller's env plus what the
 *   adapter adds), so spawn it with `{ env: plan.env, extendEnv: false }`: a removal is possible
 *   and tests can assert the exact env.
 * - `LaunchPlan.proxied` says whether the agent's model traffic really goes through the proxy.
 *   It is false when the agent cannot be pointed at a loopback proxy without changing where its
 *   requests end up (Cursor: requests leave from Cursor's servers; Copilot signed in to GitHub
 *   without a bring-your-own provider) or when a flag the user passed already decides the base URL
 *   (the user's flag wins). `notices` says why, in words `wrap` prints to stderr as they are.
 * - `prepare` takes `bin` (the `--bin PATH` override) and `dataDir` (for the journal of the only
 *   adapter that edits a file: cursor) so it is a plain function of its arguments.
 *
 * @example
 *   const adapter = adapterFor("claude");
 *   const up = await adapter.discoverUpstream(process.env, { userArgs });
 *   const proxy = await startProxy({ upstream: up });           // src/proxy (not this module)
 *   const plan = await adapter.prepare({ proxyUrl: proxy.url, env: process.env, userArgs, mcp });
 *   try { await execa(plan.bin, plan.args, { env: plan.env, extendEnv: false, stdio: "inherit" }); }
 *   finally { await plan.undo(); }
 */

export type AgentName = "claude" | "codex" | "copilot" | "aider" | "cursor";

/** An environment as `process.env` has it (undefined = unset). */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Where requests went before headroom: what the proxy must forward to, written the way users
 * write them (Anthropic without `/v1`, OpenAI-compatible with `/v1`). Absent = no traffic of that
 * family is expected from this agent.
 */
export interface Upstreams {
  anthropic?: string;
  openai?: string;
}

export interface DiscoverOptions {
  /** The arguments the user gave the agent (after `--`): a flag there beats env and files. */
  userArgs: readonly string[];
  /** Working directory the agent will run in (project config files). Default: process.cwd(). */
  cwd?: string;
}

/** How to start headroom's MCP server (`headroom mcp serve`), as `wrap` knows it. */
export interface McpCommand {
  command: string;
  args: string[];
}

export interface PrepareContext {
  /** Root URL of the running proxy, e.g. `http://127.0.0.1:43121` (no `/v1`, no trailing slash). */
  proxyUrl: string;
  /** The environment the agent would have run with (normally process.env). Never mutated. */
  env: Env;
  /** The user's arguments for the agent, passed through verbatim and never overridden. */
  userArgs: readonly string[];
  mcp: McpCommand;
  /** `--bin PATH`: use this executable instead of searching PATH. */
  bin?: string;
  /** Working directory the agent will run in. Default: process.cwd(). */
  cwd?: string;
  /** Where journals of edited files live. Default: headroom's data dir (src/config/home.ts). */
  dataDir?: string;
}

export interface LaunchPlan {
  /** Absolute path of the agent's executable. */
  bin: string;
  /** The agent's argv: the user's arguments plus what the adapter adds, none dropped. */
  args: string[];
  /** The complete environment for the agent (spawn with extendEnv: false). */
  env: Record<string, string>;
  /** True when the agent's model requests go through the proxy. */
  proxied: boolean;
  /** Human-readable lines for stderr (what could not be done, and what works instead). */
  notices: string[];
  /** Undo whatever prepare changed on disk. Idempotent; a no-op for env/flag-only adapters. */
  undo(): Promise<void>;
}

export interface Adapter {
  readonly name: AgentName;
  /** For messages: "Claude Code", "Codex", ... */
  readonly displayName: string;
  /** Executable names searched on PATH, in order. */
  readonly binaryNames: readonly string[];
  /** One line telling the user how to install the agent. */
  readonly installHint: string;
  /** The executable to run: `override` if it is an executable file, else the first match on env.PATH. */
  findBinary(env: Env, override?: string): string | undefined;
  /** The upstream the user already configured, so wrapping never changes where requests end up. */
  discoverUpstream(env: Env, options: DiscoverOptions): Promise<Upstreams>;
  /**
   * Builds the launch plan. Throws HeadroomError HR_AGENT_NOT_FOUND (with the install hint) when
   * no binary is found.
   */
  prepare(context: PrepareContext): Promise<LaunchPlan>;
}
