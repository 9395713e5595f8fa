// `headroom show [N]`: the last N tool outputs headroom compressed, with the hash to retrieve each.
import { HeadroomError } from "../errors.js";
import type { CompressionRow } from "../ledger/ledger.js";
import { printJson } from "./output.js";
import { resolveSettings } from "./settings.js";

export interface ShowCommandOptions {
  readonly count?: string;
  readonly agent?: string;
  readonly json?: boolean;
}

export async function showCommand(options: ShowCommandOptions): Promise<number> {
  const limit = Number(options.count ?? "20");
  if (!Number.isInteger(limit) || limit <= 0) {
    throw new HeadroomError("HR_BAD_OPTION", `N must be a positive whole number, got "${options.count}".`);
  }
  const settings = await resolveSettings();
  const [{ Ledger }, { ensureDir }] = await Promise.all([import("../ledger/ledger.js"), import("../config/home.js")]);
  ensureDir(settings.dataDir);
  const ledger = Ledger.open({ path: settings.dbPath });
  try {
    const rows = ledger.recentCompressions(limit, options.agent ? { agent: options.agent } : {});
    if (options.json) printJson({ compressions: rows });
    else process.stdout.write(formatRows(rows));
    return 0;
  } finally {
    ledger.close();
  }
}

function formatRows(rows: readonly CompressionRow[]): string {
  if (rows.length === 0) {
    return "No compressions recorded yet. Run an agent through headroom (`headroom wrap claude`, or point it at `headroom proxy`).\n";
  }
  const header = ["when (UTC)", "agent", "tool", "kind", "tokens", "markers", "hash"];
  const lines = rows.map((row) => [
    new Date(row.time).toISOString().slice(0, 19).replace("T", " "),
    row.agent,
    row.tool ?? "-",
    row.kind,
    `${row.tokensBefore} -> ${row.tokensAfter}`,
    String(row.markers),
    row.hash,
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => (line[i] ?? "").length)));
  const render = (cells: readonly string[]) => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  ").trimEnd();
  return `${[render(header), ...lines.map(render)].join("\n")}\n\nSee what was left out: headroom retrieve HASH (add --query TEXT to narrow it).\n`;
}
