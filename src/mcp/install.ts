/**
 * `headroom mcp install|uninstall`: registers `headroom mcp serve` durably with Claude Code, Codex
 * and the Copilot CLI, each through its own configuration, idempotently; uninstall removes exactly
 * what install added. See install-claude.ts, install-codex.ts, install-copilot.ts for each agent.
 *
 * @example
 *   const results = await installMcp({ env: process.env, dataDir: resolveHome().dataDir });
 *   for (const r of results) console.log(r.agent, r.status, r.detail);
 */
import { adapterFor } from "../../adapters/index.js";
import type { Env } from "../../adapters/types.js";
import { installClaude, uninstallClaude } from "./install-claude.js";
import { installCodex, uninstallCodex } from "./install-codex.js";
import { defaultServerCommand, MCP_AGENTS, type InstallStatus, type McpAgent, type Outcome, type ServerCommand, type UninstallStatus } from "./install-common.js";
import { installCopilot, uninstallCopilot } from "./install-copilot.js";

export { defaultServerCommand, MCP_AGENTS, type InstallStatus, type McpAgent, type Outcome, type ServerCommand, type UninstallStatus } from "./install-common.js";

export interface McpInstallOptions {
  readonly env: Env;
  /** headroom's data dir (Claude's install record lives there). */
  readonly dataDir: string;
  /** One agent; default: every agent whose binary is on PATH. */
  readonly agent?: McpAgent;
  /** What the agents run; default: this Node and this package's bin/headroom.js. */
  readonly server?: ServerCommand;
}

const INSTALLERS = { claude: installClaude, codex: installCodex, copilot: installCopilot } as const;

/**
 * Installs for `agent`, or for every agent whose binary is found. Codex and Copilot read plain
 * files, so naming one with `agent` writes its file even before the agent is installed; Claude's
 * registration needs its binary.
 */
export async function installMcp(options: McpInstallOptions): Promise<Outcome<InstallStatus>[]> {
  const server = options.server ?? defaultServerCommand();
  const agents = options.agent === undefined ? MCP_AGENTS : [options.agent];
  const results: Outcome<InstallStatus>[] = [];
  for (const agent of agents) {
    const adapter = adapterFor(agent);
    const binary = adapter.findBinary(options.env);
    if (binary === undefined && options.agent === undefined) {
      results.push({ agent, status: "skipped", detail: `${adapter.binaryNames.join(" / ")} is not on PATH. ${adapter.installHint}` });
      continue;
    }
    results.push(await INSTALLERS[agent]({ env: options.env, dataDir: options.dataDir, server, ...(binary === undefined ? {} : { binary }) }));
  }
  return results;
}

/** Uninstalls from `agent`, or from all three (no binary needed: only files are read and edited). */
export async function uninstallMcp(options: Omit<McpInstallOptions, "server">): Promise<Outcome<UninstallStatus>[]> {
  const agents = options.agent === undefined ? MCP_AGENTS : [options.agent];
  const results: Outcome<UninstallStatus>[] = [];
  for (const agent of agents) {
    const ctx = { env: options.env, dataDir: options.dataDir };
    results.push(agent === "claude" ? await uninstallClaude(ctx) : agent === "codex" ? await uninstallCodex(ctx) : await uninstallCopilot(ctx));
  }
  return results;
}

/** Whether a run failed: something could not be done (a conflict or an error), not a skip. */
export const anyFailed = (results: readonly Outcome<string>[]): boolean => results.some((r) => r.status === "failed" || r.status === "conflict");
