// Logs and build/test output: keep every distinct error, warning, failure, stack trace and summary
// line verbatim (with context), the head and the tail; fold repeated and near-identical lines; mark
// the rest.
//
// Repeated errors and warnings. Every DISTINCT error or warning stays verbatim and no fact is hidden:
// occurrences of the same event (a structured record, or a line with a clock time / instance id,
// whose text is the same once ids, numbers, timestamps, hex and uuids are masked, with the same
// severity and the same stack) are folded when there are at least three. The first and the last stay
// verbatim; every one in between is counted in ONE marker written right after the first (after its
// stack lines), e.g.
//   [40 similar error records omitted: time 40 distinct 2026-01-02T10:00:01.120Z–2026-01-02T10:00:09.870Z;
//    requestId 40 distinct r-0012–r-0977: r-0012, r-0031, …; cartId c7 x22, c9 x18; items 12 distinct,
//    each has A-1: A-1,B-2 x5, … · headroom_retrieve hash=…]
// The detail names each field whose value is not the same on every occurrence (JSON keys by path; for
// other lines each varying space-separated token, labelled by its key= or the "word:" before it)
// with all its distinct values and "xN" counts when they fit, else the exact number of distinct
// values, their range (ids, numbers, times; a clock-time range is never itemized) and as many values
// as fit, then "…". The count of omitted lines is exact; the detail is at most 400 characters and at
// most half of what the marker replaces (else the occurrences stay verbatim). An occurrence that
// matches the query, or is a duration outlier, stays verbatim when few occurrences are like it. Stack
// traces identical to one shown are dropped with their own marker, as before. Errors that occur once
// or twice stay verbatim. (log-events.ts plans the folds, log-fields.ts reads and summarizes values.)
// Error lines with no clock time or id (npm ls, tsc, pytest FAILED lines) fold by template instead:
// the same words, differing only in value-like slots, and the marker lists every omitted line's
// values losslessly (log-templates.ts); a line the query names or a counting summary never folds.
import { estimateTokens } from "../pipeline/budget.js";
import {
  emitRuns,
  foldNearIdentical,
  foldRepeatsText,
  hasInstanceId,
  keepHeadTail,
  keptSize,
  lineSignature,
  stripAnsi,
  toRuns,
} from "./fold.js";
import { planEventFolds, type EventCandidate, type EventFold } from "./log-events.js";
import { templateOf } from "./log-templates.js";
import { durationOutliers, isJsonLine, parseRecord, skipString, SEVERITY_ERROR, SEVERITY_NONE, SEVERITY_NOTICE, SEVERITY_WARNING, type LogRecord } from "./log-records.js";
import type { CompressContext, CompressResult, Compressor, Query } from "./types.js";

export const LINE_ERROR = 1;
export const LINE_WARNING = 2;
export const LINE_STACK = 4;
export const LINE_SUMMARY = 8;
export const LINE_QUERY = 16;
/** A client error (HTTP 4xx) in a structured record: the first of each shape is kept, repeats fold. */
export const LINE_NOTICE = 32;
/** A duration outlier (e.g. rt=1.000 where the median is 0.002): kept. */
export const LINE_ANOMALY = 64;
const IMPORTANT = LINE_ERROR | LINE_WARNING | LINE_STACK | LINE_SUMMARY | LINE_QUERY | LINE_ANOMALY;
// A query word or entity on more than this share of the lines does not single anything out.
const SELECTIVE_SHARE = 0.05;
const SELECTIVE_MIN = 3;

const CONTEXT_BEFORE = 2;
const CONTEXT_AFTER = 2;
const BLOCK_LIMIT = 40;
const MIN_HEAD = 3;
const MIN_TAIL = 5;

const ERROR_RE =
  /\b(?:errors?|err!|fatal|panic(?:ked)?|exception|fail(?:ed|ure|ures|s|ing)?|traceback|critical|crit|alert|emerg|abort(?:ed)?|segmentation fault|core dumped|unhandled|uncaught|refused|denied|timed? ?out|cannot|could not|unable to|not found|undefined reference|undeclared)\b|[✗✘×]/i;
