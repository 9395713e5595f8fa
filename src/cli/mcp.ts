// `headroom mcp serve`: the MCP server on stdio, on the same store and ledger as the proxy.
import { openStore } from "./store.js";

export interface McpServeOptions {
  /** Set by `headroom wrap`: retrievals are counted for that run's report. */
  readonly session?: string;
}

export async function mcpServeCommand(options: McpServeOptions = {}): Promise<number> {
  const [{ serveStdio }, { Ledger }] = await Promise.all([import("../mcp/server.js"), import("../ledger/ledger.js")]);
  const store = await openStore();
  const ledger = Ledger.open({ path: store.path });
  try {
    await serveStdio(store, {
      onRetrieve: (retrieval) => ledger.recordRetrieval({ ...retrieval, ...(options.session ? { session: options.session } : {}) }),
      savings: () => ledger.summary().totals,
    });
    return 0;
  } finally {
    ledger.close();
    store.close();
  }
}

export interface McpInstallCommandOptions {
  readonly agent?: string;
  readonly json?: boolean;
}

const STATUS_WORDS: Record<string, string> = {
  installed: "installed",
  updated: "updated",
  "already-installed": "already installed",
  removed: "removed",
  "not-installed": "not installed",
  conflict: "left alone",
  skipped: "skipped",
  failed: "failed",
};

async function agentOption(agent: string | undefined): Promise<import("../mcp/install.js").McpAgent | undefined> {
  if (agent === undefined) return undefined;
  const { MCP_AGENTS } = await import("../mcp/install.js");
  if ((MCP_AGENTS as readonly string[]).includes(agent)) return agent as import("../mcp/install.js").McpAgent;
  const { HeadroomError } = await import("../errors.js");
  throw new HeadroomError("HR_BAD_OPTION", `Unknown agent "${agent}" for MCP install: expected one of ${MCP_AGENTS.join(", ")}.`);
}

async function report(results: readonly import("../mcp/install.js").Outcome<string>[], json: boolean | undefined, command: string): Promise<number> {
  const { anyFailed } = await import("../mcp/install.js");
  const failed = anyFailed(results) || results.every((r) => r.status === "skipped");
  if (json) {
    (await import("./output.js")).printJson({ command, ok: !failed, results });
  } else {
    for (const r of results) {
      process.stdout.write(`${r.agent}: ${STATUS_WORDS[r.status] ?? r.status}: ${r.detail}${r.path ? ` (${r.path})` : ""}\n`);
    }
  }
  return failed ? 1 : 0;
}

/** `headroom mcp install [--agent A] [--json]`. */
export async function mcpInstallCommand(options: McpInstallCommandOptions = {}): Promise<number> {
  const [{ installMcp }, { resolveSettings }] = await Promise.all([import("../mcp/install.js"), import("./settings.js")]);
  const agent = await agentOption(options.agent);
  const { dataDir } = await resolveSettings();
  const results = await installMcp({ env: process.env, dataDir, ...(agent ? { agent } : {}) });
  return report(results, options.json, "install");
}

/** `headroom mcp uninstall [--agent A] [--json]`. */
export async function mcpUninstallCommand(options: McpInstallCommandOptions = {}): Promise<number> {
  const [{ uninstallMcp }, { resolveSettings }] = await Promise.all([import("../mcp/install.js"), import("./settings.js")]);
  const agent = await agentOption(options.agent);
  const { dataDir } = await resolveSettings();
  const results = await uninstallMcp({ env: process.env, dataDir, ...(agent ? { agent } : {}) });
  return report(results, options.json, "uninstall");
}
