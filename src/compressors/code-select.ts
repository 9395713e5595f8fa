// Which rows of a parsed file the code compressor leaves out: function bodies (unless the query
// names the function, or it is among the most referenced and the budget allows), runs of short
// functions, data literals, import runs and long comments; each only where its marker costs less
// than what it removes.
import type { Elision } from "./code-comments.js";
import { nameOf, type FunctionBody } from "./code-functions.js";
import { shortFunctionRuns } from "./code-short-runs.js";
import type { CodeLanguage, CompressContext, Query } from "./types.js";

/** A function whose nested functions (this many at least) fill this share of its body is opened up, not elided whole (IIFEs, describe blocks). */
const CONTAINER_SHARE = 0.5;
const CONTAINER_MIN_INNER = 3;
/** About what a marker line costs, in characters of code it is worth (its hash is token-dense). */
const MARKER_CHARS = 110;
/** An elision must remove at least this many characters (indentation aside) to pay for its marker. */
const MIN_ELIDED_CHARS = 1.5 * MARKER_CHARS;

/** Candidate elisions other than function bodies, in the order they yield to each other. */
export interface OtherCandidates {
  readonly data: readonly Elision[];
  readonly comments: readonly Elision[];
}

/**
 * Decides every function: kept whole (the query names it, or it is too short to pay), opened up (a
 * container of functions), or elided; then data and comments outside what was decided. Returns
 * non-overlapping elisions in row order. Call while the tree lives (names are read from it).
 */
export function chooseElisions(
  roots: readonly FunctionBody[],
  others: OtherCandidates,
  lines: readonly string[],
  bare: string,
  language: CodeLanguage,
  context: CompressContext,
): Elision[] {
  const covered = new Uint8Array(lines.length + 1);
  const cover = (from: number, to: number) => covered.fill(1, from, to + 1);
  const free = (e: Elision) => covered.subarray(e.from, e.to + 1).indexOf(1) < 0;
  const elided = (from: number, to: number) => {
    let chars = 0;
    for (let row = from; row <= to; row++) chars += (lines[row] ?? "").trim().length + 1;
    return chars;
  };
  // A long label (a function's full name, the names of a run) makes its marker cost more.
  const pays = (e: Elision) => elided(e.from, e.to) >= MIN_ELIDED_CHARS + Math.max(0, e.label.length - 20);

  const bodies: { parts: Elision[]; fn: FunctionBody }[] = [];
  const asked = context.query.text.trim() !== "";
  const visit = (fn: FunctionBody) => {
    if (asked && namedByQuery(nameOf(fn, language), context.query)) {
      cover(fn.fromRow, fn.toRow);
      return;
    }
    let innerRows = 0;
    for (const inner of fn.inner) innerRows += inner.toRow - inner.startRow + 1;
    const span = fn.toRow - fn.fromRow + 1;
    if (fn.inner.length >= CONTAINER_MIN_INNER && innerRows >= span * CONTAINER_SHARE) {
      fn.inner.forEach(visit);
      return;
    }
    const parts = bodyParts(fn, language, lines).filter(pays);
    cover(fn.fromRow, fn.toRow);
    if (parts.length > 0) bodies.push({ parts, fn });
    else short.push(fn);
  };
  const short: FunctionBody[] = [];
  roots.forEach(visit);

  // Most referenced bodies come back whole while the output fits the budget (ties: earlier first).
  const chosen: Elision[] = [];
  const size = (parts: readonly Elision[]) => parts.reduce((sum, e) => sum + elided(e.from, e.to) - MARKER_CHARS, 0);
  const budget = context.budget * 4;
  let total = bare.length - bodies.reduce((sum, b) => sum + size(b.parts), 0);
  if (total < budget) {
    const refs = referenceCounts(bare);
    const ranked = bodies
      .map((b, index) => ({ b, index, refs: (refs.get(nameOf(b.fn, language).shortName) ?? 1) - 1 }))
      .filter((r) => r.refs >= 1)
      .sort((a, b) => b.refs - a.refs || a.index - b.index);
    const restored = new Set<object>();
    for (const { b } of ranked) {
      if (total + size(b.parts) > budget) continue;
      total += size(b.parts);
      restored.add(b);
    }
    for (const b of bodies) if (!restored.has(b)) chosen.push(...b.parts);
  } else for (const b of bodies) chosen.push(...b.parts);

  for (const run of shortFunctionRuns(short, lines, language)) {
    if (!pays(run)) continue;
    cover(run.from, run.to);
    chosen.push(run);
  }

  // Data, imports and comments that hold something the query names stay (a constant, a table key).
  const names = context.query.entities.filter((entity) => entity.length >= 3);
  const mentioned = (e: Elision) => {
    if (names.length === 0) return false;
    for (let row = e.from; row <= e.to; row++) if (names.some((entity) => (lines[row] ?? "").includes(entity))) return true;
    return false;
  };
  for (const group of [others.data, others.comments]) {
    // One at a time: candidates of one group may overlap each other (a run of assignments and the literal in one of them).
    for (const e of group) {
      if (!free(e) || !pays(e) || mentioned(e)) continue;
      cover(e.from, e.to);
      chosen.push(e);
    }
  }
  return chosen.sort((a, b) => a.from - b.from);
}

