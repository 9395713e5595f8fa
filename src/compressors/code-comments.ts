// Long comments and docstrings outside function bodies (license headers, Javadoc, Rust `///` runs,
// Go doc paragraphs, Python module and class docstrings): their first line of text stays, the rest
// is elided behind one marker. Line comments separated only by blank lines are one run (a license
// header in paragraphs costs one marker). A block comment or docstring keeps its closing line, after
// the marker, so it stays closed: the marker is then a line of the comment (or of the string).
import type { Node, Tree } from "web-tree-sitter";
import type { NodeIndex } from "./code-syntax.js";
import type { CodeLanguage } from "./types.js";

/** A stretch of rows the code compressor replaces by one marker line, written where they were. */
export interface Elision {
  /** What the marker says was left out ("body of parseArgs", "comment", "data"). */
  readonly label: string;
  /** Rows removed, inclusive and contiguous: the marker's stated range is exactly these. */
  readonly from: number;
  readonly to: number;
  /** Row whose indentation the marker line takes. */
  readonly indentRow: number;
  /** Python body with nothing left of it: the marker is written `...  # marker` to stay a statement. */
  readonly statement?: boolean;
}

export const COMMENT_TYPES = ["comment", "line_comment", "block_comment"];

/** Elidable comment runs and docstrings, in row order (they never overlap each other). */
export function commentElisions(tree: Tree, index: NodeIndex, lines: readonly string[], language: CodeLanguage): Elision[] {
  const found: Elision[] = [];
  let run: { from: number; to: number } | undefined;
  const flush = () => {
    if (run) push(found, lines, run.from, run.to, false, "comment");
    run = undefined;
  };
  for (const node of index.of(COMMENT_TYPES)) {
    if (!node || !ownsItsLines(node, lines)) {
      flush();
      continue;
    }
    const from = node.startPosition.row;
    const to = node.endPosition.row;
    if (to > from && !isLineComment((lines[from] ?? "").slice(node.startPosition.column))) {
      // A block comment over several rows stands alone: its closing line stays.
      flush();
      push(found, lines, from, to, true, "comment");
      continue;
    }
    // Line comments (and one-row block comments) on following rows, blank rows between allowed, are one run.
    if (run && onlyBlankBetween(lines, run.to, from)) run.to = to;
    else {
      flush();
      run = { from, to };
    }
  }
  flush();
  if (language === "python") for (const doc of pythonDocstrings(tree, index)) push(found, lines, doc.from, doc.to, true, "docstring");
  return found.sort((a, b) => a.from - b.from);
}

function onlyBlankBetween(lines: readonly string[], after: number, before: number): boolean {
  for (let row = after + 1; row < before; row++) if ((lines[row] ?? "").trim() !== "") return false;
  return true;
}

// The first line with words stays (an opener that is only `/**`, `///` or `"""` is skipped);
// a closed comment keeps its last line too. The code compressor decides whether the rest pays.
function push(found: Elision[], lines: readonly string[], from: number, to: number, closed: boolean, label: string): void {
  const first = /^\s*(?:\/\*+!?|\/\/[/!]?|#+|[rRbBuU]?("""|'''))\s*$/.test(lines[from] ?? "") && from < to ? from + 1 : from;
  const start = first + 1;
  const end = closed ? to - 1 : to;
  if (end >= start) found.push({ label, from: start, to: end, indentRow: from });
}

function isLineComment(text: string): boolean {
  return text.startsWith("//") || text.startsWith("#");
}

// Only comments alone on their lines: a trailing `// note` after code is part of that code line.
function ownsItsLines(node: Node, lines: readonly string[]): boolean {
  const start = node.startPosition;
  const end = node.endPosition;
  return (lines[start.row] ?? "").slice(0, start.column).trim() === "" && (lines[end.row] ?? "").slice(end.column).trim() === "";
}

// Module and class docstrings (function docstrings go with their function's body).
function pythonDocstrings(tree: Tree, index: NodeIndex): { from: number; to: number }[] {
  const blocks: Node[] = [tree.rootNode];
  for (const cls of index.of(["class_definition"])) {
    const body = cls?.childForFieldName("body");
    if (body) blocks.push(body);
  }
  const docs: { from: number; to: number }[] = [];
  for (const block of blocks) {
    for (const child of block.namedChildren) {
      if (!child || child.type === "comment") continue;
      const only = child.type === "expression_statement" && child.namedChildCount === 1 ? child.namedChild(0) : null;
      if (only?.type === "string" && child.endPosition.row > child.startPosition.row) docs.push({ from: child.startPosition.row, to: child.endPosition.row });
      break;
    }
  }
  return docs;
}