const ERROR_NAME_RE = /\b[A-Z]\w*(?:Error|Exception)\b|\bE\d{3,5}\b|\bERR_[A-Z_]+|^E {2,}|^> {2,}/;
const WARN_RE = /\bwarn(?:ing|ings)?\b|\bdeprecat(?:ed|ion)\b/i;
const STACK_RE =
  /^\s+at\s|^\s*File "[^"]*", line \d|^Traceback \(most recent call last\)|^\s*--> \S|^\s*::: \S|^\s*\d+: +0x[0-9a-f]+|^goroutine \d+ \[|^\s+\S+\.go:\d+|^\s*❯ \S+:\d+/;
const SUMMARY_RE =
  /\b\d+ (?:passed|failed|skipped|passing|failing|pending|todo|tests?|suites?|errors?|warnings?|problems?)\b|^\s*(?:Tests?|Test Files|Test Suites|Snapshots|Ran \d+)\b|\bexit(?:ed)?(?: with)? (?:code|status)\b|^\[exit \d+\]|^(?:OK|FAILED|PASSED|SUCCESS|BUILD \w+)\b|test result:|^={3,}|^_{3,} .* _{3,}$|⎯{3,}|npm ERR!|^npm (?:error|warn)\b|\berror TS\d+|\berror\[E\d+\]|make(?:\[\d+\])?: \*\*\*|Finished .* target|Process finished|^\s*(?:Done|Completed|Finished) in\b/i;

/** Bit flags (LINE_*) for one line; ANSI codes are ignored. Structured records are read by their fields. */
export function classifyLine(line: string, query?: Query): number {
  const s = stripAnsi(line);
  return classifyParsed(s, parseRecord(s), query);
}

/**
 * Only the LINE_ERROR / LINE_WARNING (and LINE_NOTICE) bits of classifyLine, for callers that need no
 * more (the text and diff rankers): skips the stack, summary and query tests.
 */
export function severityOfLine(line: string): number {
  const s = stripAnsi(line);
  return severityFlags(s, parseRecord(s));
}

// Flags from a record's own fields (level, status, error fields) when it has them, else from its words.
function severityFlags(s: string, record: LogRecord | undefined): number {
  if (record && record.severity !== SEVERITY_NONE) {
    if (record.severity === SEVERITY_ERROR) return LINE_ERROR;
    if (record.severity === SEVERITY_WARNING) return LINE_WARNING;
    return record.severity === SEVERITY_NOTICE ? LINE_NOTICE : 0;
  }
  let flags = 0;
  if (ERROR_RE.test(s) || ERROR_NAME_RE.test(s)) flags |= LINE_ERROR;
  if (WARN_RE.test(s)) flags |= LINE_WARNING;
  return flags;
}

function classifyParsed(s: string, record: LogRecord | undefined, query: Query | undefined): number {
  let flags = severityFlags(s, record);
  if (!record || record.severity === SEVERITY_NONE) {
    if (STACK_RE.test(s)) flags |= LINE_STACK;
    if (SUMMARY_RE.test(s)) flags |= LINE_SUMMARY;
  }
  if (query && matchesQuery(s, query)) flags |= LINE_QUERY;
  return flags;
}

/**
 * Which runs match the query, ignoring the words and entities that match too many lines (a word on
 * every record says nothing about which ones matter). Each line is lower-cased once.
 */
