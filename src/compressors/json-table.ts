// The lossless "JSON with tables" form the json compressor emits.
//
// Format (every line is one of these; a table replaces one array of similar objects):
//
//   {"total":3,"items":<table 1>}            skeleton: minified JSON, each table array replaced by <table N>
//   <table 1 $.items rows=3>                 table header: id, JSONPath of the array, original row count
//   "id","title","labels"                    column line: the keys, JSON-encoded, comma-separated
//   1,"Crash on start",["bug"]               one row per object: each cell the key's value, JSON-encoded
//   2,"Docs typo",                           an empty cell means the object has no such key
//
// When the whole document is one table there is no skeleton line: the output starts with the header.
// Cells are separated by commas at nesting depth 0 outside strings, so `JSON.parse("[" + cells + "]")`
// reads a row when no cell is empty. In lossy output a row may be a marker line
// ("[12 rows omitted: ... · headroom_retrieve hash=...]") standing for dropped rows.
// decodeJsonTables() turns a lossless rendering back into the original data.
import { MARKER_PATTERN } from "../ccr/marker.js";

export type JsonObject = Record<string, unknown>;

export interface TablePlan {
  /** Arrays rendered as tables. */
  readonly tables: ReadonlySet<unknown[]>;
  /** Containers with a table somewhere below them (rendered by hand; others by JSON.stringify). */
  readonly holders: ReadonlySet<object>;
}

export interface TableBlock {
  readonly id: number;
  readonly path: string;
  readonly columns: readonly string[];
  readonly rows: readonly JsonObject[];
}

export interface RenderedDocument {
  /** null when the root itself is table 1. */
  readonly skeleton: string | null;
  readonly tables: readonly TableBlock[];
}

const MIN_ROWS = 2;
const MIN_FILL = 0.5;
const MIN_SAVING = 24;

function isPlainObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Union of keys in order of first appearance. */
export function columnsOf(rows: readonly JsonObject[]): string[] {
  const seen = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) seen.add(key);
  return [...seen];
}

// Characters a table saves over minified JSON for this array (<= 0 when it would not help).
function tableSaving(rows: readonly JsonObject[]): number {
  if (rows.length < MIN_ROWS) return 0;
  const keyCost = new Map<string, number>();
  let present = 0;
  let saved = 0;
  for (const row of rows) {
    const keys = Object.keys(row);
    present += keys.length;
    saved += 2; // braces
    for (const key of keys) {
      let cost = keyCost.get(key);
      if (cost === undefined) {
        cost = JSON.stringify(key).length + 1;
        keyCost.set(key, cost);
      }
      saved += cost;
    }
  }
  const columns = keyCost.size;
  if (columns === 0 || present / (rows.length * columns) < MIN_FILL) return 0;
  let header = 32;
  for (const cost of keyCost.values()) header += cost;
  const emptyCells = rows.length * columns - present;
  return saved - header - emptyCells;
}

// Lossy selection drops whole rows, so there the outermost arrays of objects make the best tables
// (however sparse): a row then stands for a whole element. Depth is bounded by the parse.
export function planOutermostTables(root: object): TablePlan {
  const tables = new Set<unknown[]>();
  const holders = new Set<object>();
  const visit = (value: unknown): boolean => {
    if (value === null || typeof value !== "object") return false;
    if (Array.isArray(value) && value.length >= MIN_ROWS && value.every(isPlainObject)) {
      tables.add(value);
      return true;
    }
    let found = false;
    for (const child of Array.isArray(value) ? value : Object.values(value as JsonObject)) if (visit(child)) found = true;
    if (found) holders.add(value);
    return found;
  };
  visit(root);
  return { tables, holders };
}

