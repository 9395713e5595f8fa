// The values that differ between repeats of one error/warning event, and their compact summary for a
// fold marker ("requestId 53 distinct req-00030–req-00913: req-00030, req-00042, …; cartId c10003 x20").
// Fields are read from JSON-lines records (each scalar value by its key path) or, for any other line,
// from its space-separated tokens (repeats of one event share a masked shape, so token i of one
// line is token i of the others). Pure, linear scans; no JSON.parse.
import { bareValueEnd, skipString } from "./log-records.js";

/** One field of a line: a label (key, or "" for an unlabelled token) and its raw value. */
export interface Field {
  readonly label: string;
  readonly value: string;
}

const MAX_VALUE = 60;
const RANGE_JOIN = "–";
const MORE = "…";

/**
 * Scalar values of a one-line JSON object by key path (nested keys joined with "."); an array is one
 * value (its raw text). Undefined when the line is not a well-formed flat-enough JSON object.
 */
export function jsonFields(line: string): Field[] | undefined {
  const start = line.indexOf("{");
  if (start < 0) return undefined;
  const out: Field[] = [];
  const path: string[] = [];
  let key: string | undefined;
  let i = start + 1;
  const n = line.length;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c === 34) {
      const next = skipString(line, i);
      if (next > n) return undefined;
      const s = line.slice(i + 1, next - 1);
      if (key === undefined) {
        let k = next;
        while (k < n && (line.charCodeAt(k) === 32 || line.charCodeAt(k) === 9)) k++;
        if (line.charCodeAt(k) !== 58) return undefined;
        key = s;
        i = k + 1;
        continue;
      }
      out.push({ label: joinPath(path, key), value: s });
      key = undefined;
      i = next;
      continue;
    }
    if (c === 123) {
      if (key === undefined) return undefined;
      path.push(key);
      key = undefined;
      i++;
      continue;
    }
    if (c === 125) {
      if (path.length === 0) return out;
      path.pop();
      i++;
      continue;
    }
    if (c === 91) {
      const end = skipArray(line, i);
      if (end > n || key === undefined) return undefined;
      out.push({ label: joinPath(path, key), value: line.slice(i, end) });
      key = undefined;
      i = end;
      continue;
    }
    if (c === 44 || c === 32 || c === 9 || c === 13) {
      i++;
      continue;
    }
    const k = bareValueEnd(line, i);
    if (key === undefined) return undefined;
    out.push({ label: joinPath(path, key), value: line.slice(i, k) });
    key = undefined;
    i = k;
  }
  return undefined;
}

function joinPath(path: readonly string[], key: string): string {
  return path.length === 0 ? key : `${path.join(".")}.${key}`;
}