export function queryMatches(lines: readonly string[], starts: ArrayLike<number>, query: Query): Uint8Array {
  const n = starts.length;
  const out = new Uint8Array(n);
  const terms = query.terms;
  const entities = query.entities.filter((e) => e.length >= 3);
  if (terms.length === 0 && entities.length === 0) return out;
  const limit = Math.max(SELECTIVE_MIN, Math.floor(n * SELECTIVE_SHARE));
  const hits: number[][] = [...terms, ...entities].map(() => []);
  for (let i = 0; i < n; i++) {
    const line = lines[starts[i] ?? 0] ?? "";
    if (terms.length > 0) {
      const lower = line.toLowerCase();
      for (let t = 0; t < terms.length; t++) {
        const list = hits[t] as number[];
        if (list.length <= limit && lower.includes(terms[t] as string)) list.push(i);
      }
    }
    for (let e = 0; e < entities.length; e++) {
      const list = hits[terms.length + e] as number[];
      if (list.length <= limit && line.includes(entities[e] as string)) list.push(i);
    }
  }
  for (const list of hits) if (list.length <= limit) for (const i of list) out[i] = 1;
  return out;
}

/** True when the line mentions an exact query entity or a query term (case-insensitive). */
export function matchesQuery(line: string, query: Query): boolean {
  for (const entity of query.entities) if (entity.length >= 3 && line.includes(entity)) return true;
  if (query.terms.length === 0) return false;
  const lower = line.toLowerCase();
  for (const term of query.terms) if (lower.includes(term)) return true;
  return false;
}

// A line that belongs to the diagnostic above it: indented, a gutter/caret/note line, a diff of
// expected/received values, or a blank line followed by one of those.
function isContinuation(line: string): boolean {
  const s = stripAnsi(line);
  if (s.length === 0) return false;
  const c = s.charCodeAt(0);
  if (c === 32 || c === 9) return s.trim().length > 0;
  return /^(?:[|=^~]|note:|help:|[-+] |Expected|Received|E {2})/.test(s);
}

/** Index of the last run of the diagnostic block that starts at run `at` (bounded). */
function blockEnd(lines: readonly string[], starts: readonly number[], at: number): number {
  let end = at;
  for (let k = at + 1; k < starts.length && k - at <= BLOCK_LIMIT; k++) {
    const line = lines[starts[k] ?? 0] ?? "";
    if (isContinuation(line)) {
      end = k;
      continue;
    }
    const next = lines[starts[k + 1] ?? -1];
    if (line.trim() === "" && next !== undefined && isContinuation(next)) continue;
    break;
  }
  return end;
}

function hasTerms(query: Query): boolean {
  return query.terms.length > 0 || query.entities.length > 0;
}

function markRange(keep: Uint8Array, from: number, to: number, skip: Uint8Array): void {
  for (let k = Math.max(0, from); k <= Math.min(keep.length - 1, to); k++) if (!skip[k]) keep[k] = 1;
}

/**
 * Compresses logs and build/test output. Returns null when nothing can be gained.
 * @example compressLog(vitestOutput, context) // keeps FAIL blocks and "Tests  3 failed | 97 passed"
 */