// Picks the arrays to render as tables: bottom-up, an array becomes a table when that saves more
// than the tables inside its elements would. Depth is bounded by the parse (MAX_JSON_DEPTH).
export function planTables(root: object): TablePlan {
  const tables = new Set<unknown[]>();
  const holders = new Set<object>();
  const visit = (value: unknown): number => {
    if (value === null || typeof value !== "object") return 0;
    let inner = 0;
    const children = Array.isArray(value) ? value : Object.values(value as JsonObject);
    for (const child of children) inner += visit(child);
    if (Array.isArray(value) && value.length >= MIN_ROWS && value.every(isPlainObject)) {
      const own = tableSaving(value as JsonObject[]);
      if (own >= MIN_SAVING && own >= inner) {
        tables.add(value);
        return own;
      }
    }
    if (inner > 0) holders.add(value);
    return inner;
  };
  visit(root);
  // Tables inside a chosen table's cells stay JSON: drop them and their holders from the plan.
  const live = new Set<unknown[]>();
  const liveHolders = new Set<object>();
  const collect = (value: unknown): void => {
    if (value === null || typeof value !== "object") return;
    if (Array.isArray(value) && tables.has(value)) {
      live.add(value);
      return;
    }
    if (!holders.has(value)) return;
    liveHolders.add(value);
    for (const child of Array.isArray(value) ? value : Object.values(value as JsonObject)) collect(child);
  };
  collect(root);
  return { tables: live, holders: liveHolders };
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function childPath(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** Renders the skeleton and collects table blocks in order of appearance. */
export function renderWithTables(root: object, plan: TablePlan, stringify: (value: unknown) => string): RenderedDocument {
  const tables: TableBlock[] = [];
  const addTable = (rows: unknown[], path: string): string => {
    const id = tables.length + 1;
    const objects = rows as JsonObject[];
    tables.push({ id, path, columns: columnsOf(objects), rows: objects });
    return `<table ${id}>`;
  };
  const render = (value: unknown, path: string): string => {
    if (value === null || typeof value !== "object") return stringify(value);
    if (Array.isArray(value) && plan.tables.has(value)) return addTable(value, path);
    if (!plan.holders.has(value)) return stringify(value);
    if (Array.isArray(value)) return `[${value.map((item, i) => render(item, childPath(path, i))).join(",")}]`;
    const parts: string[] = [];
    for (const [key, child] of Object.entries(value as JsonObject)) parts.push(`${JSON.stringify(key)}:${render(child, childPath(path, key))}`);
    return `{${parts.join(",")}}`;
  };
  if (Array.isArray(root) && plan.tables.has(root)) {
    addTable(root, "$");
    return { skeleton: null, tables };
  }
  return { skeleton: render(root, "$"), tables };
}

export function tableHeader(table: TableBlock): string {
  return `<table ${table.id} ${table.path} rows=${table.rows.length}>`;
}

export function columnLine(table: TableBlock): string {
  return table.columns.map((column) => JSON.stringify(column)).join(",");
}

const hasOwn = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

export function rowLine(columns: readonly string[], row: JsonObject, stringify: (value: unknown) => string): string {
  let line = "";
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i] as string;
    if (i > 0) line += ",";
    if (hasOwn(row, column)) line += stringify(row[column]);
  }
  return line;
}

// ---- decoding (used by tests and by anything that wants the data back) ----

const HEADER = /^<table (\d+) .* rows=(\d+)>$/;

/** Rebuilds the data from a lossless rendering. Marker lines in lossy output are skipped. */
export function decodeJsonTables(text: string): unknown {
  const lines = text.split("\n");
  let skeleton: string | null = null;
  let index = 0;
  if (lines.length > 0 && !HEADER.test(lines[0] ?? "")) {
    skeleton = lines[0] ?? "";
    index = 1;
  }
  const decoded = new Map<number, unknown[]>();
  while (index < lines.length) {
    const header = HEADER.exec(lines[index] ?? "");
    if (!header) throw new Error(`expected a table header at line ${index + 1}`);
    const id = Number(header[1]);
    const columns = splitCells(lines[index + 1] ?? "").map((cell) => JSON.parse(cell) as string);
    const rows: unknown[] = [];
    index += 2;
    while (index < lines.length && !HEADER.test(lines[index] ?? "")) {
      const line = lines[index] ?? "";
      index++;
      MARKER_PATTERN.lastIndex = 0;
      if (line.startsWith("[") && isWholeMarker(line)) continue;
      const cells = splitCells(line);
      const row: JsonObject = {};
      cells.forEach((cell, i) => {
        if (cell === "") return;
        Object.defineProperty(row, columns[i] as string, { value: JSON.parse(cell) as unknown, enumerable: true, writable: true, configurable: true });
      });
      rows.push(row);
    }
    decoded.set(id, rows);
  }
  if (skeleton === null) return decoded.get(1);
  return JSON.parse(spliceTables(skeleton, decoded)) as unknown;
}

function isWholeMarker(line: string): boolean {
  const match = new RegExp(MARKER_PATTERN.source).exec(line);
  return match !== null && match.index === 0 && match[0].length === line.length;
}

// Replaces each <table N> outside strings with the JSON of that table's rows.
function spliceTables(skeleton: string, tables: ReadonlyMap<number, unknown[]>): string {
  let out = "";
  let i = 0;
  let from = 0;
  while (i < skeleton.length) {
    const c = skeleton[i];
    if (c === '"') {
      for (i++; i < skeleton.length && skeleton[i] !== '"'; i++) if (skeleton[i] === "\\") i++;
      i++;
    } else if (c === "<" && skeleton.startsWith("<table ", i)) {
      const end = skeleton.indexOf(">", i);
      const id = Number(skeleton.slice(i + 7, end));
      out += skeleton.slice(from, i) + JSON.stringify(tables.get(id) ?? []);
      i = end + 1;
      from = i;
    } else i++;
  }
  return out + skeleton.slice(from);
}

/** Splits a row into its cells: commas at depth 0 outside strings. */
export function splitCells(line: string): string[] {
  const cells: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 0x22) {
      for (i++; i < line.length; i++) {
        const s = line.charCodeAt(i);
        if (s === 0x5c) i++;
        else if (s === 0x22) break;
      }
    } else if (c === 0x5b || c === 0x7b) depth++;
    else if (c === 0x5d || c === 0x7d) depth--;
    else if (c === 0x2c && depth === 0) {
      cells.push(line.slice(start, i));
      start = i + 1;
    }
  }
  cells.push(line.slice(start));
  return cells;
}
