// Structured log records: JSON lines (pino, bunyan, winston, zap, logrus and the like) and web
// server access logs (combined/common format). One cheap linear scan per line, no JSON.parse and no
// backtracking regex, so the log compressor keeps its throughput on huge inputs.

/** Severity read from a record's own fields (level, status), not guessed from its words. */
export const SEVERITY_NONE = 0; // not a structured record: classify by its text
export const SEVERITY_INFO = 1; // a record that says it is fine (info/debug/trace, 1xx-3xx)
export const SEVERITY_NOTICE = 2; // client error (4xx): kept once per shape, repeats fold
export const SEVERITY_WARNING = 3;
export const SEVERITY_ERROR = 4;

export interface LogRecord {
  readonly severity: number;
  /** Text whose masked signature groups records of the same event (see lineSignature). */
  readonly shape: string;
  /** Numeric duration-like fields (name, value) for anomaly detection. */
  readonly durations: readonly (readonly [string, number])[];
}

const LEVEL_KEYS = new Set(["level", "lvl", "severity", "levelname", "loglevel", "log.level", "severity_text", "levelstr"]);
const MESSAGE_KEYS = new Set(["msg", "message", "event", "log"]);
const ERROR_KEYS = new Set(["err", "error", "exception", "stack", "stacktrace", "stack_trace", "exc_info", "errorstack", "error.stack"]);
const STATUS_KEYS = new Set(["status", "statuscode", "status_code", "http.status_code", "res.statuscode"]);
const DURATION_KEY_RE = /(?:^|[_.-])(?:rt|urt|duration|durationms|duration_ms|elapsed|elapsedms|latency|latencyms|took|responsetime|response_time|request_time|upstream_response_time|ms|time_ms)$/;

const ERROR_LEVELS = new Set(["error", "err", "fatal", "critical", "crit", "alert", "emerg", "emergency", "panic", "severe"]);
const WARN_LEVELS = new Set(["warn", "warning"]);

function severityOfLevel(level: string): number {
  const l = level.toLowerCase();
  if (ERROR_LEVELS.has(l)) return SEVERITY_ERROR;
  if (WARN_LEVELS.has(l)) return SEVERITY_WARNING;
  // pino/bunyan numeric levels: 50 error, 60 fatal, 40 warn.
  if (/^\d+$/.test(l)) {
    const n = Number(l);
    if (n >= 50 && n <= 60) return SEVERITY_ERROR;
    if (n === 40) return SEVERITY_WARNING;
  }
  return SEVERITY_INFO;
}

function severityOfStatus(status: number): number {
  if (status >= 500 && status <= 599) return SEVERITY_ERROR;
  if (status >= 400 && status <= 499) return SEVERITY_NOTICE;
  return SEVERITY_INFO;
}

// Status digits as letters (g..p) so signatures, which mask digits, still tell a 500 from a 200.
function statusTag(status: number): string {
  let out = "";
  for (const d of String(status)) out += String.fromCharCode(103 + d.charCodeAt(0) - 48);
  return out;
}

/** True when the line is shaped like one JSON object on one line (cheap: first and last non-space). */
export function isJsonLine(line: string): boolean {
  let a = 0;
  let b = line.length - 1;
  while (a <= b && (line.charCodeAt(a) === 32 || line.charCodeAt(a) === 9)) a++;
  while (b >= a && (line.charCodeAt(b) === 32 || line.charCodeAt(b) === 9 || line.charCodeAt(b) === 13)) b--;
  return b > a && line.charCodeAt(a) === 123 && line.charCodeAt(b) === 125;
}

/** Index just after the JSON string that starts at the opening quote `at` (escapes skipped). */
export function skipString(line: string, at: number): number {
  let i = at + 1;
  while (i < line.length) {
    const q = line.indexOf('"', i);
    if (q < 0) return line.length + 1;
    let backslashes = 0;
    for (let b = q - 1; b > at && line.charCodeAt(b) === 92; b--) backslashes++;
    if (backslashes % 2 === 0) return q + 1;
    i = q + 1;
  }
  return line.length + 1;
}

