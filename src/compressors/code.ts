// Source code: keep the file's skeleton (imports' first line, declarations, signatures, decorators,
// the first line of comments and docstrings) and elide function bodies, data tables, import runs and
// long comments, each replaced by one marker line written as a comment of the language (neighbours
// with only blank lines between share one marker). Bodies the query names, short ones and, within
// the budget, the most referenced stay whole. Every kept line is the input's line, byte for byte;
// the output is parsed again (incrementally, from the edited tree) and discarded when it has more
// syntax errors than the input had.
import type { Parser, Tree } from "web-tree-sitter";
import { formatMarker } from "../ccr/marker.js";
import { parserFor } from "../resources/grammars.js";
import { COMMENT_TYPES, commentElisions, type Elision } from "./code-comments.js";
import { CONTAINERS, dataElisions, LITERAL_TYPES } from "./code-data.js";
import { FUNCTION_TYPES, functionBodies } from "./code-functions.js";
import { guessLanguage } from "./code-language.js";
import { chooseElisions } from "./code-select.js";
import { indexNodes, syntaxErrors } from "./code-syntax.js";
import { joinNumbered, splitLineNumbers } from "./line-numbers.js";
import type { CodeLanguage, CompressContext, CompressResult, Compressor, Omission } from "./types.js";

/** Elisions of rows inside expressions: the first to go when the output does not re-parse. */
const RISKY = new Set(["data", "arguments", "macro input", "imports", "similar items", "short functions"]);

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
  try {
    tree = parser.parse(bare);
    if (!tree) return decline("nothing to elide");
    const errorsBefore = syntaxErrors(tree.rootNode);
    // A guessed language must read the text cleanly: errors mean the guess (or the text) is off.
    if (!context.language && errorsBefore > 0) return decline("guess did not parse");
    const functions = FUNCTION_TYPES[language];
    const index = indexNodes(tree.rootNode, [...functions, ...COMMENT_TYPES, ...LITERAL_TYPES[language], ...CONTAINERS, ...(language === "python" ? ["class_definition"] : [])]);
    const others = { data: dataElisions(tree, index, language, functions), comments: commentElisions(tree, index, lines, language) };
    const chosen = chooseElisions(functionBodies(index, language), others, lines, bare, language, context);
    if (chosen.length === 0) return decline("nothing to elide");
    // Elisions inside expressions and runs of members are the riskier ones, then bodies (a macro can
    // make C look like a function where there is none): each retry leaves out more, comments last.
    const risky = (e: Elision) => RISKY.has(e.label.startsWith("short functions") ? "short functions" : e.label);
    const attempts = [chosen, chosen.filter((e) => !risky(e)), chosen.filter((e) => e.label === "comment" || e.label === "docstring")];
    let previous = 0;
    for (const [i, attempt] of attempts.entries()) {
      if (attempt.length === 0 || attempt.length === previous) continue;
      previous = attempt.length;
      const out = render(merge(attempt, lines), lines, language, context, numbered);
      // The first attempt re-parses incrementally from the input's tree; a retry parses afresh.
      if (errorsAfter(parser, out, i === 0 ? tree : null, lines) <= errorsBefore) return { result: { text: out.text, omissions: out.omissions } };
    }
    return decline("output did not re-parse");
  } finally {
    tree?.delete();
  }
}

interface Rendered {
  readonly text: string;
  readonly omissions: Omission[];
  /** The output without line numbers (what is parsed again), and each marker with its rows. */
  readonly bare: string;
  readonly placed: readonly { readonly e: Elision; readonly marker: string }[];
}

// Neighbouring elisions with only blank rows between them become one.
function merge(elisions: readonly Elision[], lines: readonly string[]): Elision[] {
  const merged: Elision[] = [];
  for (const e of elisions) {
    const last = merged[merged.length - 1];
    if (last && blankBetween(lines, last.to, e.from)) {
      const label = last.label.split(", ").includes(e.label) ? last.label : `${last.label}, ${e.label}`;
      merged[merged.length - 1] = { ...last, label, to: e.to };
    } else merged.push(e);
  }
  return merged;
}

function blankBetween(lines: readonly string[], after: number, before: number): boolean {
  for (let row = after + 1; row < before; row++) if ((lines[row] ?? "").trim() !== "") return false;
  return true;
}

function render(elisions: readonly Elision[], lines: readonly string[], language: CodeLanguage, context: CompressContext, numbered: ReturnType<typeof splitLineNumbers>): Rendered {
  const rowNumber = (row: number) => (numbered ? numbered.first + row : row + 1);
  const markers = new Map<number, string>();
  const kept: number[] = [];
  const bareOut: string[] = [];
  const omissions: Omission[] = [];
  const placed: { e: Elision; marker: string }[] = [];
  let row = 0;
  for (const e of elisions) {
    for (; row < e.from; row++) {
      kept.push(row);
      bareOut.push(lines[row] ?? "");
    }
    const count = e.to - e.from + 1;
    const detail = `${e.label}, lines ${rowNumber(e.from)}-${rowNumber(e.to)}`;
    const marker = markerLine(formatMarker({ count, unit: "lines", detail, hash: context.hash }), language, e, lines);
    // A marker is written before the next kept row (joinNumbered's convention): the row after its range.
    markers.set(e.to + 1, marker);
    bareOut.push(marker);
    omissions.push({ count, unit: "lines" });
    placed.push({ e, marker });
    row = e.to + 1;
  }
  for (; row < lines.length; row++) {
    kept.push(row);
    bareOut.push(lines[row] ?? "");
  }
  const bare = bareOut.join("\n");
  const text = numbered ? joinNumbered(numbered, kept, markers) : bare;
  return { text, omissions, bare, placed };
}

// Errors in the output's tree. With the input's tree, each marker is applied to it as an edit
// (last first, so earlier positions hold) and the output is parsed incrementally: the parser
// reuses every subtree the edits did not touch.
function errorsAfter(parser: Parser, out: Rendered, tree: Tree | null, lines: readonly string[]): number {
  if (tree) {
    const starts: number[] = new Array(lines.length);
    let at = 0;
    for (let row = 0; row < lines.length; row++) {
      starts[row] = at;
      at += (lines[row] ?? "").length + 1;
    }
    for (let i = out.placed.length - 1; i >= 0; i--) {
      const { e, marker } = out.placed[i]!;
      const startIndex = starts[e.from]!;
      const lastLength = (lines[e.to] ?? "").length;
      tree.edit({
        startIndex,
        oldEndIndex: starts[e.to]! + lastLength,
        newEndIndex: startIndex + marker.length,
        startPosition: { row: e.from, column: 0 },
        oldEndPosition: { row: e.to, column: lastLength },
        newEndPosition: { row: e.from, column: marker.length },
      });
    }
  }
  const next = parser.parse(out.bare, tree);
  if (!next) return Number.POSITIVE_INFINITY;
  try {
    return syntaxErrors(next.rootNode);
  } finally {
    next.delete();
  }
}

// The marker as a comment of the language, indented like what it stands for. Python needs a
// statement when nothing of a body is left (a comment alone is not a block).
function markerLine(marker: string, language: CodeLanguage, elision: Elision, lines: readonly string[]): string {
  const indent = /^[ \t]*/.exec(lines[elision.indentRow] ?? "")?.[0] ?? "";
  if (language !== "python") return `${indent}// ${marker}`;
  return elision.statement ? `${indent}...  # ${marker}` : `${indent}# ${marker}`;
}