// The rows eliding a function removes. Brace bodies: all but the opening and closing lines.
// Python: the whole block (the marker stays a statement), after a one-line docstring; a longer
// docstring keeps its first line of text and closing line, its inside and the code after it go apart.
function bodyParts(fn: FunctionBody, language: CodeLanguage, lines: readonly string[]): Elision[] {
  const label = () => `body of ${nameOf(fn, language).name}`;
  if (language !== "python") return [{ label: label(), from: fn.fromRow, to: fn.toRow, indentRow: firstNonBlank(lines, fn.fromRow, fn.toRow) }];
  if (!fn.docRows) return [{ label: label(), from: fn.fromRow, to: fn.toRow, indentRow: fn.bodyRow, statement: true }];
  const [docStart, docEnd] = fn.docRows;
  const parts: Elision[] = [];
  if (docEnd > docStart) {
    const opener = /^\s*[rRbBuU]?("""|''')\s*$/.test(lines[docStart] ?? "") ? 1 : 0;
    const from = docStart + 1 + opener;
    if (docEnd - 1 >= from) parts.push({ label: "docstring", from, to: docEnd - 1, indentRow: fn.bodyRow });
  }
  if (fn.toRow > docEnd) parts.push({ label: label(), from: docEnd + 1, to: fn.toRow, indentRow: fn.bodyRow });
  return parts;
}

function firstNonBlank(lines: readonly string[], from: number, to: number): number {
  for (let row = from; row <= to; row++) if ((lines[row] ?? "").trim() !== "") return row;
  return from;
}

function namedByQuery({ name, shortName: short }: { name: string; shortName: string }, query: Query): boolean {
  if (short.length < 2) return false;
  const lower = short.toLowerCase();
  if (query.terms.includes(lower)) return true;
  // Stop words of prose are names in code (`run`, `code`, `new`): the raw text counts, as an exact word.
  if (short.length >= 3 && new RegExp(`(?:^|[^\\w$])${short.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?:$|[^\\w$])`).test(query.text)) return true;
  for (const entity of query.entities) {
    if (entity === short || entity === name || entity.endsWith(`.${short}`) || entity.endsWith(`::${short}`) || entity === `${short}()`) return true;
  }
  return false;
}

// How often each identifier appears in the file (a cheap stand-in for "how referenced").
function referenceCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const word of text.match(/[A-Za-z_$][\w$]*/g) ?? []) counts.set(word, (counts.get(word) ?? 0) + 1);
  return counts;
}