export const compressLog: Compressor = (text: string, context: CompressContext): CompressResult | null => {
  const lossless = foldRepeatsText(text);
  if (context.losslessOnly || (lossless !== null && estimateTokens(lossless) <= context.budget)) {
    return lossless === null ? null : { text: lossless, omissions: [] };
  }
  const lines = text.split("\n");
  const runs = toRuns(lines);
  const n = runs.length;
  const starts = runs.map((r) => r.start);
  const flags = new Uint8Array(n);
  const signatures = new Float64Array(n);
  const matched = hasTerms(context.query) ? queryMatches(lines, starts, context.query) : undefined;
  const records: (LogRecord | undefined)[] = new Array<LogRecord | undefined>(n);
  for (let i = 0; i < n; i++) {
    const line = stripAnsi(lines[starts[i] ?? 0] ?? "");
    const record = parseRecord(line);
    records[i] = record;
    flags[i] = classifyParsed(line, record, undefined) | (matched && matched[i] ? LINE_QUERY : 0);
    // Records of one event share a shape (level, message, keys, status); plain lines their masked text.
    signatures[i] = lineSignature(record && record.severity !== SEVERITY_NONE ? record.shape : line);
  }
  const outliers = durationOutliers(records);
  for (let i = 0; i < n; i++) if (outliers[i]) flags[i] = (flags[i] ?? 0) | LINE_ANOMALY;

  // Stack traces identical (byte for byte) to one already kept are dropped; the marker says so.
  const dupStack = new Uint8Array(n);
  const seenStacks = new Set<string>();
  for (let i = 0; i < n; ) {
    if (!((flags[i] ?? 0) & LINE_STACK)) {
      i++;
      continue;
    }
    let j = i;
    const parts: string[] = [];
    while (j < n && (flags[j] ?? 0) & LINE_STACK) parts.push(lines[starts[j++] ?? 0] ?? "");
    const key = parts.join("\n");
    if (parts.length > 1 && seenStacks.has(key)) for (let k = i; k < j; k++) dupStack[k] = 1;
    seenStacks.add(key);
    i = j;
  }

  // Repeats of one error/warning event between its first and last occurrence: one marker.
  const plan = planEventFolds(lines, runs, eventCandidates(lines, starts, flags, records, signatures));
  const folded = plan.folded;

  const keep = new Uint8Array(n);
  const seenEvents = new Set<number>();
  const seenNotices = new Set<number>();
  for (let i = 0; i < n; i++) {
    const f = flags[i] ?? 0;
    if (folded[i]) continue;
    if (f & LINE_NOTICE && !(f & IMPORTANT)) {
      // A client error (4xx) is shown once per shape; its repeats are counted in the markers.
      const sig = signatures[i] ?? 0;
      if (!seenNotices.has(sig)) keep[i] = 1;
      seenNotices.add(sig);
      continue;
    }
    if (!(f & IMPORTANT) || dupStack[i]) continue;
    keep[i] = 1;
    if (!(f & (LINE_ERROR | LINE_WARNING))) continue;
    // A repeated log record of the same event (same shape, new timestamp/id) gets no fresh context.
    const line = lines[starts[i] ?? 0] ?? "";
    const sig = signatures[i] ?? 0;
    const repeated = seenEvents.has(sig) && hasInstanceId(line);
    seenEvents.add(sig);
    if (repeated) continue;
    const end = f & LINE_ERROR ? blockEnd(lines, starts, i) : i;
    markRange(keep, i - CONTEXT_BEFORE, end + CONTEXT_AFTER, dupStack);
  }

  const must = keptSize(runs, lines, keep);
  // Head and tail spend the rest of the budget on line shapes not shown yet.
  const shown = new Set<number>();
  for (let k = 0; k < n; k++) if (keep[k]) shown.add(signatures[k] ?? 0);
  const novel = (k: number) => {
    const sig = signatures[k] ?? 0;
    if (shown.has(sig)) return false;
    shown.add(sig);
    return true;
  };
  keepHeadTail(runs, lines, keep, context.budget * 4 - must, MIN_HEAD, MIN_TAIL, novel);
  foldNearIdentical(keep, signatures, (k) => ((flags[k] ?? 0) & IMPORTANT) !== 0);
  for (let k = 0; k < n; k++) if (folded[k]) keep[k] = 0;
  // Each fold marker goes after its first occurrence's block (the line and the stack lines shown below it).
  const anchors = new Map<number, EventFold>();
  for (const [first, fold] of plan.after) {
    keep[first] = 1;
    let anchor = first;
    for (let k = first + 1; k < n && (flags[k] ?? 0) & LINE_STACK && !folded[k]; k++) if (keep[k]) anchor = k;
    anchors.set(anchor, fold);
  }

  const result = emitRuns(runs, lines, keep, {
    hash: context.hash,
    unit: "lines",
    detail: (from, to) => gapDetail(from, to, flags, signatures, dupStack, runs, keep, folded),
    skip: folded,
    after: (run) => anchors.get(run),
  });
  if (result.omissions.length === 0 || result.text.length >= text.length) return null;
  return result;
};

