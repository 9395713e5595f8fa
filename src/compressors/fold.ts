// Shared line helpers for the line-oriented compressors (log, diff, text): lossless folding of
// identical runs, masking for near-identical lines, head/tail selection and marker emission.
import { formatMarker, formatRepeat } from "../ccr/marker.js";
import type { Omission } from "./types.js";

/** A run of consecutive identical lines: `lines[start]` repeated `count` times. */
export interface LineRun {
  readonly start: number;
  readonly count: number;
}

/** Groups consecutive identical lines into runs (linear, no copies of the lines). */
export function toRuns(lines: readonly string[]): LineRun[] {
  const runs: LineRun[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    let j = i + 1;
    while (j < lines.length && lines[j] === line) j++;
    if (foldPays((line ?? "").length, j - i)) {
      runs.push({ start: i, count: j - i });
    } else {
      for (let k = i; k < j; k++) runs.push({ start: k, count: 1 });
    }
    i = j;
  }
  return runs;
}

// A repeat note only pays when the copies it replaces are longer than the note itself.
function foldPays(lineLength: number, count: number): boolean {
  return count > 1 && (count - 1) * (lineLength + 1) > formatRepeat(count - 1).length + 1;
}

/**
 * Lossless fold: each run of identical lines becomes the line once plus formatRepeat(n).
 * @example foldRepeats(["a", "a", "a", "b"]) // ["a", "[previous line repeated 2 more times]", "b"]
 */
export function foldRepeats(lines: readonly string[]): string[] {
  // Short lines repeated only a few times stay as they are (see foldPays).
  const out: string[] = [];
  for (const run of toRuns(lines)) {
    out.push(lines[run.start] ?? "");
    if (run.count > 1) out.push(formatRepeat(run.count - 1));
  }
  return out;
}

