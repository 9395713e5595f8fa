// Source code: keep the file's skeleton (imports, declarations, signatures, decorators, the first
// line of docstrings) and elide function bodies, each replaced by one marker line written as a
// comment of the language. Bodies the query names, short bodies and, within the budget, the most
// referenced functions stay whole. Every kept line is the input's line, byte for byte; the output
// is parsed again and discarded when it has more syntax errors than the input had.
import type { Tree } from "web-tree-sitter";
import { formatMarker } from "../ccr/marker.js";
import { parserFor } from "../resources/grammars.js";
import { commentElisions, type Elision } from "./code-comments.js";
import { functionBodies, type FunctionBody } from "./code-functions.js";
import { guessLanguage } from "./code-language.js";
import { syntaxErrors } from "./code-syntax.js";
import { joinNumbered, splitLineNumbers } from "./line-numbers.js";
import type { CodeLanguage, CompressContext, CompressResult, Compressor, Omission, Query } from "./types.js";

/** A body this short (in elidable lines) is kept: its marker would save next to nothing. */
const SHORT_BODY_LINES = 5;
/** A function whose nested functions (this many at least) fill this share of its body is opened up, not elided whole (IIFEs, describe blocks). */
const CONTAINER_SHARE = 0.5;
const CONTAINER_MIN_INNER = 3;
/** Inputs above this size are left to the text compressor (parsing cost, worker time budget). */
const MAX_CHARS = 4_000_000;

/**
 * AST-aware code compressor. Returns null when it cannot be sure (unknown language, grammar not
 * loaded, lossless-only, output would not parse as well as the input).
 * @example compressCode(source, { ...context, language: "go" }) // signatures kept, bodies marked
 */
export const compressCode: Compressor = (text: string, context: CompressContext): CompressResult | null => codeOutcome(text, context).result;

/** Why the code compressor kept the original (benchmarks and debugging report these). */
export type CodeDecline = "lossless-only" | "too large" | "unknown language" | "grammar not loaded" | "guess did not parse" | "nothing to elide" | "output did not re-parse";

/** The code compressor with its reason for declining, when it declines. */
export function codeOutcome(text: string, context: CompressContext): { result: CompressResult | null; declined?: CodeDecline } {
  const decline = (declined: CodeDecline) => ({ result: null, declined });
  if (context.losslessOnly) return decline("lossless-only");
  if (text.length > MAX_CHARS) return decline("too large");
  const numbered = splitLineNumbers(text);
  const lines = numbered ? [...numbered.lines] : text.split("\n");
  const bare = numbered ? lines.join("\n") : text;
  const language = context.language ?? guessLanguage(bare);
  if (!language) return decline("unknown language");
  const parser = parserFor(language);
  if (!parser) return decline("grammar not loaded");

  let tree: Tree | null = null;
  let elisions: Elision[];
  let errorsBefore: number;
  try {
    tree = parser.parse(bare);
    if (!tree) return decline("nothing to elide");
    errorsBefore = syntaxErrors(tree.rootNode);
    // A guessed language must read the text cleanly: errors mean the guess (or the text) is off.
    if (!context.language && errorsBefore > 0) return decline("guess did not parse");
    elisions = chooseElisions(functionBodies(tree, language), commentElisions(tree, lines, language), lines, bare, language, context);
  } finally {
    tree?.delete();
  }
  if (elisions.length === 0) return decline("nothing to elide");

  const rowNumber = (row: number) => (numbered ? numbered.first + row : row + 1);
  const markers = new Map<number, string>();
  const kept: number[] = [];
  const bareOut: string[] = [];
  const omissions: Omission[] = [];
  // A marker is written before the next kept row (joinNumbered's convention).
  let pending: string | undefined;
  const keepRow = (row: number) => {
    if (pending !== undefined) markers.set(row, pending);
    pending = undefined;
    kept.push(row);
    bareOut.push(lines[row] ?? "");
  };
  let row = 0;
  for (const elision of elisions) {
    for (; row < elision.from; row++) keepRow(row);
    if (elision.keep !== undefined) keepRow(elision.keep);
    const count = elision.to - elision.from + 1 - (elision.keep !== undefined ? 1 : 0);
    const detail = `${elision.label}, lines ${rowNumber(elision.from)}-${rowNumber(elision.to)}`;
    const line = markerLine(formatMarker({ count, unit: "lines", detail, hash: context.hash }), language, elision, lines);
    pending = pending === undefined ? line : `${pending}\n${line}`;
    bareOut.push(line);
    omissions.push({ count, unit: "lines" });
    row = elision.to + 1;
  }
  for (; row < lines.length; row++) keepRow(row);
  if (pending !== undefined) markers.set(lines.length, pending);

  const output = bareOut.join("\n");
  if (!parsesAsWell(parser, output, errorsBefore)) return decline("output did not re-parse");
  const final = numbered ? joinNumbered(numbered, kept, markers) : output;
  return { result: { text: final, omissions } };
}

// The marker as a comment of the language, indented like what it stands for. Python needs a
// statement when nothing of a body is left (a comment alone is not a block).
function markerLine(marker: string, language: CodeLanguage, elision: Elision, lines: readonly string[]): string {
  const indent = /^[ \t]*/.exec(lines[elision.indentRow] ?? "")?.[0] ?? "";
  if (language !== "python") return `${indent}// ${marker}`;
  return elision.statement ? `${indent}...  # ${marker}` : `${indent}# ${marker}`;
}

