// Large data outside function bodies (lookup tables, object literals, array initialisers, the
// arguments of long calls) and runs of imports: the rows inside the literal (or after the first import) are elided behind one marker,
// the opening and closing lines stay. Only whole rows that hold whole elements go, so what is left
// still parses (the compressor checks that anyway).
import type { Node, Tree } from "web-tree-sitter";
import type { Elision } from "./code-comments.js";
import type { NodeIndex } from "./code-syntax.js";
import type { CodeLanguage } from "./types.js";

export const LITERAL_TYPES: Readonly<Record<CodeLanguage, readonly string[]>> = {
  python: ["list", "dictionary", "set", "tuple", "concatenated_string", "argument_list"],
  javascript: ["array", "object", "arguments"],
  typescript: ["array", "object", "arguments"],
  tsx: ["array", "object", "arguments"],
  go: ["literal_value", "argument_list"],
  // A macro's input (`impl_num! { ... }`, the arms of `macro_rules!`) is code tree-sitter cannot see into.
  rust: ["array_expression", "arguments", "token_tree"],
  java: ["array_initializer", "argument_list"],
  c: ["initializer_list", "argument_list"],
  cpp: ["initializer_list", "argument_list"],
};

// The arguments of a long call (a generated client's `ApiMethodInfo(...)`, a configuration call).
const ARGUMENTS = new Set(["arguments", "argument_list"]);

const IMPORT_TYPES: Readonly<Record<CodeLanguage, readonly string[]>> = {
  python: ["import_statement", "import_from_statement", "future_import_statement"],
  javascript: ["import_statement"],
  typescript: ["import_statement"],
  tsx: ["import_statement"],
  go: ["import_declaration"],
  rust: ["use_declaration"],
  java: ["import_declaration"],
  c: ["preproc_include"],
  cpp: ["preproc_include"],
};

const COMMENTS = new Set(["comment", "line_comment", "block_comment"]);

/** A literal must span at least this many rows to be considered data. */
const MIN_DATA_ROWS = 4;

/**
 * Data literals (outermost, with no function inside) and import runs that may be elided, in row order.
 * `functionTypes` are the node types of functions: a literal holding one is code, not data.
 */
export function dataElisions(tree: Tree, index: NodeIndex, language: CodeLanguage, functionTypes: readonly string[]): Elision[] {
  const found: Elision[] = [];
  let taken = -1;
  for (const node of index.of(LITERAL_TYPES[language])) {
    if (!node || node.endPosition.row <= taken) continue;
    if (node.endPosition.row - node.startPosition.row + 1 < MIN_DATA_ROWS) continue;
    if (index.holds(node, functionTypes)) continue;
    const rows = innerRows(node);
    if (!rows) continue;
    const label = ARGUMENTS.has(node.type) ? "arguments" : node.type === "token_tree" ? "macro input" : "data";
    found.push({ label, from: rows[0], to: rows[1], indentRow: rows[0] });
    taken = node.endPosition.row;
  }
  found.push(...importRuns(tree, language), ...similarRuns(tree, index, functionTypes));
  return found.sort((a, b) => a.from - b.from);
}

// Rows strictly inside the literal that hold only whole children: no child straddles either edge.
function innerRows(node: Node): [number, number] | undefined {
  let from = node.startPosition.row + 1;
  let to = node.endPosition.row - 1;
  const children = node.children.filter((c): c is Node => c !== null);
  for (const child of children) if (child.startPosition.row < from && child.endPosition.row >= from) from = child.endPosition.row + 1;
  for (let i = children.length - 1; i >= 0; i--) {
    const child = children[i]!;
    if (child.endPosition.row > to && child.startPosition.row <= to) to = child.startPosition.row - 1;
  }
  return to >= from ? [from, to] : undefined;
}

// Consecutive top-level imports: the first stays, the rest of the run goes. A Go `import ( ... )`
// block keeps its first spec line and its closing parenthesis.
function importRuns(tree: Tree, language: CodeLanguage): Elision[] {
  const types = new Set(IMPORT_TYPES[language]);
  const runs: Elision[] = [];
  let first: Node | undefined;
  let last: Node | undefined;
  const flush = () => {
    if (first && last && lastRow(last) > lastRow(first)) {
      runs.push({ label: "imports", from: lastRow(first) + 1, to: lastRow(last), indentRow: first.startPosition.row });
    }
    first = last = undefined;
  };
  for (const child of tree.rootNode.namedChildren) {
    if (!child) continue;
    if (COMMENTS.has(child.type) && first) continue;
    if (!types.has(child.type)) {
      flush();
      continue;
    }
    if (language === "go") {
      const list = child.namedChildren.find((c) => c?.type === "import_spec_list");
      const specs = list?.namedChildren.filter((c): c is Node => c !== null && c.type === "import_spec") ?? [];
      if (list && specs.length >= 2 && specs[0]!.startPosition.row > list.startPosition.row && specs[specs.length - 1]!.endPosition.row < list.endPosition.row) {
        runs.push({ label: "imports", from: specs[1]!.startPosition.row, to: specs[specs.length - 1]!.endPosition.row, indentRow: specs[0]!.startPosition.row });
      }
      continue;
    }
    first ??= child;
    last = child;
  }
  flush();
  return runs;
}

