// Long runs of added or removed lines (a new file in `git log -p`, a rewrite): once trimming context
// is not enough, each long run keeps its first and last lines, then, within the budget, the lines the
// query names, error-like lines and the file's map (declarations, Markdown headings), ranked the way
// the text compressor ranks them; the rest of each run is left to one marker per omitted stretch.
import { formatMarker } from "../ccr/marker.js";
import { LINE_ERROR, LINE_WARNING, severityOfLine } from "./log.js";
import { MD_HEADING_RE } from "./text-markdown.js";
import { isSignature, keepCost, lineScores } from "./text-rank.js";
import type { Omission, Query } from "./types.js";

/** A maximal stretch of consecutive "+" (or "-") lines inside one hunk. */
export interface ChangeRun {
  readonly from: number; // index of its first line
  readonly to: number; // one past its last line
  readonly added: boolean;
  /** Line number, in the new (added) or old (removed) file, of its first line. */
  readonly lineNo: number;
  /** "b/path" for added lines, "a/path" for removed ones (Markdown files rank headings); "" when the headers do not say. */
  readonly path: string;
}

/** Runs shorter than this are kept whole: the few changed lines of a typical review hunk never reach it. */
export const RUN_MIN = 24;
const RUN_HEAD = 3;
const RUN_TAIL = 2;
const CONTEXT = 1;
/** A gap shorter than this stays as lines: a marker would not pay. */
const MIN_GAP = 3;
const MARKER_CHARS = 85;
const ALWAYS_TOP = 3;
/** Share of the long runs' characters they may keep even when the rest of the diff fills the budget. */
const MAP_FLOOR_SHARE = 0.05;
// Error-like lines rank above the map when rare, below it when they are the code's vocabulary (throw new XError).
const ERROR_SCORE = 0.45;
const COMMON_ERROR_SCORE = 0.15;
const RARE_ERROR_SHARE = 0.02;
const HEADING_SCORE = 0.25; // the map of a document weighs as much as the map of code: runs take turns
const SIGNATURE_SCORE = 0.25;
const MARKDOWN_RE = /\.(?:md|markdown|mdx)$/i;

interface Item {
  readonly from: number; // line index, inclusive
  readonly to: number; // line index, inclusive
  readonly score: number;
  readonly order: number; // rank of this kind of item inside its run: runs take turns on ties
  readonly query: boolean;
}

/** True when some run is long enough to be trimmed. */
export function hasLongRuns(runs: readonly ChangeRun[]): boolean {
  return runs.some((r) => r.to - r.from >= RUN_MIN);
}

/**
 * Narrows `keep` inside long runs so the whole selection approaches `budgetChars`.
 * @example trimRuns(lines, runs, keep, 40_000, query) // a 700-line added file keeps ~60 lines
 */
