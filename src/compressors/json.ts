// JSON compressor. Lossless first (minify; arrays of similar objects as tables, see json-table.ts);
// only when that is still over budget: long strings cut with a marker, then row selection that
// always keeps error rows, anomalies, query matches and the first and last row of each table.
import { formatMarker } from "../ccr/marker.js";
import { estimateTokens } from "../pipeline/budget.js";
import type { CompressContext, CompressResult, Omission } from "./types.js";
import { parseJsonSafely } from "./json-scan.js";
import { anomalyRows, describeRows, errorRows, summaryColumns } from "./json-select.js";
import {
  columnLine,
  planOutermostTables,
  planTables,
  renderWithTables,
  rowLine,
  tableHeader,
  type JsonObject,
  type RenderedDocument,
  type TableBlock,
} from "./json-table.js";
import { mentionsEntity, relevanceScores } from "./search-relevance.js";
import { pruneSkeleton } from "./json-prune.js";

const CHARS_PER_TOKEN = 4;
const LONG_STRING = 320;
const KEEP_OF_LONG_STRING = 120;
const plainStringify = (value: unknown): string => JSON.stringify(value);
/** Rough length of one marker line, used while planning what fits. */
const MARKER_COST = 96;
/** Rows are ranked by rare query words first: a word in 2 of 44 rows says more than one in 15. */
const RARITY_POWER = 2;
/** The least room a pruned skeleton gets, in characters. */
const MIN_SKELETON = 400;

export const compressJson = (text: string, context: CompressContext): CompressResult | null => {
  const parsed = parseJsonSafely(text);
  if (!parsed) return null;
  const plan = planTables(parsed.value);
  const lossless = assemble(renderWithTables(parsed.value, plan, plainStringify), null);
  const fits = estimateTokens(lossless.text) <= context.budget;
  if (fits || context.losslessOnly) return lossless.text.length < text.length ? { text: lossless.text, omissions: [] } : null;

  let best: Rendered = { text: lossless.text, omissions: [] };
  const first = lossyRender(parsed.value, plan, context);
  if (first.text.length < best.text.length) best = first;
  // When most of what is left sits outside the tables, whole elements of the outermost arrays
  // are the only thing left to select: try that plan too (unless the skeleton was pruned already).
  if (!first.pruned && estimateTokens(best.text) > context.budget && first.skeletonLength > (context.budget * CHARS_PER_TOKEN) / 2) {
    const outer = lossyRender(parsed.value, planOutermostTables(parsed.value), context);
    if (outer.text.length < best.text.length) best = outer;
  }
  return best.text.length < text.length ? { text: best.text, omissions: best.omissions } : null;
};

interface Rendered {
  readonly text: string;
  readonly omissions: Omission[];
  readonly skeletonLength?: number;
  /** The skeleton's members were pruned (json-prune.ts). */
  readonly pruned?: boolean;
}

interface TableRows {
  readonly table: TableBlock;
  readonly lines: string[];
  /** The same rows without cuts (what relevance is scored on). */
  readonly plainLines: string[];
  /** Omissions (cut strings) inside each row line. */
  readonly rowOmissions: Omission[][];
  readonly errors: readonly boolean[];
  keep: boolean[] | null;
  markers: Map<number, { line: string; count: number }>;
}

function assemble(document: RenderedDocument, selections: readonly TableRows[] | null): { text: string; omissions: Omission[] } {
  const out: string[] = [];
  const omissions: Omission[] = [];
  if (document.skeleton !== null) out.push(document.skeleton);
  document.tables.forEach((table, t) => {
    out.push(tableHeader(table), columnLine(table));
    const selection = selections?.[t];
    if (!selection) {
      for (const row of table.rows) out.push(rowLine(table.columns, row, plainStringify));
      return;
    }
    selection.lines.forEach((line, i) => {
      const marker = selection.markers.get(i);
      if (marker) {
        out.push(marker.line);
        omissions.push({ count: marker.count, unit: marker.count === 1 ? "row" : "rows" });
      }
      if (selection.keep && !selection.keep[i]) return;
      out.push(line);
      omissions.push(...(selection.rowOmissions[i] ?? []));
    });
  });
  return { text: out.join("\n"), omissions };
}

