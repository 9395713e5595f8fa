// The savings report `wrap` prints on exit: built from the ledger entries this run's proxy recorded
// (so concurrent wrap runs each report only their own requests), rendered for humans or as JSON.
import type { LedgerEntry } from "../ledger/types.js";
import { estimateDollarsByModel, PRICES_AS_OF } from "../ledger/prices.js";
import { formatDollars, formatMs, formatPercent, formatTokens } from "../ledger/format.js";

export interface WrapReport {
  readonly version: 1;
  readonly agent: string;
  readonly exitCode: number;
  readonly durationMs: number;
  readonly proxied: boolean;
  readonly requests: number;
  /** Tool outputs as the agent sent them and as forwarded, counted with one tokenizer, net of markers. */
  readonly toolOutputs: { readonly before: number; readonly after: number; readonly saved: number; readonly percent: number };
  /** Input tokens as the provider billed them, and what they would have been without headroom. */
  readonly input: { readonly asSent: number | null; readonly withoutHeadroom: number | null; readonly percentSaved: number | null };
  readonly cache: { readonly read: number; readonly write: number };
  readonly dollarsSaved: { readonly estimate: number | null; readonly pricesAsOf: string; readonly unpricedModels: readonly string[] };
  readonly retrievals: number;
  readonly topKinds: readonly { readonly kind: string; readonly saved: number; readonly before: number; readonly after: number }[];
  readonly addedMs: { readonly total: number; readonly p50: number };
  /** True when token counts come from a tokenizer that is not the provider's (Claude). */
  readonly estimate: boolean;
}

export interface ReportInput {
  readonly agent: string;
  readonly exitCode: number;
  readonly durationMs: number;
  readonly proxied: boolean;
  readonly entries: readonly LedgerEntry[];
  readonly retrievals: number;
}

export function buildReport(input: ReportInput): WrapReport {
  const compressing = input.entries.filter((entry) => entry.mode === "compress");
  const before = sum(compressing, (e) => e.tokensBefore);
  const after = sum(compressing, (e) => e.tokensAfter);
  const saved = Math.max(0, before - after);
  const reported = input.entries.filter((entry) => entry.usage !== null);
  const asSent = reported.length > 0 ? sum(reported, (e) => (e.usage?.input ?? 0) + (e.usage?.cacheRead ?? 0) + (e.usage?.cacheCreation ?? 0)) : null;
  const kinds = new Map<string, { before: number; after: number }>();
  for (const entry of compressing) {
    for (const [kind, tokens] of Object.entries(entry.byKind)) {
      const acc = kinds.get(kind) ?? { before: 0, after: 0 };
      kinds.set(kind, { before: acc.before + tokens.before, after: acc.after + tokens.after });
    }
  }
  const byModel = new Map<string, { saved: number; input: number; cacheRead: number; cacheCreation: number }>();
  for (const entry of compressing) {
    const key = entry.model ?? "unknown";
    const acc = byModel.get(key) ?? { saved: 0, input: 0, cacheRead: 0, cacheCreation: 0 };
    byModel.set(key, {
      saved: acc.saved + Math.max(0, entry.tokensBefore - entry.tokensAfter),
      input: acc.input + (entry.usage?.input ?? 0),
      cacheRead: acc.cacheRead + (entry.usage?.cacheRead ?? 0),
      cacheCreation: acc.cacheCreation + (entry.usage?.cacheCreation ?? 0),
    });
  }
  const dollars = estimateDollarsByModel(
    [...byModel].map(([key, row]) => ({ key, saved: row.saved, usage: { input: row.input, cacheRead: row.cacheRead, cacheCreation: row.cacheCreation } })),
  );
  const added = input.entries.map((entry) => entry.addedMs).sort((a, b) => a - b);
  return {
    version: 1,
    agent: input.agent,
    exitCode: input.exitCode,
    durationMs: input.durationMs,
    proxied: input.proxied,
    requests: input.entries.length,
    toolOutputs: { before, after, saved, percent: before > 0 ? (saved / before) * 100 : 0 },
    input: {
      asSent,
      withoutHeadroom: asSent === null ? null : asSent + saved,
      percentSaved: asSent === null || asSent + saved === 0 ? null : (saved / (asSent + saved)) * 100,
    },
    cache: { read: sum(reported, (e) => e.usage?.cacheRead ?? 0), write: sum(reported, (e) => e.usage?.cacheCreation ?? 0) },
    dollarsSaved: { estimate: dollars.priced > 0 ? dollars.dollars : null, pricesAsOf: PRICES_AS_OF, unpricedModels: dollars.unpricedModels },
    retrievals: input.retrievals,
    topKinds: [...kinds]
      .map(([kind, t]) => ({ kind, before: t.before, after: t.after, saved: Math.max(0, t.before - t.after) }))
      .filter((row) => row.saved > 0)
      .sort((a, b) => b.saved - a.saved || a.kind.localeCompare(b.kind))
      .slice(0, 5),
    addedMs: { total: round(sum(input.entries, (e) => e.addedMs)), p50: round(added[Math.floor((added.length - 1) / 2)] ?? 0) },
    estimate: compressing.some((entry) => entry.estimate),
  };
}