// A node's last row of text (a C `#include` ends with its newline, at column 0 of the next row).
function lastRow(node: Node): number {
  const end = node.endPosition;
  return end.column === 0 && end.row > node.startPosition.row ? end.row - 1 : end.row;
}

// Where runs of like items are looked for: the file, the blocks headers wrap declarations in, Go's
// grouped constants and variables.
export const CONTAINERS = ["preproc_ifdef", "preproc_if", "preproc_else", "preproc_elif", "declaration_list", "linkage_specification", "const_declaration", "var_declaration"];
const SKIPPED = new Set([...COMMENTS, "attribute_item"]);
/** A run of like items is elided only from this many items on, each at most this many rows. */
const MIN_RUN = 4;
const MAX_ITEM_ROWS = 10;

// Runs of like items next to each other (a table written as `#define`s, `mat!(...)` test cases,
// `add(...)` calls): the first stays to show the shape, the rest go behind one marker.
function similarRuns(tree: Tree, index: NodeIndex, functionTypes: readonly string[]): Elision[] {
  const runs: Elision[] = [];
  const containers = [tree.rootNode, ...index.of(CONTAINERS)];
  for (const container of containers) {
    if (!container) continue;
    let run: Node[] = [];
    let key = "";
    const flush = () => {
      // Items holding functions are code (test cases, route handlers): their bodies are elided apart.
      if (run.length >= MIN_RUN && !run.some((item) => item.endPosition.row > item.startPosition.row && index.holds(item, functionTypes))) {
        const first = run[0]!;
        const second = run[1]!;
        if (lastRow(first) < second.startPosition.row) runs.push({ label: key === "declare require" ? "imports" : "similar items", from: second.startPosition.row, to: lastRow(run[run.length - 1]!), indentRow: second.startPosition.row });
      }
      run = [];
      key = "";
    };
    for (const child of container.namedChildren) {
      if (!child) continue;
      if (SKIPPED.has(child.type)) continue;
      // A big item (a whole table assigned to a name) is data of its own, not one of a run.
      const itemKey = lastRow(child) - child.startPosition.row < MAX_ITEM_ROWS ? keyOf(child) : undefined;
      const previous = run[run.length - 1];
      // Items must own their rows: one sharing a row with the one before ends the run.
      if (itemKey !== undefined && itemKey === key && previous && child.startPosition.row > lastRow(previous)) run.push(child);
      else {
        flush();
        if (itemKey !== undefined) {
          run = [child];
          key = itemKey;
        }
      }
    }
    flush();
  }
  return runs;
}

// Items alike enough to stand for each other: `#define`s, calls of one function or macro.
function keyOf(node: Node): string | undefined {
  if (node.type === "preproc_def") return "#define";
  // Go `const ( A = 1 ... )` and Rust `const A: u8 = 1;` tables.
  if (node.type === "const_spec" || node.type === "var_spec" || node.type === "const_item" || node.type === "static_item") return node.type;
  const call = node.type === "expression_statement" ? node.namedChild(0) : node;
  if (!call) return undefined;
  if (call.type === "macro_invocation") return `macro ${call.childForFieldName("macro")?.text ?? ""}`;
  if (call.type === "call_expression" || call.type === "call") return `call ${call.childForFieldName("function")?.text ?? ""}`;
  // `exports.a = ...`, `FOO = 1`: assignments to one object, or to plain names.
  if (call.type === "assignment_expression" || call.type === "assignment") {
    const left = call.childForFieldName("left");
    return `assign ${left?.childForFieldName("object")?.text ?? left?.type ?? ""}`;
  }
  // `const a = require("a")`: declarations whose value is a call of one function.
  if (call.type === "lexical_declaration" || call.type === "variable_declaration") {
    const value = call.namedChildren.length === 1 ? call.namedChild(0)?.childForFieldName("value") : undefined;
    if (value?.type === "call_expression") return `declare ${value.childForFieldName("function")?.text ?? ""}`;
  }
  return undefined;
}