// Index just after the array that opens at `at` (strings skipped, nesting counted).
function skipArray(line: string, at: number): number {
  let depth = 0;
  let i = at;
  while (i < line.length) {
    const c = line.charCodeAt(i);
    if (c === 34) {
      i = skipString(line, i);
      continue;
    }
    if (c === 91 || c === 123) depth++;
    else if (c === 93 || c === 125) {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  return line.length + 1;
}

/** The space-separated tokens of a line; `key=value` tokens are labelled by their key. */
export function tokenFields(line: string): Field[] {
  const tokens = line.split(" ");
  const out: Field[] = [];
  for (let t = 0; t < tokens.length; t++) {
    const token = tokens[t] ?? "";
    const eq = token.indexOf("=");
    if (eq > 0 && eq <= 32 && /^[A-Za-z_][\w.-]*$/.test(token.slice(0, eq))) {
      out.push({ label: token.slice(0, eq), value: token.slice(eq + 1) });
      continue;
    }
    // "client: 127.0.0.1," -> the value is labelled by the word before it.
    const prev = tokens[t - 1] ?? "";
    const label = prev.length > 1 && prev.endsWith(":") && /^[A-Za-z_][\w.-]*:$/.test(prev) ? prev.slice(0, -1) : "";
    out.push({ label, value: token });
  }
  return out;
}

/** The fields of a line: JSON keys when it is a JSON object, else its tokens. */
export function lineFields(line: string, json: boolean): Field[] | undefined {
  return json ? jsonFields(line) : tokenFields(line);
}

// ---------------------------------------------------------------------------------------------
// Summaries.

/** The values one field took over the folded lines (one entry per line, in order). */
export interface FieldValues {
  readonly label: string;
  readonly values: readonly string[];
}

interface Distinct {
  readonly value: string;
  count: number;
}

// Trims wrapping punctuation from a token for display ("[24/Nov/2026:22:45:10" -> "24/Nov/...").
function display(value: string, token: boolean): string {
  let v = value;
  if (token) v = v.replace(/^["'([<{]+/, "").replace(/["')\]>},;:]+$/, "");
  // A marker's detail may not contain "]" or a line break (see src/ccr/marker.ts); control
  // characters (a CR of CRLF lines) would only garble it.
  if (v.includes("]")) v = v.replace(/\]/g, "⟧");
  if (/[\u0000-\u001f\u007f]/.test(v)) v = v.replace(/[\u0000-\u001f\u007f]/g, "");
  if (v.length > MAX_VALUE) v = `${v.slice(0, MAX_VALUE - 1)}${MORE}`;
  return v;
}

interface Ordered {
  readonly value: string;
  readonly shape: string;
  /** The value itself for a plain number, else its digit runs in turn. */
  readonly numbers: readonly number[];
}

const PLAIN_NUMBER = /^-?\d+(?:\.\d+)?(?:e[+-]?\d+)?$/i;

function ordered(value: string): Ordered {
  if (PLAIN_NUMBER.test(value)) return { value, shape: "#", numbers: [Number(value)] };
  const numbers: number[] = [];
  // A decimal counts as one number ("1.5ms" > "1.189ms"), unless it is part of a dotted chain (127.0.0.1).
  const shape = value.replace(/(?<![\d.])\d+\.\d+(?![.\d])|\d+/g, (m) => {
    numbers.push(Number(m));
    return "#";
  });
  return { value, shape, numbers };
}

function compareOrdered(a: Ordered, b: Ordered): number {
  const x = a.numbers;
  const y = b.numbers;
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** "min–max" when every value has the same shape with digits in it (ids, times, numbers). */
function rangeOf(distinct: readonly Distinct[]): { min: string; max: string; clock: boolean } | undefined {
  const first = ordered(distinct[0]?.value ?? "");
  if (!first.shape.includes("#")) return undefined;
  let min = first;
  let max = first;
  for (let k = 1; k < distinct.length; k++) {
    const o = ordered(distinct[k]?.value ?? "");
    if (o.shape !== first.shape) return undefined;
    if (compareOrdered(o, min) < 0) min = o;
    if (compareOrdered(o, max) > 0) max = o;
  }
  return { min: min.value, max: max.value, clock: /#:#/.test(first.shape) };
}

// Elements (of comma-separated values) that every value contains: "each has SKU-4417".
function commonElements(distinct: readonly Distinct[]): string[] {
  if (distinct.length < 2 || !distinct.every((d) => d.value.includes(","))) return [];
  let common: Set<string> | undefined;
  for (const d of distinct) {
    const parts = new Set(d.value.split(",").map((p) => p.trim()).filter((p) => p.length > 0));
    if (!common) common = parts;
    else for (const p of common) if (!parts.has(p)) common.delete(p);
    if (common.size === 0) return [];
  }
  return [...(common ?? [])].slice(0, 3);
}

interface Rendered {
  /** All distinct values with counts. */
  readonly full: string;
  /** Exact count, range and shared elements, no values. */
  readonly short: string;
  /** Values in order, for the summarized form. */
  readonly items: readonly string[];
  readonly listable: boolean;
}

function render(field: FieldValues, token: boolean): Rendered {
  const byValue = new Map<string, Distinct>();
  for (const v of field.values) {
    const d = byValue.get(v);
    if (d) d.count++;
    else byValue.set(v, { value: v, count: 1 });
  }
  const distinct = [...byValue.values()];
  const items = distinct.map((d) => (d.count > 1 ? `${display(d.value, token)} x${d.count}` : display(d.value, token)));
  const name = field.label ? `${field.label} ` : "";
  const full = `${name}${items.join(", ")}`;
  const range = distinct.length > 2 ? rangeOf(distinct) : undefined;
  const common = commonElements(distinct);
  let short = `${name}${distinct.length} distinct`;
  if (range) short += ` ${display(range.min, token)}${RANGE_JOIN}${display(range.max, token)}`;
  if (common.length > 0) short += `, each has ${common.map((c) => display(c, token)).join(", ")}`;
  // A clock-time range says enough; listing single times is not worth the space.
  if (range?.clock) return { full: short, short, items, listable: false };
  return { full, short, items, listable: true };
}

/**
 * The detail of a fold marker: for each field that is not the same on every line of the event,
 * all its distinct values (with "xN" counts) when they fit, else the exact number of distinct
 * values, their range and as many values as fit, then "…". At most `maxChars` characters.
 * @example foldDetail([{ label: "cartId", values: ["c1", "c1", "c2"] }], false, 400) // "cartId c1 x2, c2"
 */
export function foldDetail(fields: readonly FieldValues[], token: boolean, maxChars: number): string | undefined {
  const rendered = fields.map((f) => render(f, token));
  const SEP = "; ";
  const chosen = rendered.map((r) => (r.full.length <= r.short.length ? r.full : r.short));
  let used = chosen.reduce((sum, s) => sum + s.length, 0) + SEP.length * Math.max(0, chosen.length - 1);
  // Too many varying fields for even the counts: name as many as fit, then say how many more vary.
  if (used > maxChars) {
    const parts: string[] = [];
    let size = 0;
    for (let k = 0; k < chosen.length; k++) {
      const s = chosen[k] ?? "";
      const tail = ` and ${chosen.length - k} more fields vary`;
      if (size + s.length + SEP.length + tail.length > maxChars) {
        if (parts.length === 0) return undefined;
        return `${parts.join(SEP)}${tail}`;
      }
      parts.push(s);
      size += s.length + SEP.length;
    }
    return parts.join(SEP);
  }
  // Full lists, shortest first, while they fit.
  const order = rendered.map((_, k) => k).sort((a, b) => (rendered[a]?.full.length ?? 0) - (rendered[b]?.full.length ?? 0));
  for (const k of order) {
    const r = rendered[k];
    if (!r || chosen[k] === r.full) continue;
    const extra = r.full.length - (chosen[k] ?? "").length;
    if (used + extra <= maxChars) {
      chosen[k] = r.full;
      used += extra;
    }
  }
  // Then the first values of each summarized field, sharing what is left.
  const open = rendered.map((r, k) => (chosen[k] !== r.full && r.listable ? k : -1)).filter((k) => k >= 0);
  let left = maxChars - used;
  for (let o = 0; o < open.length; o++) {
    const k = open[o] ?? 0;
    const r = rendered[k];
    if (!r) continue;
    const share = Math.floor(left / (open.length - o));
    let add = "";
    for (const item of r.items) {
      const piece = `${add.length === 0 ? ": " : ", "}${item}`;
      if (add.length + piece.length + 3 > share) break;
      add += piece;
    }
    if (add.length === 0) continue;
    add += `, ${MORE}`;
    chosen[k] = `${chosen[k] ?? ""}${add}`;
    left -= add.length;
  }
  return chosen.join(SEP);
}
