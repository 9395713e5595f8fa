// The functions of a parsed file that have a body the code compressor may elide: where the body's
// lines are, what the function is called, and which functions sit inside which.
import type { Node } from "web-tree-sitter";
import type { NodeIndex } from "./code-syntax.js";
import type { CodeLanguage } from "./types.js";

/** One function (or method, or callback) with a block body spanning several lines. */
export interface FunctionBody {
  /** The function's node: its name is read only when needed (see nameOf), while the tree lives. */
  readonly node: Node;
  /** Row of the function's first line (decorators excluded). */
  readonly startRow: number;
  /** First and last row of the lines that eliding the body removes (inclusive). */
  readonly fromRow: number;
  readonly toRow: number;
  /** Row of the body's first statement (Python: its indentation is the block's). */
  readonly bodyRow: number;
  /** Python: first and last row of the body's docstring, when it has one. */
  readonly docRows?: readonly [number, number];
  /** Functions directly inside this one's elidable rows, in order. */
  readonly inner: FunctionBody[];
}

const BRACE_FUNCTIONS = ["function_declaration", "function_expression", "function", "generator_function_declaration", "generator_function", "arrow_function", "method_definition"];

export const FUNCTION_TYPES: Readonly<Record<CodeLanguage, readonly string[]>> = {
  python: ["function_definition"],
  javascript: BRACE_FUNCTIONS,
  typescript: BRACE_FUNCTIONS,
  tsx: BRACE_FUNCTIONS,
  go: ["function_declaration", "method_declaration", "func_literal"],
  rust: ["function_item"],
  java: ["method_declaration", "constructor_declaration", "compact_constructor_declaration"],
  c: ["function_definition"],
  cpp: ["function_definition", "lambda_expression"],
};

// Containers whose name qualifies a method's ("Server.start").
const OWNER_TYPES = new Set([
  "class_declaration",
  "class_definition",
  "class",
  "abstract_class_declaration",
  "interface_declaration",
  "enum_declaration",
  "record_declaration",
  "struct_specifier",
  "class_specifier",
  "impl_item",
  "trait_item",
]);

const NAME_CHARS = 80;

/**
 * Functions with a multi-line block body, outermost first, each with the functions nested in it.
 * Python bodies are elided whole; brace bodies keep their opening and closing lines.
 */
export function functionBodies(index: NodeIndex, language: CodeLanguage): FunctionBody[] {
  const nodes = index.of(FUNCTION_TYPES[language]);
  const python = language === "python";
  const roots: FunctionBody[] = [];
  // Open functions whose elidable rows may still contain the next one (document order).
  const stack: FunctionBody[] = [];
  for (const node of nodes) {
    if (!node) continue;
    const body = node.childForFieldName("body");
    if (!body || !isBlock(body)) continue;
    const bodyStart = body.startPosition.row;
    const bodyEnd = body.endPosition.row;
    const headRow = node.startPosition.row;
    const fromRow = python ? bodyStart : bodyStart + 1;
    const toRow = python ? bodyEnd : bodyEnd - 1;
    // A Python one-liner (`def f(): return 1`) has no line of its own to elide.
    if (toRow < fromRow || (python && bodyStart === headRow)) continue;
    const fn: FunctionBody = {
      node,
      startRow: headRow,
      fromRow,
      toRow,
      bodyRow: bodyStart,
      inner: [],
      ...(python ? docstringRows(body) : {}),
    };
    while (stack.length > 0 && !contains(stack[stack.length - 1]!, fn)) stack.pop();
    const siblings = stack[stack.length - 1]?.inner ?? roots;
    if (siblings.some((other) => overlaps(other, fn))) continue;
    siblings.push(fn);
    stack.push(fn);
  }
  return roots;
}

// Nesting by elidable rows: a function whose head shares its parent's opening line still nests.
// A Python docstring: the block's first statement (comments aside) is a lone string.
function docstringRows(block: Node): { docRows?: readonly [number, number] } {
  for (const child of block.namedChildren) {
    if (!child || child.type === "comment") continue;
    const only = child.type === "expression_statement" && child.namedChildCount === 1 ? child.namedChild(0) : null;
    if (only?.type !== "string") return {};
    return { docRows: [child.startPosition.row, child.endPosition.row] };
  }
  return {};
}

