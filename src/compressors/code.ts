// Source code: keep the file's skeleton (imports, declarations, signatures, decorators, the first
// line of docstrings) and elide function bodies, each replaced by one marker line written as a
// comment of the language. Bodies the query names, short bodies and, within the budget, the most
// referenced functions stay whole. Every kept line is the input's line, byte for byte; the output
// is parsed again and discarded when it has more syntax errors than the input had.
import type { Tree } from "web-tree-sitter";
import { formatMarker } from "../ccr/marker.js";
import { parserFor } from "../resources/grammars.js";
import { functionBodies, type FunctionBody } from "./code-functions.js";
import { guessLanguage } from "./code-language.js";
import { syntaxErrors } from "./code-syntax.js";
import { joinNumbered, splitLineNumbers } from "./line-numbers.js";
import type { CodeLanguage, CompressContext, CompressResult, Compressor, Omission, Query } from "./types.js";

/** A body this short (in elidable lines) is kept: its marker would save next to nothing. */
const SHORT_BODY_LINES = 5;
/** A function whose nested functions fill this share of its body is opened up, not elided whole (IIFEs, describe blocks). */
const CONTAINER_SHARE = 0.5;
/** Inputs above this size are left to the text compressor (parsing cost, worker time budget). */
const MAX_CHARS = 4_000_000;

interface Elision {
  readonly fn: FunctionBody;
  /** Rows removed (inclusive), except `keep`. */
  readonly from: number;
  readonly to: number;
  /** Python: a multi-line docstring's closing line, kept inside the range so the string stays closed. */
  readonly keep?: number;
  /** Python: the marker is a comment after a kept docstring, or `...  # marker` standing for the body. */
  readonly python: "comment" | "ellipsis" | undefined;
}

/**
 * AST-aware code compressor. Returns null when it cannot be sure (unknown language, grammar not
 * loaded, lossless-only, output would not parse as well as the input).
 * @example compressCode(source, { ...context, language: "go" }) // signatures kept, bodies marked
 */
export const compressCode: Compressor = (text: string, context: CompressContext): CompressResult | null => {
  if (context.losslessOnly || text.length > MAX_CHARS) return null;
  const numbered = splitLineNumbers(text);
  const lines = numbered ? [...numbered.lines] : text.split("\n");
  const bare = numbered ? lines.join("\n") : text;
  const language = context.language ?? guessLanguage(bare);
  if (!language) return null;
  const parser = parserFor(language);
  if (!parser) return null;

  let tree: Tree | null = null;
  let elisions: Elision[];
  let errorsBefore: number;
  try {
    tree = parser.parse(bare);
    if (!tree) return null;
    errorsBefore = syntaxErrors(tree.rootNode);
    // A guessed language must read the text cleanly: errors mean the guess (or the text) is off.
    if (!context.language && errorsBefore > 0) return null;
    const roots = functionBodies(tree, language);
    elisions = chooseElisions(roots, lines, bare, language, context);
  } finally {
    tree?.delete();
  }
  if (elisions.length === 0) return null;

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
    const detail = `body of ${elision.fn.name}, lines ${rowNumber(elision.from)}-${rowNumber(elision.to)}`;
    const line = markerLine(formatMarker({ count, unit: "lines", detail, hash: context.hash }), language, elision, lines);
    pending = pending === undefined ? line : `${pending}\n${line}`;
    bareOut.push(line);
    omissions.push({ count, unit: "lines" });
    row = elision.to + 1;
  }
  for (; row < lines.length; row++) keepRow(row);
  if (pending !== undefined) markers.set(lines.length, pending);

  const output = bareOut.join("\n");
  if (!parsesAsWell(parser, output, errorsBefore)) return null;
  const final = numbered ? joinNumbered(numbered, kept, markers) : output;
  return { text: final, omissions };
};

// The marker as a comment of the language, indented like the body it stands for. Python needs a
// statement when nothing of the body is left (a comment alone is not a block).
function markerLine(marker: string, language: CodeLanguage, elision: Elision, lines: readonly string[]): string {
  const indentRow = language === "python" ? elision.fn.bodyRow : firstNonBlank(lines, elision.from, elision.to);
  const indent = /^[ \t]*/.exec(lines[indentRow] ?? "")?.[0] ?? "";
  if (language !== "python") return `${indent}// ${marker}`;
  return elision.python === "ellipsis" ? `${indent}...  # ${marker}` : `${indent}# ${marker}`;
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
// budget), opened up (a container of functions), or elided. Returns elisions in row order.
function chooseElisions(
  roots: readonly FunctionBody[],
  lines: readonly string[],
  bare: string,
  language: CodeLanguage,
  context: CompressContext,
): Elision[] {
  const candidates: Elision[] = [];
  const visit = (fn: FunctionBody) => {
    if (namedByQuery(fn, context.query)) return;
    const span = fn.toRow - fn.fromRow + 1;
    if (span <= SHORT_BODY_LINES) return;
    let innerRows = 0;
    for (const inner of fn.inner) innerRows += inner.toRow - inner.startRow + 1;
    if (fn.inner.length > 0 && innerRows >= span * CONTAINER_SHARE) {
      fn.inner.forEach(visit);
      return;
    }
    const elision = elisionOf(fn, language);
    if (elision.to - elision.from + (elision.keep === undefined ? 1 : 0) > SHORT_BODY_LINES) candidates.push(elision);
  };
  roots.forEach(visit);

  // Most referenced first (ties: earlier first); a body comes back whole while the output fits.
  const refs = referenceCounts(bare);
  const size = (from: number, to: number) => {
    let chars = 0;
    for (let row = from; row <= to; row++) chars += (lines[row] ?? "").length + 1;
    return chars;
  };
  let total = bare.length;
  for (const c of candidates) total -= size(c.from, c.to) - MARKER_CHARS;
  const budget = context.budget * 4;
  const restored = new Set<Elision>();
  const ranked = candidates
    .map((c, index) => ({ c, index, refs: (refs.get(c.fn.shortName) ?? 1) - 1 }))
    .filter((r) => r.refs >= 1)
    .sort((a, b) => b.refs - a.refs || a.index - b.index);
  for (const { c } of ranked) {
    const extra = size(c.from, c.to) - MARKER_CHARS;
    if (total + extra > budget) continue;
    total += extra;
    restored.add(c);
  }
  return candidates.filter((c) => !restored.has(c));
}

/** About what a marker line costs, in characters. */
const MARKER_CHARS = 110;

function elisionOf(fn: FunctionBody, language: CodeLanguage): Elision {
  if (language !== "python") return { fn, from: fn.fromRow, to: fn.toRow, python: undefined };
  if (!fn.docRows) return { fn, from: fn.fromRow, to: fn.toRow, python: "ellipsis" };
  // The docstring's first line stays; a multi-line one keeps its closing line too (it must stay a string).
  const [docStart, docEnd] = fn.docRows;
  if (docEnd === docStart) return { fn, from: docEnd + 1, to: fn.toRow, python: "comment" };
  return { fn, from: docStart + 1, to: fn.toRow, keep: docEnd, python: "comment" };
}

function namedByQuery(fn: FunctionBody, query: Query): boolean {
  const short = fn.shortName;
  if (short.length < 2) return false;
  const lower = short.toLowerCase();
  if (query.terms.includes(lower)) return true;
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
