// Long comments and docstrings outside function bodies (license headers, Javadoc, Rust `///` runs,
// Go doc paragraphs, Python module and class docstrings): their first line of text stays, the rest
// is elided behind one marker. A block comment or docstring keeps its closing line so it stays closed.
import type { Node, Tree } from "web-tree-sitter";
import type { CodeLanguage } from "./types.js";

/** A stretch of rows the code compressor may replace by one marker. */
export interface Elision {
  /** What the marker says was left out ("body of parseArgs", "comment"). */
  readonly label: string;
  /** Rows removed (inclusive), except `keep`. */
  readonly from: number;
  readonly to: number;
  /** A closing line inside the range that stays (`*\/`, a docstring's closing quotes); the marker follows it. */
  readonly keep?: number;
  /** Row whose indentation the marker line takes. */
  readonly indentRow: number;
  /** Python body with nothing left of it: the marker is written `...  # marker` to stay a statement. */
  readonly statement?: boolean;
}

/** A comment is elided only when this many lines or more would go. */
const MIN_COMMENT_LINES = 4;

const COMMENT_TYPES = ["comment", "line_comment", "block_comment"];

/** Elidable comment runs and docstrings, in row order (they never overlap each other). */
export function commentElisions(tree: Tree, lines: readonly string[], language: CodeLanguage): Elision[] {
  const found: Elision[] = [];
  let run: { from: number; to: number; block: boolean } | undefined;
  const flush = () => {
    if (run) push(found, lines, run.from, run.to, run.block, "comment");
    run = undefined;
  };
  for (const node of tree.rootNode.descendantsOfType(COMMENT_TYPES)) {
    if (!node || !ownsItsLines(node, lines)) {
      flush();
      continue;
    }
    const from = node.startPosition.row;
    const to = node.endPosition.row;
    const block = to > from || !isLineComment((lines[from] ?? "").slice(node.startPosition.column));
    // Line comments on consecutive rows are one run; a block comment stands alone.
    if (run && !run.block && !block && from === run.to + 1) run.to = to;
    else {
      flush();
      run = { from, to, block };
    }
  }
  flush();
  if (language === "python") for (const doc of pythonDocstrings(tree)) push(found, lines, doc.from, doc.to, true, "docstring");
  return found.sort((a, b) => a.from - b.from);
}

function push(found: Elision[], lines: readonly string[], from: number, to: number, closed: boolean, label: string): void {
  // The first line with words stays: skip an opener that is only `/**`, `///` or `"""`.
  const first = /^\s*(?:\/\*+!?|\/\/[/!]?|#+|[rRbBuU]?("""|'''))\s*$/.test(lines[from] ?? "") && from < to ? from + 1 : from;
  const start = first + 1;
  if (closed) {
    if (to - start < MIN_COMMENT_LINES) return;
    found.push({ label, from: start, to, keep: to, indentRow: from });
  } else if (to - start + 1 >= MIN_COMMENT_LINES) found.push({ label, from: start, to, indentRow: from });
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
function pythonDocstrings(tree: Tree): { from: number; to: number }[] {
  const blocks: Node[] = [tree.rootNode];
  for (const cls of tree.rootNode.descendantsOfType("class_definition")) {
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