export function trimRuns(lines: readonly string[], runs: readonly ChangeRun[], keep: Uint8Array, budgetChars: number, query: Query): void {
  const long = runs.filter((r) => r.to - r.from >= RUN_MIN);
  if (long.length === 0) return;
  const size = (i: number) => (lines[i] ?? "").length + 1;
  for (const run of long) for (let i = run.from; i < run.to; i++) keep[i] = 0;
  let left = budgetChars;
  for (let i = 0; i < lines.length; i++) if (keep[i]) left -= size(i);
  const mark = (from: number, to: number) => {
    for (let i = from; i <= to; i++) {
      if (keep[i]) continue;
      keep[i] = 1;
      left -= size(i);
    }
  };
  for (const run of long) {
    mark(run.from, run.from + RUN_HEAD - 1);
    mark(run.to - RUN_TAIL, run.to - 1);
    left -= MARKER_CHARS;
  }
  // When the rest of the diff already fills the budget, a long run still shows a little of its map.
  let runChars = 0;
  for (const run of long) for (let i = run.from; i < run.to; i++) runChars += size(i);
  left = Math.max(left, Math.floor(runChars * MAP_FLOOR_SHARE));

  // Query relevance is weighed over the lines of the long runs (a word on a quarter of them is no signal).
  const at: number[] = [];
  for (const run of long) for (let i = run.from; i < run.to; i++) at.push(i);
  const scores = lineScores(lines, at, query);
  let best = 0;
  for (let k = 0; k < at.length; k++) best = Math.max(best, scores[k] ?? 0);

  const errors = new Uint8Array(at.length);
  let errorCount = 0;
  for (let k = 0; k < at.length; k++) {
    if (severityOfLine((lines[at[k] ?? 0] ?? "").slice(1)) & (LINE_ERROR | LINE_WARNING)) (errors[k] = 1), errorCount++;
  }
  const errorScore = errorCount <= Math.max(3, at.length * RARE_ERROR_SHARE) ? ERROR_SCORE : COMMON_ERROR_SCORE;

  const items: Item[] = [];
  let k = 0;
  for (const run of long) {
    const markdown = MARKDOWN_RE.test(run.path);
    let structures = 0;
    let matches = 0;
    for (let i = run.from; i < run.to; i++, k++) {
      const body = (lines[i] ?? "").slice(1);
      const raw = scores[k] ?? 0;
      const structure = markdown ? (MD_HEADING_RE.test(body) ? HEADING_SCORE : 0) : isSignature(body) ? SIGNATURE_SCORE : 0;
      if (raw > 0) {
        const from = Math.max(run.from, i - CONTEXT);
        const to = Math.min(run.to - 1, i + CONTEXT);
        items.push({ from, to, score: raw / best + structure, order: matches++, query: true });
      } else if (errors[k]) {
        items.push({ from: i, to: i, score: errorScore + structure, order: structures++, query: false });
      } else if (structure > 0) items.push({ from: i, to: i, score: structure, order: structures++, query: false });
    }
  }
  items.sort((a, b) => b.score - a.score || a.order - b.order || a.from - b.from);
  let forced = 0;
  for (const item of items) {
    const cost = costOf(item, keep, size);
    if (cost === 0) continue;
    const mustShow = item.query && forced < ALWAYS_TOP;
    if (item.query) forced++;
    if (cost > left && !mustShow) continue;
    const before = left;
    mark(item.from, item.to);
    left = before - cost; // the lines, and the marker a new island brings
  }
  if (left <= 0) return;

  // Budget to spare: each run shows more of its beginning, in proportion to what it still leaves out.
  let hidden = 0;
  for (const run of long) for (let i = run.from; i < run.to; i++) if (!keep[i]) hidden += size(i);
  if (hidden === 0) return;
  const spare = left;
  for (const run of long) {
    let runHidden = 0;
    for (let i = run.from; i < run.to; i++) if (!keep[i]) runHidden += size(i);
    let share = Math.floor((spare * runHidden) / hidden);
    for (let i = run.from; i < run.to && share > 0; i++) {
      if (keep[i]) continue;
      if (size(i) > share) break;
      share -= size(i);
      mark(i, i);
    }
  }
}

// Characters an item adds: its lines not kept yet, plus a marker's worth when it opens a new island.
function costOf(item: Item, keep: Uint8Array, size: (i: number) => number): number {
  return keepCost(item.from, item.to, keep, size, MARKER_CHARS);
}

/**
 * The marker for lines `from..to-1` of `run` (null when showing them is no longer than a marker).
 * @example gapMarker(run, 40, 120, lines, hash) // "[80 added lines omitted: lines 38-117 · ...]"
 */
export function gapMarker(
  run: ChangeRun,
  from: number,
  to: number,
  lines: readonly string[],
  hash: string,
): { text: string; omission: Omission } | null {
  const count = to - from;
  const unit = run.added ? "added lines" : "removed lines";
  const first = run.lineNo + (from - run.from);
  // The file is named by the headers just above (a run always shows its first lines).
  const text = formatMarker({ count, unit, detail: `lines ${first}-${first + count - 1}`, hash });
  let chars = 0;
  for (let i = from; i < to; i++) chars += (lines[i] ?? "").length + 1;
  if (count < MIN_GAP || chars <= text.length + 1) return null;
  return { text, omission: { count, unit } };
}