function firstNonBlank(lines: readonly string[], from: number, to: number): number {
  for (let row = from; row <= to; row++) if ((lines[row] ?? "").trim() !== "") return row;
  return from;
}

function parsesAsWell(parser: NonNullable<ReturnType<typeof parserFor>>, output: string, errorsBefore: number): boolean {
  const tree = parser.parse(output);
  if (!tree) return false;
  try {
    return syntaxErrors(tree.rootNode) <= errorsBefore;
  } finally {
    tree.delete();
  }
}

// Decides every function: kept whole (query names it, short, or among the most referenced within the
// budget), opened up (a container of functions), or elided; long comments outside bodies are
// elided too. Returns elisions in row order.
function chooseElisions(
  roots: readonly FunctionBody[],
  comments: readonly Elision[],
  lines: readonly string[],
  bare: string,
  language: CodeLanguage,
  context: CompressContext,
): Elision[] {
  const bodies: Elision[] = [];
  // Rows of functions kept whole: their comments stay too.
  const whole: [number, number][] = [];
  const visit = (fn: FunctionBody) => {
    const span = fn.toRow - fn.fromRow + 1;
    if (namedByQuery(fn, context.query) || span <= SHORT_BODY_LINES) {
      whole.push([fn.fromRow, fn.toRow]);
      return;
    }
    let innerRows = 0;
    for (const inner of fn.inner) innerRows += inner.toRow - inner.startRow + 1;
    if (fn.inner.length >= CONTAINER_MIN_INNER && innerRows >= span * CONTAINER_SHARE) {
      fn.inner.forEach(visit);
      return;
    }
    const elision = elisionOf(fn, language, lines);
    if (elision.to - elision.from + (elision.keep === undefined ? 1 : 0) > SHORT_BODY_LINES) bodies.push(elision);
    else whole.push([fn.fromRow, fn.toRow]);
  };
  roots.forEach(visit);
  const all = [...bodies, ...comments.filter((c) => !within(c, bodies) && !within(c, whole.map(([from, to]) => ({ from, to }))))];
  all.sort((a, b) => a.from - b.from);

  // Most referenced bodies first (ties: earlier first); a body comes back whole while the output fits.
  const refs = referenceCounts(bare);
  const size = (e: Elision) => {
    let chars = 0;
    for (let row = e.from; row <= e.to; row++) if (row !== e.keep) chars += (lines[row] ?? "").length + 1;
    return chars - MARKER_CHARS;
  };
  let total = bare.length;
  for (const e of all) total -= size(e);
  const budget = context.budget * 4;
  const restored = new Set<Elision>();
  const ranked = bodies
    .map((e, index) => ({ e, index, refs: (refs.get(shortNames.get(e) ?? "") ?? 1) - 1 }))
    .filter((r) => r.refs >= 1)
    .sort((a, b) => b.refs - a.refs || a.index - b.index);
  for (const { e } of ranked) {
    if (total + size(e) > budget) continue;
    total += size(e);
    restored.add(e);
  }
  return all.filter((e) => !restored.has(e));
}

// Which function each body elision stands for (its short name counts its references).
const shortNames = new WeakMap<Elision, string>();

function within(e: { from: number; to: number }, ranges: readonly { from: number; to: number }[]): boolean {
  return ranges.some((r) => e.from <= r.to && e.to >= r.from);
}

/** About what a marker line costs, in characters. */
const MARKER_CHARS = 110;

function elisionOf(fn: FunctionBody, language: CodeLanguage, lines: readonly string[]): Elision {
  const label = `body of ${fn.name}`;
  let elision: Elision;
  if (language !== "python") elision = { label, from: fn.fromRow, to: fn.toRow, indentRow: firstNonBlank(lines, fn.fromRow, fn.toRow) };
  else if (!fn.docRows) elision = { label, from: fn.fromRow, to: fn.toRow, indentRow: fn.bodyRow, statement: true };
  else {
    // The docstring's first line stays; a multi-line one keeps its closing line too (it must stay a string).
    const [docStart, docEnd] = fn.docRows;
    elision =
      docEnd === docStart
        ? { label, from: docEnd + 1, to: fn.toRow, indentRow: fn.bodyRow }
        : { label, from: docStart + 1, to: fn.toRow, keep: docEnd, indentRow: fn.bodyRow };
  }
  shortNames.set(elision, fn.shortName);
  return elision;
}

function namedByQuery(fn: FunctionBody, query: Query): boolean {
  const short = fn.shortName;
  if (short.length < 2) return false;
  const lower = short.toLowerCase();
  if (query.terms.includes(lower)) return true;
  // Stop words of prose are names in code (`run`, `code`, `new`): the raw text counts, as an exact word.
  if (short.length >= 3 && new RegExp(`(?:^|[^\\w$])${short.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?:$|[^\\w$])`).test(query.text)) return true;
  for (const entity of query.entities) {
    if (entity === short || entity === fn.name || entity.endsWith(`.${short}`) || entity.endsWith(`::${short}`) || entity === `${short}()`) return true;
  }
  return false;
}

// How often each identifier appears in the file (a cheap stand-in for "how referenced").
function referenceCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const word of text.match(/[A-Za-z_$][\w$]*/g) ?? []) counts.set(word, (counts.get(word) ?? 0) + 1);
  return counts;
}