// A stringify that cuts long strings (unless they name a query entity) and reports each cut.
function cuttingStringify(context: CompressContext, sink: () => Omission[]): { stringify: (value: unknown) => string; cut: (value: unknown) => string } {
  const replacer = (_key: string, value: unknown): unknown => {
    if (typeof value !== "string" || value.length <= LONG_STRING) return value;
    if (mentionsEntity(value, context.query)) return value;
    let keep = KEEP_OF_LONG_STRING;
    const code = value.charCodeAt(keep - 1);
    if (code >= 0xd800 && code <= 0xdbff) keep--; // never split a surrogate pair
    const count = value.length - keep;
    sink().push({ count, unit: "chars" });
    return `${value.slice(0, keep)}…${formatMarker({ count, unit: "chars", hash: context.hash })}`;
  };
  /** The cut serialization of a value whose plain one is longer than LONG_STRING. */
  const cut = (value: unknown): string => (typeof value === "string" ? JSON.stringify(replacer("", value)) : JSON.stringify(value, replacer));
  // Fast path: a serialization this short cannot hold a long string.
  const stringify = (value: unknown): string => {
    const plain = JSON.stringify(value);
    return plain.length <= LONG_STRING ? plain : cut(value);
  };
  return { stringify, cut };
}

const hasOwn = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

function lossyRender(root: object, plan: ReturnType<typeof planTables>, context: CompressContext): Rendered & { skeletonLength: number; pruned: boolean } {
  let current: Omission[] = [];
  const { stringify, cut: cutValue } = cuttingStringify(context, () => current);
  const skeletonOmissions: Omission[] = [];
  current = skeletonOmissions;
  let document = renderWithTables(root, plan, stringify);
  const selections: TableRows[] = document.tables.map((table) => {
    const rowOmissions: Omission[][] = [];
    const errors = errorRows(table.rows);
    const plainLines: string[] = [];
    // Each cell is serialized once; only long ones again, cut. Error rows (failure messages, stack
    // traces) are kept whole.
    const lines = table.rows.map((row, i) => {
      current = [];
      rowOmissions.push(current);
      let plainLine = "";
      let line = "";
      table.columns.forEach((column, c) => {
        if (c > 0) {
          plainLine += ",";
          line += ",";
        }
        if (!hasOwn(row, column)) return;
        const value = row[column];
        const plain = JSON.stringify(value);
        plainLine += plain;
        line += errors[i] || plain.length <= LONG_STRING ? plain : cutValue(value);
      });
      plainLines.push(plainLine);
      return line;
    });
    return { table, lines, plainLines, rowOmissions, errors, keep: null, markers: new Map() };
  });
  const budgetChars = context.budget * CHARS_PER_TOKEN;
  let cut = assemble(document, selections);
  // A skeleton that takes most of the budget by itself: prune its members (json-prune.ts).
  const fullSkeleton = document.skeleton?.length ?? 0;
  let pruned = false;
  if (cut.text.length > budgetChars && fullSkeleton > budgetChars / 2) {
    const allowance = Math.max(MIN_SKELETON, Math.round((budgetChars * fullSkeleton) / cut.text.length));
    const pruneOmissions: Omission[] = [];
    current = pruneOmissions;
    const skeleton = pruneSkeleton(root, plan, context.query, context.hash, allowance, stringify);
    if (skeleton && skeleton.text.length < fullSkeleton) {
      pruned = true;
      document = { skeleton: skeleton.text, tables: document.tables };
      skeletonOmissions.length = 0;
      skeletonOmissions.push(...pruneOmissions, ...skeleton.omissions);
      cut = assemble(document, selections);
    }
  }
  if (cut.text.length <= budgetChars || selections.length === 0) {
    return { text: cut.text, omissions: [...skeletonOmissions, ...cut.omissions], skeletonLength: document.skeleton?.length ?? 0, pruned };
  }
  const skeletonLength = document.skeleton?.length ?? 0;
  const tableSizes = selections.map((s) => s.lines.reduce((sum, line) => sum + line.length + 1, 0));
  const totalTables = tableSizes.reduce((a, b) => a + b, 0);
  const room = Math.max(0, budgetChars - skeletonLength);
  selections.forEach((selection, t) => {
    const target = totalTables === 0 ? 0 : (room * (tableSizes[t] ?? 0)) / totalTables;
    selectRows(selection, target, context);
  });
  const selected = assemble(document, selections);
  return { text: selected.text, omissions: [...skeletonOmissions, ...selected.omissions], skeletonLength, pruned };
}

