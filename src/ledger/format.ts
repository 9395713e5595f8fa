// Human-readable rendering of a LedgerSummary, shared by `headroom stats` and the `wrap` exit report.
// Pure: no I/O, no clock, no environment. The caller decides about colour (NO_COLOR, TTY) and width.

import type { BreakdownRow, KindRow, LedgerFilter, LedgerSummary, SessionRow, TokenTotals } from "./ledger.js";
import { estimateDollarsByModel, PRICES_AS_OF } from "./prices.js";

export interface FormatOptions {
  /** Emit ANSI colour and bold. Pass false for NO_COLOR, pipes and files. */
  readonly color: boolean;
  /** Terminal width in columns (default 80, at least 40). */
  readonly width?: number;
  /** Sessions listed before "... N more" (default 10). */
  readonly maxSessions?: number;
  /** Days shown in the chart, the most recent ones (default 30). */
  readonly maxDays?: number;
}

const DEFAULT_WIDTH = 80;
const MIN_WIDTH = 40;
const DAY_MS = 24 * 60 * 60 * 1000;
const EIGHTHS = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
const FULL_BLOCK = "█";

interface Style {
  bold(text: string): string;
  dim(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
}

function style(color: boolean): Style {
  const wrap = (open: number, close: number) => (text: string) =>
    color && text ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  return { bold: wrap(1, 22), dim: wrap(2, 22), green: wrap(32, 39), yellow: wrap(33, 39) };
}

/** Thousands-separated integer, e.g. 1,234,567. */
export function formatTokens(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}

/** Percentage with one decimal, e.g. 63.2%. */
export function formatPercent(value: number): string {
  return `${value.toFixed(1)}%`;
}

/** Milliseconds, with a precision that suits the size. */
export function formatMs(value: number): string {
  if (value < 10) return `${value.toFixed(2)} ms`;
  if (value < 100) return `${value.toFixed(1)} ms`;
  return `${Math.round(value).toLocaleString("en-US")} ms`;
}

/** US dollars: cents, or finer below 1 cent so small savings do not read as $0.00. */
export function formatDollars(value: number): string {
  if (value === 0) return "$0.00";
  if (value < 0.01) return `$${value.toFixed(4)}`;
  return `$${value.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function describeFilter(filter: LedgerFilter): string {
  const parts: string[] = [];
  if (filter.sinceMs !== undefined) parts.push(`since ${new Date(filter.sinceMs).toISOString().slice(0, 16).replace("T", " ")} UTC`);
  if (filter.untilMs !== undefined) parts.push(`until ${new Date(filter.untilMs).toISOString().slice(0, 16).replace("T", " ")} UTC`);
  if (filter.agent !== undefined) parts.push(`agent ${filter.agent}`);
  if (filter.session !== undefined) parts.push(`session ${filter.session}`);
  return parts.join(", ");
}

function truncate(text: string, width: number): string {
  if (text.length <= width) return text;
  if (width <= 1) return text.slice(0, width);
  return `${text.slice(0, width - 1)}…`;
}

// Greedy word wrap (words longer than the width stay whole).
function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

interface Column<Row> {
  readonly title: string;
  readonly value: (row: Row) => string;
  readonly align: "left" | "right";
}

// A table whose first (key) column shrinks to fit the width; the numeric columns never wrap.
function table<Row>(rows: readonly Row[], columns: readonly Column<Row>[], width: number, s: Style): string[] {
  const cells = rows.map((row) => columns.map((column) => column.value(row)));
  const widths = columns.map((column, i) => Math.max(column.title.length, ...cells.map((line) => line[i]?.length ?? 0)));
  const gap = 2;
  const indent = 2;
  const fixed = widths.slice(1).reduce((sum, w) => sum + w + gap, 0);
  const keyWidth = Math.max(8, Math.min(widths[0] ?? 8, width - indent - fixed));
  widths[0] = keyWidth;
  const render = (values: readonly string[]) =>
    " ".repeat(indent) +
    values
      .map((value, i) => {
        const w = widths[i] ?? 0;
        const text = i === 0 ? truncate(value, w) : value;
        return columns[i]?.align === "right" ? text.padStart(w) : text.padEnd(w);
      })
      .join(" ".repeat(gap))
      .trimEnd();
  return [s.dim(render(columns.map((column) => column.title))), ...cells.map(render)];
}

function tokenColumns<Row extends TokenTotals>(keyTitle: string, key: (row: Row) => string, measured: boolean): Column<Row>[] {
  const columns: Column<Row>[] = [
    { title: keyTitle, value: key, align: "left" },
    { title: "requests", value: (row) => formatTokens(row.requests), align: "right" },
    { title: "before", value: (row) => formatTokens(row.tokensBefore), align: "right" },
    { title: "after", value: (row) => formatTokens(row.tokensAfter), align: "right" },
    { title: "saved", value: (row) => formatTokens(row.saved), align: "right" },
    { title: "%", value: (row) => formatPercent(row.percent), align: "right" },
  ];
  if (measured) columns.push({ title: "would save", value: (row) => formatTokens(row.measured), align: "right" });
  return columns;
}

/** A horizontal bar of `value / max` of `width` cells, drawn with block characters (eighths). */
export function bar(value: number, max: number, width: number): string {
  if (max <= 0 || value <= 0 || width <= 0) return "";
  const eighths = Math.max(1, Math.round((Math.min(value, max) / max) * width * 8));
  return FULL_BLOCK.repeat(Math.floor(eighths / 8)) + (EIGHTHS[eighths % 8] ?? "");
}

// Every UTC day from the first to the last day with data (days without requests count 0), the most
// recent `maxDays` of them.
function dayseries(days: readonly BreakdownRow[], pick: (row: BreakdownRow) => number, maxDays: number) {
  const first = days[0];
  const last = days.at(-1);
  if (!first || !last) return [];
  const byKey = new Map(days.map((row) => [row.key, pick(row)]));
  const end = Date.parse(`${last.key}T00:00:00Z`);
  const start = Math.max(Date.parse(`${first.key}T00:00:00Z`), end - (maxDays - 1) * DAY_MS);
  const series: { day: string; value: number }[] = [];
  for (let t = start; t <= end; t += DAY_MS) {
    const day = utcDay(t);
    series.push({ day, value: byKey.get(day) ?? 0 });
  }
  return series;
}

function emptyReport(summary: LedgerSummary, s: Style): string {
  const filter = describeFilter(summary.filter);
  return [
    s.bold(filter ? `headroom: no requests recorded (${filter}).` : "headroom: no requests recorded yet."),
    "",
    "To get data, run an agent through headroom:",
    `  ${s.bold("headroom wrap claude")}     (or codex, copilot, aider, cursor)`,
    "or point any agent at a long-running proxy:",
    `  ${s.bold("headroom proxy")}           then set e.g. ANTHROPIC_BASE_URL=http://127.0.0.1:8787`,
    "",
    s.dim("Every request that goes through headroom is counted here."),
    "",
  ].join("\n");
}

