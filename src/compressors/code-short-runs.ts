// Files full of short functions (getters, one-line delegating methods, an object of small handlers)
// save nothing body by body: each marker would cost what it removes. A run of such functions side
// by side in one class, object or file keeps its first whole (to show the shape) and the rest go
// behind one marker that names them all.
import type { Node } from "web-tree-sitter";
import type { Elision } from "./code-comments.js";
import { nameOf, type FunctionBody } from "./code-functions.js";
import type { CodeLanguage } from "./types.js";

/** A run is elided from this many short functions on. */
const MIN_RUN = 4;
/** Names the marker lists before it says how many more. */
const MAX_NAMES = 12;

// Nodes that hold a function and belong to it as one member (`key: () => {}`, `const f = () => {}`,
// `export function`, a decorated definition).
const WRAPPERS = new Set([
  "pair",
  "variable_declarator",
  "lexical_declaration",
  "variable_declaration",
  "export_statement",
  "decorated_definition",
  "field_definition",
  "public_field_definition",
  "expression_statement",
  "assignment_expression",
  "template_declaration",
]);

/**
 * Runs of short functions kept whole, neighbours in one parent with only blank or comment rows
 * between them: one elision each, from the second function's first row to the last one's last row.
 */
export function shortFunctionRuns(short: readonly FunctionBody[], lines: readonly string[], language: CodeLanguage): Elision[] {
  const runs: Elision[] = [];
  let run: { fn: FunctionBody; item: Node }[] = [];
  const flush = () => {
    if (run.length >= MIN_RUN) {
      const rest = run.slice(1);
      const names = rest.map(({ fn }) => nameOf(fn, language).shortName);
      const listed = names.length > MAX_NAMES ? `${names.slice(0, MAX_NAMES).join(", ")} and ${names.length - MAX_NAMES} more` : names.join(", ");
      const from = rest[0]!.item.startPosition.row;
      runs.push({ label: `short functions ${listed}`, from, to: lastRow(rest[rest.length - 1]!.item), indentRow: from });
    }
    run = [];
  };
  for (const fn of short) {
    // A run ends with a member that shares its last row with what follows (`}, other`).
    if (run.length > 0 && !endsItsRow(run[run.length - 1]!.item, lines)) flush();
    const item = memberOf(fn.node);
    const previous = run[run.length - 1];
    const next =
      previous &&
      item.parent?.id === previous.item.parent?.id &&
      endsItsRow(previous.item, lines) &&
      onlyGapBetween(lines, lastRow(previous.item), item.startPosition.row, item.startPosition.column, language === "python");
    if (!next) flush();
    run.push({ fn, item });
  }
  flush();
  return runs;
}

function memberOf(node: Node): Node {
  let item = node;
  while (item.parent && WRAPPERS.has(item.parent.type)) item = item.parent;
  return item;
}

// The rows between two members hold nothing but blanks and comments, and each member owns its rows.
function onlyGapBetween(lines: readonly string[], after: number, before: number, column: number, hashComments: boolean): boolean {
  if (before <= after) return false;
  if ((lines[before] ?? "").slice(0, column).trim() !== "") return false;
  for (let row = after + 1; row < before; row++) {
    const text = (lines[row] ?? "").trim();
    if (text !== "" && !/^(?:\/\/|\/\*|\*)/.test(text) && !(hashComments && text.startsWith("#"))) return false;
  }
  return true;
}

// Nothing but a separator after the member on its last row.
function endsItsRow(node: Node, lines: readonly string[]): boolean {
  const end = node.endPosition;
  if (end.column === 0 && end.row > node.startPosition.row) return true;
  return /^[\s,;]*$/.test((lines[end.row] ?? "").slice(end.column));
}

function lastRow(node: Node): number {
  const end = node.endPosition;
  return end.column === 0 && end.row > node.startPosition.row ? end.row - 1 : end.row;
}
