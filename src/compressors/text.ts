// Everything the router has no better compressor for (code, Markdown, prose, help pages): fold
// duplicate lines losslessly; then, within the budget, keep the head and the tail, the lines that
// match the query (ranked by how rare their words are here, with their paragraph or neighbours), the
// document's map (Markdown headings, code declarations) and error-like lines; mark the rest.
import { estimateTokens } from "../pipeline/budget.js";
import { emitRuns, foldRepeatsText, headTailRange, keepHeadTail, toRuns, type LineRun } from "./fold.js";
import { LINE_ERROR, LINE_WARNING, severityOfLine } from "./log.js";
import { fencedLines, isMarkdown, MD_HEADING_RE } from "./text-markdown.js";
import { isSignature, keepCost, lineScores } from "./text-rank.js";
import type { CompressContext, CompressResult, Compressor } from "./types.js";

const MIN_HEAD = 5;
const MIN_TAIL = 5;
const CONTEXT = 1;
const HEAD_SHARE = 0.5;
/** What a marker costs in characters, roughly (a new gap in the output). */
const MARKER_CHARS = 72;
/** The best query matches are kept even past the budget: the answer matters more than the target. */
const ALWAYS_TOP = 3;
/** A paragraph kept for a match is at most this many lines either side of it. */
const PARAGRAPH_REACH = 6;
/** A fenced example right after a kept paragraph comes with it, up to this many lines. */
const FENCE_REACH = 14;
// Scores of structure lines relative to the best query match (1).
const ERROR_SCORE = 0.45;
const HEADING_SCORE = 0.3;
const SIGNATURE_SCORE = 0.25;

interface Item {
  readonly from: number; // run index, inclusive
  readonly to: number; // run index, inclusive
  readonly score: number;
  readonly query: boolean;
}

/**
 * Generic text compressor. Returns null when nothing can be gained.
 * @example compressText(readme, context) // head, headings, the matching paragraphs, tail; markers between
 */
export const compressText: Compressor = (text: string, context: CompressContext): CompressResult | null => {
  const folded = foldRepeatsText(text);
  if (context.losslessOnly || (folded !== null && estimateTokens(folded) <= context.budget)) {
    return folded === null ? null : { text: folded, omissions: [] };
  }
  const lines = text.split("\n");
  const runs = toRuns(lines);
  const n = runs.length;
  const starts = runs.map((r) => r.start);
  const lineOf = (k: number) => lines[starts[k] ?? 0] ?? "";
  const size = (k: number) => lineOf(k).length + 1;
  const keep = new Uint8Array(n);
  let left = context.budget * 4;

  const mark = (from: number, to: number) => {
    for (let k = Math.max(0, from); k <= Math.min(n - 1, to); k++) {
      if (keep[k]) continue;
      keep[k] = 1;
      left -= size(k);
    }
  };
  const { headEnd, tailStart } = headTailRange(n, MIN_HEAD, MIN_TAIL);
  mark(0, headEnd - 1);
  mark(tailStart, n - 1);

  const runLines = starts.map((s) => lines[s] ?? "");
  const markdown = isMarkdown(runLines);
  const fenced = markdown ? fencedLines(runLines) : new Uint8Array(n);
  const items: Item[] = [];

  // Error-like lines: all kept (with a line either side) when they are rare, ranked when they are
  // the text's vocabulary (a source file full of `throw new ...Error`).
  const errors: number[] = [];
  for (let k = 0; k < n; k++) if (severityOfLine(lineOf(k)) & (LINE_ERROR | LINE_WARNING)) errors.push(k);
  const rareErrors = errors.length <= Math.max(3, n * 0.02);
  for (const k of errors) {
    if (rareErrors) mark(k - CONTEXT, k + CONTEXT);
    else items.push({ from: k, to: k, score: ERROR_SCORE, query: false });
  }

  const scores = lineScores(lines, starts, context.query);
  let best = 0;
  for (let k = 0; k < n; k++) best = Math.max(best, scores[k] ?? 0);
  for (let k = 0; k < n; k++) {
    const raw = scores[k] ?? 0;
    const line = lineOf(k);
    const structure = markdown && !fenced[k] && MD_HEADING_RE.test(line) ? HEADING_SCORE : !markdown && isSignature(line) ? SIGNATURE_SCORE : 0;
    if (raw > 0) {
      const [from, to] = markdown ? paragraphOf(runLines, fenced, k) : [k - CONTEXT, k + CONTEXT];
      items.push({ from: Math.max(0, from), to: Math.min(n - 1, to), score: raw / best + structure, query: true });
    } else if (structure > 0) items.push({ from: k, to: k, score: structure, query: false });
  }

  // Best first (ties: earlier first); an item that does not fit is passed over for smaller ones.
  items.sort((a, b) => b.score - a.score || a.from - b.from);
  let forced = 0;
  for (const item of items) {
    const cost = costOf(item, keep, size);
    if (cost === 0) continue;
    const mustShow = item.query && forced < ALWAYS_TOP;
    if (item.query) forced++;
    if (cost <= left || mustShow) mark(item.from, item.to);
  }

  keepHeadTail(runs, lines, keep, left, MIN_HEAD, MIN_TAIL, () => true, HEAD_SHARE);
  const result = emitRuns(runs, lines, keep, { hash: context.hash, unit: "lines", detail: (from, to) => lineRange(runs, from, to, context.firstLine) });
  if (result.omissions.length === 0 || result.text.length >= text.length) return null;
  return result;
};

// "lines 120-180" for the runs [from, to), numbered from the text's first line in the tool output.
function lineRange(runs: readonly LineRun[], from: number, to: number, firstLine: number | undefined): string | undefined {
  const first = runs[from];
  const last = runs[to - 1];
  if (firstLine === undefined || !first || !last) return undefined;
  const a = firstLine + first.start;
  const b = firstLine + last.start + last.count - 1;
  return a === b ? `line ${a}` : `lines ${a}-${b}`;
}

// Characters an item adds: its lines not kept yet, plus a marker's worth when it opens a new island.
function costOf(item: Item, keep: Uint8Array, size: (k: number) => number): number {
  return keepCost(item.from, item.to, keep, size, MARKER_CHARS);
}

// The paragraph around line k (non-blank lines, bounded), plus the fenced example that follows it.
function paragraphOf(lines: readonly string[], fenced: Uint8Array, k: number): [number, number] {
  const blank = (i: number) => (lines[i] ?? "").trim() === "";
  const inFence = fenced[k] === 1;
  const same = (i: number) => !blank(i) && (fenced[i] === 1) === inFence;
  let from = k;
  while (from > 0 && k - from < PARAGRAPH_REACH && same(from - 1)) from--;
  let to = k;
  while (to + 1 < lines.length && to - k < PARAGRAPH_REACH && same(to + 1)) to++;
  if (!inFence) {
    let next = to + 1;
    while (next < lines.length && blank(next)) next++;
    if (fenced[next]) {
      let end = next;
      while (end + 1 < lines.length && fenced[end + 1] && end - next < FENCE_REACH) end++;
      to = end;
    }
  }
  return [from, to];
}

export type { LineRun };
