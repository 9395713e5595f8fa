// `headroom wrap <agent> [options] [-- agent args]`: resolves settings once, opens the store and
// the ledger, and hands over to src/wrap/run.ts. Exits with the agent's exit code.
import { resolveSettings } from "./settings.js";
import { openStoreWith } from "./store.js";
import { useColor } from "./color.js";
import { loadConfiguredProseModel } from "./prose-model.js";

export interface WrapCommandOptions {
  readonly agent: string;
  readonly agentArgs: readonly string[];
  readonly bin?: string;
  readonly mode?: string;
  readonly reportJson?: string;
  readonly quiet?: boolean;
}

export async function wrapCommand(options: WrapCommandOptions, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [{ adapterFor }, { runWrap }, { Ledger }] = await Promise.all([
    import("../../adapters/index.js"),
    import("../wrap/run.js"),
    import("../ledger/ledger.js"),
  ]);
  const adapter = adapterFor(options.agent);
  const settings = await resolveSettings(options.mode ? { mode: options.mode } : {}, env);
  // Fail before starting anything when the agent is not installed (clear message with an install hint).
  if (!adapter.findBinary(env, options.bin)) {
    const { HeadroomError } = await import("../errors.js");
    throw new HeadroomError("HR_AGENT_NOT_FOUND", `${adapter.displayName} was not found on PATH. ${adapter.installHint} (or pass --bin PATH).`);
  }
  const store = settings.mode === "off" ? null : await openStoreWith(settings, { backgroundCheckpoint: true });
  const ledger = Ledger.open({ path: settings.dbPath });
  const proseModel = settings.mode === "off" ? undefined : await loadConfiguredProseModel(settings, (line) => process.stderr.write(`${line}\n`));
  try {
    const { exitCode } = await runWrap({
      adapter,
      agentArgs: options.agentArgs,
      ...(options.bin ? { bin: options.bin } : {}),
      mode: settings.mode,
      reads: { fileReads: settings.fileReads, fileReadMinTokens: settings.fileReadMinTokens },
      ...(proseModel ? { proseModel } : {}),
      env,
      dataDir: settings.dataDir,
      store,
      ledger,
      mcp: { command: process.execPath, args: [...process.execArgv, process.argv[1] ?? "headroom", "mcp", "serve"] },
      ...(options.reportJson ? { reportJson: options.reportJson } : {}),
      ...(options.quiet ? { quiet: true } : {}),
      color: useColor(process.stderr),
      stderr: process.stderr,
    });
    return exitCode;
  } finally {
    ledger.close();
    store?.close();
  }
}