// A summary that counts (tests, errors, an exit status) is never a template line, whatever its words.
const COUNT_SUMMARY_RE =
  /\b\d+ (?:passed|failed|skipped|passing|failing|pending|todo|tests?|suites?|errors?|warnings?|problems?)\b|^\s*(?:Tests?|Test Files|Test Suites|Snapshots|Ran \d+)\b|\bexit(?:ed)?(?: with)? (?:code|status)\b|^\[exit \d+\]|test result:/i;

const STACK_FIELD_RE = /"(?:stack|stacktrace|stack_trace|errorstack|traceback)"\s*:\s*"/i;

// Error and warning lines that may fold with other occurrences of their event (see the top).
function eventCandidates(
  lines: readonly string[],
  starts: readonly number[],
  flags: Uint8Array,
  records: readonly (LogRecord | undefined)[],
  signatures: Float64Array,
): EventCandidate[] {
  const out: EventCandidate[] = [];
  const n = starts.length;
  for (let i = 0; i < n; i++) {
    const f = flags[i] ?? 0;
    if (!(f & (LINE_ERROR | LINE_WARNING)) || f & LINE_STACK) continue;
    const line = lines[starts[i] ?? 0] ?? "";
    const record = records[i];
    const structured = record !== undefined && record.severity !== SEVERITY_NONE;
    // A line without a clock time or an id folds only with lines of its template (log-templates.ts);
    // one the query names, or a counting summary, stays verbatim.
    let template: ReturnType<typeof templateOf>;
    if (!structured && !hasInstanceId(line)) {
      const plain = stripAnsi(line);
      if (f & LINE_QUERY || COUNT_SUMMARY_RE.test(plain)) continue;
      template = templateOf(plain);
      if (!template) continue;
    }
    const json = structured && isJsonLine(line);
    // The same event has the same stack: a JSON record's stack field, or the stack lines below it.
    let stack = "";
    if (json) {
      const m = STACK_FIELD_RE.exec(line);
      if (m) stack = line.slice(m.index, skipString(line, m.index + m[0].length - 1));
    } else {
      for (let k = i + 1; k < n && (flags[k] ?? 0) & LINE_STACK; k++) stack += `${lines[starts[k] ?? 0] ?? ""}\n`;
    }
    const error = (f & LINE_ERROR) !== 0;
    out.push({
      run: i,
      key: template ? `t${error ? "e" : "w"}\u0001${template.key}\u0001${stack}` : `${error ? "e" : "w"}${signatures[i] ?? 0}\u0001${stack}`,
      ...(template ? { slots: template.slots } : {}),
      json,
      record: structured,
      error,
      exempt: (f & LINE_QUERY) !== 0,
      anomaly: (f & LINE_ANOMALY) !== 0,
    });
  }
  return out;
}

// "3 distinct, 0 errors" (plus repeated stack lines), or "like the line above" for a near-identical fold.
function gapDetail(
  from: number,
  to: number,
  flags: Uint8Array,
  signatures: Float64Array,
  dupStack: Uint8Array,
  runs: readonly { count: number }[],
  keep: Uint8Array,
  folded: Uint8Array,
): string {
  const distinct = new Set<number>();
  let errors = 0;
  let stackLines = 0;
  let notices = 0;
  for (let k = from; k < to; k++) {
    if (folded[k]) continue;
    distinct.add(signatures[k] ?? 0);
    const count = runs[k]?.count ?? 0;
    if (dupStack[k]) stackLines += count;
    else if ((flags[k] ?? 0) & LINE_ERROR) errors += count;
    else if ((flags[k] ?? 0) & LINE_NOTICE) notices += count;
  }
  const above = from > 0 && keep[from - 1] ? signatures[from - 1] : undefined;
  const stack = stackLines > 0 ? `, ${stackLines} in stack traces identical to one shown` : "";
  const notice = notices > 0 ? `, ${notices} 4xx of shapes shown` : "";
  if (distinct.size === 1 && above !== undefined && distinct.has(above)) return `like the line above, ${errors} errors${notice}${stack}`;
  return `${distinct.size} distinct, ${errors} errors${notice}${stack}`;
}