function contains(outer: FunctionBody, inner: FunctionBody): boolean {
  return inner.fromRow >= outer.fromRow && inner.toRow <= outer.toRow;
}

// Never two elisions over one row (cannot happen in a well-formed tree; guards broken input).
function overlaps(a: FunctionBody, b: FunctionBody): boolean {
  return b.fromRow <= a.toRow && b.toRow >= a.fromRow;
}

function isBlock(body: Node): boolean {
  return body.type === "block" || body.type === "statement_block" || body.type === "compound_statement" || body.type === "constructor_body";
}

// The identifier code calls it by: last segment of "Server.start", "Foo::bar",
// "NODE_METHOD(Statement::JS_run)"; the holder of a callback ("describe" of "describe callback").
function shortNameOf(name: string): string {
  const words = name.replace(/ callback$/, "").match(/[A-Za-z_$][\w$]*/g);
  return words?.[words.length - 1] ?? name;
}

function clean(name: string): string {
  const flat = name.replace(/[[\]\r\n]+/g, " ").replace(/\s+/g, " ").trim();
  return flat.length > NAME_CHARS ? `${flat.slice(0, NAME_CHARS)}...` : flat || "anonymous function";
}

const names = new WeakMap<FunctionBody, { name: string; shortName: string }>();

/**
 * The function's name for markers and query matching ("parseArgs", "Server.start", "describe
 * callback") and its last segment as code references it ("start"). Read from the tree: call it
 * before the tree is deleted or edited.
 */
export function nameOf(fn: FunctionBody, language: CodeLanguage): { name: string; shortName: string } {
  let known = names.get(fn);
  if (!known) {
    const name = clean(rawName(fn.node, language));
    known = { name, shortName: shortNameOf(name) };
    names.set(fn, known);
  }
  return known;
}

function rawName(node: Node, language: CodeLanguage): string {
  const own = ownName(node, language);
  if (own === undefined) return contextName(node);
  const owner = ownerName(node);
  return owner ? `${owner}.${own}` : own;
}

function ownName(node: Node, language: CodeLanguage): string | undefined {
  if (language === "c" || language === "cpp") {
    let declarator = node.childForFieldName("declarator");
    while (declarator && declarator.type !== "function_declarator") declarator = declarator.childForFieldName("declarator");
    const name = declarator?.childForFieldName("declarator")?.text;
    // A macro that declares a function (`NODE_METHOD(Statement::JS_run) {`): its argument is the name.
    return name && /^[A-Z][A-Z0-9_]+$/.test(name) ? declarator?.text : name;
  }
  return node.childForFieldName("name")?.text;
}

// Anonymous functions take the name of what holds them: `const f = () => {}`, `obj.f = function`,
// `{ f: () => {} }`, or the call they are passed to (`describe callback`).
function contextName(node: Node): string {
  const parent = node.parent;
  if (!parent) return "anonymous function";
  switch (parent.type) {
    case "variable_declarator":
    case "init_declarator":
    case "let_declaration":
      return (parent.childForFieldName("name") ?? parent.childForFieldName("declarator") ?? parent.childForFieldName("pattern"))?.text ?? "anonymous function";
    case "assignment_expression":
      return parent.childForFieldName("left")?.text ?? "anonymous function";
    case "pair":
      return parent.childForFieldName("key")?.text ?? "anonymous function";
    case "field_definition":
    case "public_field_definition":
      return (parent.childForFieldName("property") ?? parent.childForFieldName("name"))?.text ?? "anonymous function";
    case "arguments":
    case "argument_list": {
      const callee = parent.parent?.childForFieldName("function");
      return callee ? `${callee.text} callback` : "anonymous function";
    }
    default:
      return "anonymous function";
  }
}

// The class, struct, impl or trait a method sits in; none past an enclosing function.
function ownerName(node: Node): string | undefined {
  for (let up = node.parent; up; up = up.parent) {
    if (ANY_FUNCTION.has(up.type)) return undefined;
    if (OWNER_TYPES.has(up.type)) return (up.childForFieldName("name") ?? up.childForFieldName("type"))?.text;
  }
  return undefined;
}

const ANY_FUNCTION = new Set(Object.values(FUNCTION_TYPES).flat());
