// Which rows of a JSON table must survive lossy selection: failures and errors, anomalies (rare
// categorical values, numeric outliers), plus the facts used to describe dropped rows in markers.
import type { JsonObject } from "./json-table.js";

const ERROR_KEY = /error|exception|fail|fatal|panic|traceback/i;
const STATUS_CODE_KEY = /^(status|statuscode|status_code|httpstatus|http_status|code|response_code|responsecode)$/i;
const EXIT_CODE_KEY = /^(exitcode|exit_code|returncode|return_code)$/i;
const LEVEL_KEY = /^(level|severity|status|state|result|conclusion|outcome|loglevel|log_level|lvl)$/i;
const ERROR_VALUES = new Set([
  "error", "err", "errored", "fatal", "failed", "failure", "fail", "failing", "critical", "crit",
  "panic", "alert", "emerg", "emergency", "broken", "timed_out", "timedout", "timeout",
]);
const STACK_HINT = /Exception|Traceback \(most recent|panic:|\n\s+at /;

function isNonEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === "") return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.keys(value).length > 0;
  return true;
}

// An object describes an error or failure (checked on the row and one level of nested objects).
function objectIsError(object: JsonObject, nested: boolean): boolean {
  for (const key in object) {
    const value = object[key];
    if (ERROR_KEY.test(key) && isNonEmpty(value) && !/^(num|count|total)/i.test(key)) return true;
    if (typeof value === "number") {
      if (STATUS_CODE_KEY.test(key) && value >= 400 && value < 600) return true;
      if (EXIT_CODE_KEY.test(key) && value !== 0) return true;
    } else if (typeof value === "string") {
      if (LEVEL_KEY.test(key) && ERROR_VALUES.has(value.trim().toLowerCase())) return true;
      if (value.length > 8 && STACK_HINT.test(value)) return true;
    } else if (nested && value !== null && typeof value === "object" && !Array.isArray(value)) {
      if (objectIsError(value as JsonObject, false)) return true;
    }
  }
  return false;
}

export function errorRows(rows: readonly JsonObject[]): boolean[] {
  return rows.map((row) => objectIsError(row, true));
}

const MIN_ROWS_FOR_ANOMALIES = 10;

/** Rows holding a rare value of a categorical column or an outlier of a numeric column. */
export function anomalyRows(rows: readonly JsonObject[], columns: readonly string[]): boolean[] {
  const flags = new Array<boolean>(rows.length).fill(false);
  const n = rows.length;
  if (n < MIN_ROWS_FOR_ANOMALIES) return flags;
  const cap = Math.max(1, Math.floor(n * 0.1));
  for (const column of columns) {
    for (const flagged of [categoricalOutliers(rows, column), numericOutliers(rows, column)]) {
      if (!flagged || flagged.length === 0 || flagged.length > cap) continue;
      for (const i of flagged) flags[i] = true;
    }
  }
  return flags;
}

function scalarKey(value: unknown): string | undefined {
  if (typeof value === "string") return value.length <= 64 ? `s${value}` : undefined;
  if (typeof value === "boolean" || value === null) return `b${String(value)}`;
  return undefined; // numbers are judged by numericOutliers
}

// Rare values of a low-cardinality column with a dominant value; undefined when not categorical.
function categoricalOutliers(rows: readonly JsonObject[], column: string): number[] | undefined {
  const counts = new Map<string, number>();
  const keys: (string | undefined)[] = [];
  for (const row of rows) {
    const key = scalarKey(row[column]);
    keys.push(key);
    if (key !== undefined) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const n = rows.length;
  if (counts.size < 2 || counts.size > Math.max(3, n / 5)) return undefined;
  let top = 0;
  for (const count of counts.values()) top = Math.max(top, count);
  if (top < n / 2) return [];
  const rare = Math.max(1, Math.floor(n * 0.05));
  const flagged: number[] = [];
  keys.forEach((key, i) => {
    if (key !== undefined && (counts.get(key) ?? 0) <= rare) flagged.push(i);
  });
  return flagged;
}

// Values far from the median (robust z-score on the median absolute deviation).
function numericOutliers(rows: readonly JsonObject[], column: string): number[] | undefined {
  const values: number[] = [];
  for (const row of rows) {
    const value = row[column];
    if (typeof value === "number" && Number.isFinite(value)) values.push(value);
  }
  if (values.length < rows.length * 0.8 || values.length < MIN_ROWS_FOR_ANOMALIES) return undefined;
  const median = medianOf(values);
  const mad = medianOf(values.map((v) => Math.abs(v - median)));
  if (mad === 0) return undefined;
  const flagged: number[] = [];
  rows.forEach((row, i) => {
    const value = row[column];
    if (typeof value === "number" && Math.abs(value - median) / mad > 8) flagged.push(i);
  });
  return flagged;
}

function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Low-cardinality string/boolean columns, the ones worth summarizing in a marker. */
export function summaryColumns(rows: readonly JsonObject[], columns: readonly string[]): string[] {
  const picked: string[] = [];
  for (const column of columns) {
    const distinct = new Set<string>();
    let scalars = 0;
    for (const row of rows) {
      const value = row[column];
      if (typeof value === "string" && value.length <= 32) distinct.add(value);
      else if (typeof value === "boolean") distinct.add(String(value));
      else continue;
      scalars++;
      if (distinct.size > 8) break;
    }
    if (scalars >= rows.length * 0.8 && distinct.size >= 1 && distinct.size <= 8 && distinct.size < rows.length) picked.push(column);
    if (picked.length === 2) break;
  }
  return picked;
}

/** "state: 40 open, 2 closed" for the rows of one gap; sorted by count, then value. */
export function describeRows(rows: readonly JsonObject[], columns: readonly string[]): string {
  const parts: string[] = [];
  for (const column of columns) {
    const counts = new Map<string, number>();
    for (const row of rows) {
      const value = row[column];
      if (typeof value === "string" || typeof value === "boolean") counts.set(String(value), (counts.get(String(value)) ?? 0) + 1);
    }
    const top = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).slice(0, 3);
    if (top.length === 0) continue;
    parts.push(`${clean(column)}: ${top.map(([value, count]) => `${count} ${clean(value)}`).join(", ")}`);
  }
  return parts.join("; ");
}

// Marker details must stay on one line and never contain brackets.
export function clean(text: string): string {
  const flat = text.replace(/[[\]\n\r·]+/g, " ").trim();
  return flat.length > 32 ? `${flat.slice(0, 31)}…` : flat;
}