/**
 * The summary as text for a terminal: totals, breakdowns by agent, model, content kind and session,
 * and a per-day bar chart of tokens saved. Estimated figures are labelled "(estimate)". An empty
 * summary explains how to get data. Ends with a newline.
 */
export function formatSummary(summary: LedgerSummary, options: FormatOptions): string {
  const s = style(options.color);
  const width = Math.max(MIN_WIDTH, Math.floor(options.width ?? DEFAULT_WIDTH));
  const totals = summary.totals;
  if (totals.requests === 0) return emptyReport(summary, s);

  const estimateTag = (flag: boolean) => (flag ? ` ${s.yellow("(estimate)")}` : "");
  const measured = totals.measured > 0;
  const lines: string[] = [];
  const filter = describeFilter(summary.filter);
  lines.push(s.bold("headroom savings") + (filter ? s.dim(`  (${filter})`) : ""));
  lines.push("");

  const label = (text: string) => `  ${text.padEnd(16)}`;
  const sessions = totals.sessions === 1 ? "1 session" : `${formatTokens(totals.sessions)} sessions`;
  lines.push(`${label("requests")}${formatTokens(totals.requests)} in ${sessions}`);
  lines.push(
    `${label("tool outputs")}${formatTokens(totals.tokensBefore)} tokens sent by the agent` + estimateTag(totals.estimate),
  );
  lines.push(`${label("forwarded")}${formatTokens(totals.tokensAfter)} tokens` + estimateTag(totals.estimate));
  lines.push(
    `${label("saved")}${s.green(`${formatTokens(totals.saved)} tokens`)} (${formatPercent(totals.percent)})` +
      estimateTag(totals.estimate),
  );
  if (measured) {
    lines.push(`${label("would save")}${formatTokens(totals.measured)} tokens (measure mode)` + estimateTag(totals.estimate));
  }
  const dollars = estimateDollarsByModel(summary.byModel);
  if (dollars.priced > 0) {
    lines.push(`${label("dollars saved")}${formatDollars(dollars.dollars)} ${s.yellow("(estimate)")}`);
  }
  if (totals.unitsCompressed > 0) lines.push(`${label("compressed")}${formatTokens(totals.unitsCompressed)} tool outputs`);
  const usage = totals.usage;
  if (usage.reported > 0) {
    lines.push(`${label("provider input")}${formatTokens(usage.input)} uncached · ${formatTokens(usage.output)} output`);
    lines.push(`${label("provider cache")}${formatTokens(usage.cacheRead)} read · ${formatTokens(usage.cacheCreation)} written`);
  }
  const added = totals.addedMs;
  lines.push(`${label("time added")}p50 ${formatMs(added.p50)} · p95 ${formatMs(added.p95)} · max ${formatMs(added.max)}`);

  const notes: string[] = [];
  if (totals.estimate) {
    notes.push("(estimate): token counts from a tokenizer that is not the provider's; provider figures are exact.");
  }
  if (measured) notes.push("measure mode forwards the originals: what it would save was not applied.");
  if (dollars.priced > 0) {
    const unpriced =
      dollars.unpricedModels.length > 0 ? ` Not priced: ${dollars.unpricedModels.join(", ")}.` : "";
    notes.push(`Dollars: list prices as of ${PRICES_AS_OF}, at the rate each model's input was billed.${unpriced}`);
  }
  if (usage.reported > 0 && usage.reported < totals.requests) {
    notes.push(`Provider usage was reported for ${formatTokens(usage.reported)} of ${formatTokens(totals.requests)} requests.`);
  }
  if (notes.length > 0) {
    lines.push("");
    for (const note of notes) lines.push(...wrapText(note, width - 2).map((line) => s.dim(`  ${line}`)));
  }

  const section = (title: string, body: string[]) => {
    lines.push("", s.bold(title), ...body);
  };
  section("By agent", table(summary.byAgent, tokenColumns<BreakdownRow>("agent", (row) => row.key, measured), width, s));
  section("By model", table(summary.byModel, tokenColumns<BreakdownRow>("model", (row) => row.key, measured), width, s));
  if (summary.byKind.length > 0) {
    const kindColumns = tokenColumns<KindRow>("content", (row) => row.key, measured);
    kindColumns.splice(1, 1, { title: "outputs", value: (row) => formatTokens(row.units), align: "right" });
    section("By content kind", table(summary.byKind, kindColumns, width, s));
  }
  const maxSessions = Math.max(1, options.maxSessions ?? 10);
  const shown = summary.bySession.slice(0, maxSessions);
  // Sessions drop the before/after columns so that the table fits 80 columns with the session key.
  const sessionColumns = tokenColumns<SessionRow>("session", (row) => row.key, measured).filter(
    (column) => column.title !== "before" && column.title !== "after",
  );
  sessionColumns.splice(1, 0, { title: "agent", value: (row) => row.agent, align: "left" });
  sessionColumns.splice(2, 0, { title: "last seen", value: (row) => utcDay(row.lastMs), align: "left" });
  const sessionLines = table(shown, sessionColumns, width, s);
  const hidden = summary.bySession.length - shown.length;
  if (hidden > 0) sessionLines.push(s.dim(`  ... ${formatTokens(hidden)} more`));
  section(summary.bySession.length === 1 ? "Session" : "Sessions (most recent first)", sessionLines);

  const chartMeasured = totals.saved <= 0 && measured;
  const series = dayseries(summary.byDay, (row) => (chartMeasured ? row.measured : row.saved), Math.max(1, options.maxDays ?? 30));
  const max = Math.max(0, ...series.map((point) => point.value));
  const valueWidth = Math.max(1, ...series.map((point) => formatTokens(point.value).length));
  const barWidth = Math.max(10, width - 2 - 10 - 2 - 1 - valueWidth);
  const title = chartMeasured ? "Tokens that would be saved per day (measure mode, UTC)" : "Tokens saved per day (UTC)";
  section(
    title + (totals.estimate ? ` ${s.yellow("(estimate)")}` : ""),
    series.map((point) => {
      const drawn = bar(point.value, max, barWidth);
      return `  ${point.day}  ${s.green(drawn)}${" ".repeat(barWidth - drawn.length)} ${formatTokens(point.value).padStart(valueWidth)}`;
    }),
  );
  lines.push("");
  return lines.join("\n");
}
