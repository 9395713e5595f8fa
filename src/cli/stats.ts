// `headroom stats`: what was saved, from the ledger, by session, agent, model, content kind and day.
import { parseDuration } from "./duration.js";
import { printJson } from "./output.js";
import { resolveSettings } from "./settings.js";
import { terminalWidth, useColor } from "./color.js";

export interface StatsCommandOptions {
  readonly since?: string;
  readonly agent?: string;
  readonly session?: string;
  readonly json?: boolean;
}

export async function statsCommand(options: StatsCommandOptions, now: number = Date.now()): Promise<number> {
  const sinceMs = options.since ? now - parseDuration(options.since, "--since") : undefined;
  const settings = await resolveSettings();
  const [{ Ledger }, { formatSummary }, { ensureDir }] = await Promise.all([
    import("../ledger/ledger.js"),
    import("../ledger/format.js"),
    import("../config/home.js"),
  ]);
  ensureDir(settings.dataDir);
  const ledger = Ledger.open({ path: settings.dbPath });
  try {
    const summary = ledger.summary({
      ...(sinceMs !== undefined ? { sinceMs } : {}),
      ...(options.agent ? { agent: options.agent } : {}),
      ...(options.session ? { session: options.session } : {}),
    });
    if (options.json) printJson(summary);
    else process.stdout.write(`${formatSummary(summary, { color: useColor(process.stdout), width: terminalWidth(process.stdout) })}\n`);
    return 0;
  } finally {
    ledger.close();
  }
}