/** Lossless fold of a whole text; null when there is nothing to fold. */
export function foldRepeatsText(text: string): string | null {
  const lines = text.split("\n");
  const folded = foldRepeats(lines);
  if (folded.length === lines.length) return null;
  const out = folded.join("\n");
  return out.length < text.length ? out : null;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isHexLetter(c: number): boolean {
  return (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

function isWordChar(c: number): boolean {
  return isDigit(c) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

function isAllHex(token: string): boolean {
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (!isDigit(c) && !isHexLetter(c)) return false;
  }
  return true;
}

const HASH = 35; // "#"
const DASH = 45; // "-"

interface CodeSink {
  push(code: number): void;
}

// Streams the masked form of `line` into `sink`: a word token that is all hex with a digit (ids,
// hashes, uuid parts) becomes "#"; otherwise each digit run becomes "#" ("417ms" -> "#ms").
// A hex-letters-only token right after a masked "#-" is a uuid part and becomes "#" too.
function scanMasked(line: string, sink: CodeSink): void {
  const n = line.length;
  let i = 0;
  let lastTwo = 0; // the previous two emitted codes, packed
  while (i < n) {
    const c = line.charCodeAt(i);
    if (!isWordChar(c)) {
      sink.push(c);
      lastTwo = ((lastTwo & 0xffff) << 16) | c;
      i++;
      continue;
    }
    const from = i;
    let digits = false;
    let allHex = true;
    while (i < n) {
      const d = line.charCodeAt(i);
      if (!isWordChar(d)) break;
      if (isDigit(d)) digits = true;
      else if (!isHexLetter(d)) allHex = false;
      i++;
    }
    const uuidPart = allHex && i - from >= 4 && lastTwo === ((HASH << 16) | DASH);
    if ((digits && allHex) || uuidPart) {
      sink.push(HASH);
      lastTwo = ((lastTwo & 0xffff) << 16) | HASH;
      continue;
    }
    let inDigits = false;
    for (let k = from; k < i; k++) {
      const d = line.charCodeAt(k);
      if (isDigit(d)) {
        if (!inDigits) sink.push(HASH);
        inDigits = true;
      } else {
        sink.push(d);
        inDigits = false;
      }
    }
    const last = inDigits ? HASH : line.charCodeAt(i - 1);
    lastTwo = ((lastTwo & 0xffff) << 16) | last;
  }
}

class StringSink implements CodeSink {
  codes: number[] = [];
  push(code: number): void {
    this.codes.push(code);
  }
}

class HashSink implements CodeSink {
  a = 0x811c9dc5;
  b = 0x01000193;
  push(code: number): void {
    this.a = Math.imul(this.a ^ code, 0x01000193);
    this.b = Math.imul(this.b + code, 0x5bd1e995) ^ (this.b >>> 13);
  }
}

/**
 * The shape of a line with its variable parts masked: numbers, hex ids, timestamps and uuids all
 * become "#", so two log records of the same event compare equal. One linear pass, no regex.
 * @example maskVariable("12:01:02 GET /u/7 200 1.5ms rid=9f3c0a1b") // "#:#:# GET /u/# # #.#ms rid=#"
 */
export function maskVariable(line: string): string {
  const sink = new StringSink();
  scanMasked(line, sink);
  let out = "";
  for (let i = 0; i < sink.codes.length; i += 4096) out += String.fromCharCode(...sink.codes.slice(i, i + 4096));
  return out;
}

/** A 53-bit hash of maskVariable(line) without building the string (equal shapes, equal numbers). */
export function lineSignature(line: string): number {
  const sink = new HashSink();
  scanMasked(line, sink);
  return (sink.a >>> 0) * 0x200000 + ((sink.b >>> 0) & 0x1fffff);
}

/** True when the line carries an instance id or a clock time (a log record of an event, not a diagnostic). */
export function hasInstanceId(line: string): boolean {
  return /\d\d:\d\d:\d\d|[0-9a-f]{8}-[0-9a-f]{4}-|\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{12,}\b/i.test(line);
}

/** Strips ANSI colour/control sequences so classification sees plain text (output keeps the original). */
export function stripAnsi(line: string): string {
  return line.indexOf("\u001b") < 0 ? line : line.replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, "");
}

/** Indices [0, head) and [n - tail, n) clamped so they never overlap. */
export function headTailRange(n: number, head: number, tail: number): { headEnd: number; tailStart: number } {
  const headEnd = Math.min(n, Math.max(0, head));
  const tailStart = Math.max(headEnd, n - Math.max(0, tail));
  return { headEnd, tailStart };
}

/**
 * Marks head and tail runs as kept: always the first `minHead` and last `minTail` runs, then more
 * from both ends while `chars` lasts (head gets `headShare` of it). Runs for which `accept` returns
 * false (e.g. a line shape already shown) are passed over without spending budget.
 */
export function keepHeadTail(
  runs: readonly LineRun[],
  lines: readonly string[],
  keep: Uint8Array,
  chars: number,
  minHead: number,
  minTail: number,
  accept: (run: number) => boolean = () => true,
  headShare = 0.4,
): void {
  const n = runs.length;
  const sizeOf = (k: number) => (lines[runs[k]?.start ?? 0] ?? "").length + 1;
  const { headEnd, tailStart } = headTailRange(n, minHead, minTail);
  let budget = Math.max(0, chars);
  for (let k = 0; k < headEnd; k++) if (!keep[k]) (keep[k] = 1), (budget -= sizeOf(k)), accept(k);
  for (let k = tailStart; k < n; k++) if (!keep[k]) (keep[k] = 1), (budget -= sizeOf(k)), accept(k);
  let headBudget = Math.max(0, budget) * headShare;
  let h = headEnd;
  for (; h < tailStart && headBudget > 0; h++) {
    if (keep[h] || !accept(h)) continue;
    const size = sizeOf(h);
    if (size > headBudget) break;
    headBudget -= size;
    keep[h] = 1;
  }
  let tailBudget = Math.max(0, budget) * (1 - headShare) + headBudget;
  for (let t = tailStart - 1; t >= h && tailBudget > 0; t--) {
    if (keep[t] || !accept(t)) continue;
    const size = sizeOf(t);
    if (size > tailBudget) break;
    tailBudget -= size;
    keep[t] = 1;
  }
}

/**
 * Near-identical fold inside kept spans: in a sequence of >= minRun adjacent kept runs with the same
 * signature (and not protected), keeps the first and un-keeps the rest (lossy: the emitter marks them).
 */
export function foldNearIdentical(
  keep: Uint8Array,
  signatures: ArrayLike<number>,
  isProtected: (run: number) => boolean,
  minRun = 3,
): void {
  const n = keep.length;
  let i = 0;
  while (i < n) {
    if (!keep[i] || isProtected(i)) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < n && keep[j] && !isProtected(j) && signatures[j] === signatures[i]) j++;
    if (j - i >= minRun) for (let k = i + 1; k < j; k++) keep[k] = 0;
    i = j;
  }
}

export interface EmitOptions {
  readonly hash: string;
  readonly unit: string;
  /** Detail text for the marker replacing runs [from, to). */
  readonly detail: (from: number, to: number, lineCount: number) => string | undefined;
  /** Runs accounted for by another marker (see `after`): never shown, never counted in a gap marker. */
  readonly skip?: Uint8Array;
  /** A marker to write right after kept run `run` (e.g. the fold of that line's later repeats). */
  readonly after?: (run: number) => { count: number; unit: string; detail?: string } | undefined;
}

/** Writes kept runs (folding repeats losslessly) and one marker per maximal dropped span. */
export function emitRuns(
  runs: readonly LineRun[],
  lines: readonly string[],
  keep: Uint8Array,
  options: EmitOptions,
): { text: string; omissions: Omission[] } {
  const out: string[] = [];
  const omissions: Omission[] = [];
  const skip = options.skip;
  let i = 0;
  while (i < runs.length) {
    const run = runs[i];
    if (!run) break;
    if (keep[i] && !(skip && skip[i])) {
      out.push(lines[run.start] ?? "");
      if (run.count > 1) out.push(formatRepeat(run.count - 1));
      const extra = options.after?.(i);
      if (extra) {
        out.push(formatMarker({ ...extra, hash: options.hash }));
        omissions.push({ count: extra.count, unit: extra.unit });
      }
      i++;
      continue;
    }
    let j = i;
    let count = 0;
    let chars = 0;
    for (; j < runs.length && (!keep[j] || (skip && skip[j])); j++) {
      if (skip && skip[j]) continue;
      const r = runs[j];
      count += r?.count ?? 0;
      chars += ((lines[r?.start ?? 0] ?? "").length + 1) * (r?.count ?? 0);
    }
    if (count === 0) {
      i = j;
      continue;
    }
    const detail = options.detail(i, j, count);
    const marker = formatMarker({ count, unit: options.unit, hash: options.hash, ...(detail ? { detail } : {}) });
    if (chars <= marker.length + 1) {
      // The marker would be longer than what it replaces: show the lines (losslessly folded) instead.
      for (let k = i; k < j; k++) if (!(skip && skip[k])) keep[k] = 1;
      continue;
    }
    out.push(marker);
    omissions.push({ count, unit: options.unit });
    i = j;
  }
  return { text: out.join("\n"), omissions };
}

/** Total characters (with newlines) of the kept runs, counting repeat notes. */
export function keptSize(runs: readonly LineRun[], lines: readonly string[], keep: Uint8Array): number {
  let size = 0;
  for (let i = 0; i < runs.length; i++) {
    if (!keep[i]) continue;
    const run = runs[i];
    if (!run) continue;
    size += (lines[run.start] ?? "").length + 1 + (run.count > 1 ? 40 : 0);
  }
  return size;
}