// Chooses the rows to keep within `target` characters (must-keep rows may exceed it) and the
// markers that replace each run of dropped rows.
function selectRows(selection: TableRows, target: number, context: CompressContext): void {
  const { table, lines } = selection;
  const n = lines.length;
  if (n <= 2) return;
  const keep = new Array<boolean>(n).fill(false);
  keep[0] = true;
  keep[n - 1] = true;
  const errors = selection.errors;
  const anomalies = anomalyRows(table.rows, table.columns);
  const plainLines = selection.plainLines;
  // Query words that name a column ("gh issue list --json number,title,state") ask for the column,
  // not for rows that happen to contain the word: they do not score rows.
  const columnNames = new Set(table.columns.map((c) => c.toLowerCase()));
  const query = {
    ...context.query,
    terms: context.query.terms.filter((t) => !columnNames.has(t.toLowerCase())),
    entities: context.query.entities.filter((e) => !columnNames.has(e.toLowerCase())),
  };
  const scores = relevanceScores(plainLines, query, 0.5, RARITY_POWER);
  // Must keep: the first and last row, errors, anomalies, rows naming a query entity. Then the rows
  // relevant to the query's words, best first, while they fit; then rows from the top.
  for (let i = 0; i < n; i++) if (errors[i] || anomalies[i] || mentionsEntity(plainLines[i] ?? "", query)) keep[i] = true;
  let used = 0;
  for (let i = 0; i < n; i++) if (keep[i]) used += (lines[i]?.length ?? 0) + 1;
  const reserve = MARKER_COST * 2;
  const relevant: number[] = [];
  for (let i = 0; i < n; i++) if (!keep[i] && (scores[i] ?? 0) > 0) relevant.push(i);
  // Long rows hold more words, so more query words by chance: scores are length-normalized (BM25's b).
  let total = 0;
  for (const line of plainLines) total += line.length;
  const average = Math.max(1, total / Math.max(1, n));
  const density = (i: number): number => (scores[i] ?? 0) / (0.25 + (0.75 * (plainLines[i]?.length ?? 0)) / average);
  relevant.sort((a, b) => density(b) - density(a) || a - b);
  for (const i of relevant) {
    const cost = (lines[i]?.length ?? 0) + 1 + MARKER_COST / 2;
    if (used + cost + reserve > target) continue;
    keep[i] = true;
    used += cost;
  }
  for (let i = 1; i < n - 1; i++) {
    if (keep[i]) continue;
    const cost = (lines[i]?.length ?? 0) + 1;
    if (used + cost + reserve > target) break;
    keep[i] = true;
    used += cost;
  }
  // A run of dropped rows shorter than its marker is kept instead.
  const summary = summaryColumns(table.rows, table.columns);
  const markers = new Map<number, { line: string; count: number }>();
  let i = 0;
  while (i < n) {
    if (keep[i]) {
      i++;
      continue;
    }
    const start = i;
    let length = 0;
    while (i < n && !keep[i]) length += (lines[i++]?.length ?? 0) + 1;
    const dropped = table.rows.slice(start, i);
    const described = describeRows(dropped, summary);
    const detail = described.length > 160 ? `${described.slice(0, 159)}…` : described;
    const line = formatMarker({ count: i - start, unit: i - start === 1 ? "row" : "rows", hash: context.hash, ...(detail ? { detail } : {}) });
    if (length <= line.length) {
      for (let j = start; j < i; j++) keep[j] = true;
      continue;
    }
    markers.set(start, { line, count: i - start });
  }
  selection.keep = keep;
  selection.markers = markers;
}

export type { JsonObject };