/**
 * Reads one JSON-lines record: keys (all depths, in order), level, message, status, error fields and
 * durations. Returns undefined when the line is not a JSON object with at least one key.
 */
export function parseJsonRecord(line: string): LogRecord | undefined {
  if (!isJsonLine(line)) return undefined;
  const keys: string[] = [];
  let level: string | undefined;
  let message = "";
  let status = 0;
  let errorText = "";
  let hasError = false;
  const durations: [string, number][] = [];
  let depth = 0;
  const path: string[] = [];
  let pendingKey: string | undefined;
  let i = line.indexOf("{");
  const n = line.length;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c === 34) {
      const next = skipString(line, i);
      if (pendingKey === undefined) {
        let k = next;
        while (k < n && (line.charCodeAt(k) === 32 || line.charCodeAt(k) === 9)) k++;
        if (line.charCodeAt(k) === 58) {
          // A key.
          pendingKey = line.slice(i + 1, next - 1);
          keys.push(pendingKey);
          i = k + 1;
          continue;
        }
      }
      // A string value: read only when its key is one we look at.
      const key = pendingKey === undefined ? "" : pendingKey.toLowerCase();
      const inError = depth > 1 && path.some((p) => ERROR_KEYS.has(p));
      const wanted = inError || LEVEL_KEYS.has(key) || MESSAGE_KEYS.has(key) || ERROR_KEYS.has(key) || STATUS_KEYS.has(key) || depth > 1;
      if (pendingKey !== undefined && wanted) {
        const s = line.slice(i + 1, next - 1);
        const full = path.length > 0 ? `${path[path.length - 1]}.${key}` : key;
        if (level === undefined && (LEVEL_KEYS.has(key) || LEVEL_KEYS.has(full))) level = s;
        else if (depth === 1 && MESSAGE_KEYS.has(key) && message === "") message = s;
        if (ERROR_KEYS.has(key) || ERROR_KEYS.has(full) || inError) {
          if (s.length > 0) hasError = true;
          if (key !== "stack" && errorText.length < 400) errorText += `${key}=${s};`;
        }
        if (STATUS_KEYS.has(key) || STATUS_KEYS.has(full)) {
          const v = Number(s);
          if (Number.isInteger(v)) status = v;
        }
      }
      pendingKey = undefined;
      i = next;
      continue;
    }
    if (c === 123 || c === 91) {
      depth++;
      path.push((pendingKey ?? "").toLowerCase());
      if (pendingKey !== undefined && ERROR_KEYS.has(pendingKey.toLowerCase()) && c === 123) hasError = true;
      pendingKey = undefined;
      i++;
      continue;
    }
    if (c === 125 || c === 93) {
      depth--;
      path.pop();
      pendingKey = undefined;
      i++;
      continue;
    }
    if (c === 44 || c === 32 || c === 9 || c === 58 || c === 13) {
      i++;
      continue;
    }
    const k = bareValueEnd(line, i);
    if (pendingKey !== undefined) {
      const raw = line.slice(i, k);
      const key = pendingKey.toLowerCase();
      const full = path.length > 0 ? `${path[path.length - 1]}.${key}` : key;
      if (level === undefined && (LEVEL_KEYS.has(key) || LEVEL_KEYS.has(full))) level = raw;
      else if (STATUS_KEYS.has(key) || STATUS_KEYS.has(full)) status = Number(raw) || 0;
      else if (ERROR_KEYS.has(key) && raw !== "null" && raw !== "false") hasError = true;
      else if (DURATION_KEY_RE.test(key)) {
        const v = Number(raw);
        if (Number.isFinite(v)) durations.push([key, v]);
      }
    }
    pendingKey = undefined;
    i = k;
  }
  if (keys.length === 0) return undefined;
  let severity = level === undefined ? SEVERITY_NONE : severityOfLevel(level);
  if (status > 0) severity = Math.max(severity, severityOfStatus(status));
  if (hasError) severity = Math.max(severity, SEVERITY_ERROR);
  if (severity === SEVERITY_NONE && (message !== "" || keys.length >= 2)) severity = SEVERITY_INFO;
  const statusClass = status > 0 ? statusTag(status) : "";
  const shape = `${level ?? ""}\u0001${message}\u0001${statusClass}\u0001${keys.join(",")}\u0001${errorText}`;
  return { severity, shape, durations };
}

