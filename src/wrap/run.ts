// `headroom wrap <agent>`: proxy + agent in one command. In order: recover journals a killed run
// left, find the upstream the user already configured, start the proxy on a free loopback port,
// let the adapter build the launch plan, run the agent with the terminal attached, undo, report.
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import type { Adapter, LaunchPlan } from "../../adapters/types.js";
import type { Store } from "../ccr/store.js";
import type { LedgerEntry } from "../ledger/types.js";
import type { Ledger } from "../ledger/ledger.js";
import type { Mode } from "../cli/settings.js";
import type { ReadSettings } from "../pipeline/read-policy.js";
import type { ProseModel } from "../resources/prose-model.js";
import { buildReport, formatReport, type WrapReport } from "./report.js";
import { runChild } from "./child.js";

export interface WrapRunOptions {
  readonly adapter: Adapter;
  readonly agentArgs: readonly string[];
  readonly bin?: string;
  readonly mode: Mode;
  /** How file reads are treated (default "large" above 2000 tokens; see src/pipeline/read-policy.ts). */
  readonly reads?: ReadSettings;
  /** The optional prose model; without it prose is compressed extractively. */
  readonly proseModel?: ProseModel;
  readonly env: NodeJS.ProcessEnv;
  readonly dataDir: string;
  readonly store: Store | null;
  readonly ledger: Ledger;
  /** How the agent starts headroom's MCP server (argv of this very CLI). */
  readonly mcp: { command: string; args: string[] };
  readonly reportJson?: string;
  readonly quiet?: boolean;
  readonly color: boolean;
  readonly stderr: NodeJS.WritableStream;
  readonly cwd?: string;
}

export async function runWrap(options: WrapRunOptions): Promise<{ exitCode: number; report: WrapReport }> {
  const [{ startProxy }, { normalizeUpstream, DEFAULT_UPSTREAMS }, { recoverJournals }] = await Promise.all([
    import("../proxy/server.js"),
    import("../proxy/upstream.js"),
    import("../../adapters/index.js"),
  ]);
  recoverJournals(options.dataDir);
  const started = Date.now();
  const session = randomBytes(8).toString("hex");
  const discovered = await options.adapter.discoverUpstream(options.env, { userArgs: options.agentArgs, ...(options.cwd ? { cwd: options.cwd } : {}) });
  const entries: LedgerEntry[] = [];
  const proxy = await startProxy({
    port: 0,
    host: "127.0.0.1",
    mode: options.mode,
    upstreams: {
      anthropic: normalizeUpstream(discovered.anthropic ?? DEFAULT_UPSTREAMS.anthropic, "the configured Anthropic base URL"),
      openai: normalizeUpstream(discovered.openai ?? DEFAULT_UPSTREAMS.openai, "the configured OpenAI base URL"),
    },
    store: options.store,
    ...(options.reads ? { reads: options.reads } : {}),
    ...(options.proseModel ? { proseModel: options.proseModel } : {}),
    env: options.env,
    record: (entry) => {
      entries.push(entry);
      options.ledger.record(entry);
    },
    stats: () => options.ledger.summary({ sinceMs: started }),
    warn: (message) => options.stderr.write(`headroom: ${message}\n`),
  });

  let plan: LaunchPlan | undefined;
  let exitCode = 1;
  try {
    plan = await options.adapter.prepare({
      proxyUrl: proxy.url,
      env: options.env,
      userArgs: options.agentArgs,
      mcp: { command: options.mcp.command, args: [...options.mcp.args, "--session", session] },
      dataDir: options.dataDir,
      ...(options.bin ? { bin: options.bin } : {}),
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
    for (const notice of plan.notices) options.stderr.write(`headroom: ${notice}\n`);
    const outcome = await runChild({ bin: plan.bin, args: plan.args, env: plan.env, ...(options.cwd ? { cwd: options.cwd } : {}) });
    exitCode = outcome.exitCode;
  } finally {
    await plan?.undo();
    await proxy.settled();
    await proxy.close();
  }

  const report = buildReport({
    agent: options.adapter.displayName,
    exitCode,
    durationMs: Date.now() - started,
    proxied: plan?.proxied ?? false,
    entries,
    retrievals: options.ledger.retrievalsSince(started, session),
  });
  if (options.reportJson) await writeFile(options.reportJson, `${JSON.stringify(report, null, 2)}\n`);
  if (!options.quiet) options.stderr.write(formatReport(report, options.color));
  return { exitCode, report };
}