type Paint = (text: string) => string;

/** The report as stderr shows it; `color` false gives plain text (NO_COLOR, pipes). */
export function formatReport(report: WrapReport, color: boolean): string {
  const bold: Paint = (t) => (color ? `\u001b[1m${t}\u001b[22m` : t);
  const dim: Paint = (t) => (color ? `\u001b[2m${t}\u001b[22m` : t);
  const green: Paint = (t) => (color ? `\u001b[32m${t}\u001b[39m` : t);
  const est = report.estimate ? dim(" (estimate)") : "";
  const lines = [bold(`headroom: ${report.agent} exited with ${report.exitCode} after ${formatMs(report.durationMs)}`)];
  if (!report.proxied) {
    lines.push("  its model requests did not go through headroom, so there is nothing to report");
    return `${lines.join("\n")}\n`;
  }
  if (report.requests === 0) {
    lines.push("  no model requests went through headroom in this run");
    return `${lines.join("\n")}\n`;
  }
  const t = report.toolOutputs;
  lines.push(`  requests          ${report.requests}`);
  lines.push(`  tool outputs      ${formatTokens(t.before)} -> ${formatTokens(t.after)} tokens, ${green(`${formatPercent(t.percent)} saved`)}${est}`);
  if (report.input.asSent !== null && report.input.withoutHeadroom !== null) {
    const pct = report.input.percentSaved === null ? "" : `, ${formatPercent(report.input.percentSaved)} less`;
    lines.push(`  input tokens      ${formatTokens(report.input.asSent)} sent; ${formatTokens(report.input.withoutHeadroom)} without headroom${pct}${est}`);
    lines.push(`  provider cache    ${formatTokens(report.cache.read)} read, ${formatTokens(report.cache.write)} written`);
  }
  const dollars = report.dollarsSaved.estimate;
  if (dollars !== null) lines.push(`  saved             ${formatDollars(dollars)} ${dim(`(estimate, list prices of ${report.dollarsSaved.pricesAsOf})`)}`);
  if (report.topKinds.length > 0) {
    lines.push(`  top kinds         ${report.topKinds.map((k) => `${k.kind} ${formatTokens(k.saved)}`).join(", ")}`);
  }
  lines.push(`  retrievals        ${report.retrievals}`);
  lines.push(`  time added        ${formatMs(report.addedMs.p50)} p50 per request, ${formatMs(report.addedMs.total)} in all`);
  return `${lines.join("\n")}\n`;
}

function sum<T>(items: readonly T[], pick: (item: T) => number): number {
  let total = 0;
  for (const item of items) total += pick(item);
  return total;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