// remote - user [time] "request" status bytes ...
const ACCESS_RE = /^\S+ \S+ \S+ \[[^\]\n]{10,40}\] "([^"\n]*)" (\d{3}) (?:\d+|-)/;
const isKeyChar = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
const isNumberChar = (c: number) => (c >= 48 && c <= 57) || c === 46;

/** Reads a combined/common-format access log line; undefined for anything else. */
export function parseAccessLine(line: string): LogRecord | undefined {
  if (line.length < 20 || line.charCodeAt(line.length - 1) === 125) return undefined;
  const m = ACCESS_RE.exec(line);
  if (!m) return undefined;
  const status = Number(m[2]);
  const durations: [string, number][] = [];
  // key=number pairs after the fixed fields (rt=0.002 urt=0.002, request_time=...).
  for (let eq = line.indexOf("=", m[0].length); eq > 0; eq = line.indexOf("=", eq + 1)) {
    let a = eq;
    while (a > 0 && isKeyChar(line.charCodeAt(a - 1))) a--;
    let b = eq + 1;
    while (b < line.length && isNumberChar(line.charCodeAt(b))) b++;
    if (a === eq || b === eq + 1 || eq - a > 32) continue;
    const key = line.slice(a, eq).toLowerCase();
    const value = Number(line.slice(eq + 1, b));
    if (Number.isFinite(value) && DURATION_KEY_RE.test(key)) durations.push([key, value]);
  }
  // The request line is the event; the status is part of its shape (a 500 never folds into a 200).
  const request = (m[1] ?? "").replace(/\?.*$/, "");
  return { severity: severityOfStatus(status), shape: `${statusTag(status)}\u0001${request}\u0001${line.slice(m[0].length)}`, durations };
}

/** A structured record for the line (JSON lines or access log), or undefined. */
export function parseRecord(line: string): LogRecord | undefined {
  const first = line.charCodeAt(0);
  if (first === 123 || first === 32 || first === 9) return parseJsonRecord(line);
  return parseAccessLine(line);
}

/**
 * Marks duration outliers: values at least OUTLIER_FACTOR times the median of the same field and at
 * least that field's 99th percentile. `records[i]` may be undefined (not structured).
 */
export function durationOutliers(records: readonly (LogRecord | undefined)[]): Uint8Array {
  const out = new Uint8Array(records.length);
  const byKey = new Map<string, number[]>();
  for (const r of records) {
    if (!r) continue;
    for (const [k, v] of r.durations) {
      let list = byKey.get(k);
      if (!list) byKey.set(k, (list = []));
      list.push(v);
    }
  }
  const thresholds = new Map<string, number>();
  for (const [k, values] of byKey) {
    if (values.length < 20) continue;
    const sorted = Float64Array.from(values).sort();
    const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
    const p99 = sorted[Math.floor(sorted.length * 0.99)] ?? 0;
    const floor = median > 0 ? median * OUTLIER_FACTOR : Math.max(p99, Number.MIN_VALUE);
    thresholds.set(k, Math.max(floor, p99, Number.MIN_VALUE));
  }
  if (thresholds.size === 0) return out;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    if (!r) continue;
    for (const [k, v] of r.durations) {
      const t = thresholds.get(k);
      if (t !== undefined && v >= t && v > 0) out[i] = 1;
    }
  }
  return out;
}

const OUTLIER_FACTOR = 10;

/** Index just after a bare JSON value (number, true, false, null) that starts at `at`. */
export function bareValueEnd(line: string, at: number): number {
  let k = at;
  while (k < line.length) {
    const d = line.charCodeAt(k);
    if (d === 44 || d === 125 || d === 93 || d === 32) break;
    k++;
  }
  return k;
}
