// The content router: decides which compressor sees a piece of text, cheaply (sampled lines, one
// guarded JSON.parse), and splits mixed content (shell transcripts) into single-kind sections.
import { stripAnsi } from "../compressors/fold.js";
import { parseJsonText } from "../compressors/json-scan.js";
import { isMarkdown, MD_FENCE_RE } from "../compressors/text-markdown.js";
import type { ContentKind } from "../compressors/types.js";
import { codeRatio } from "./detect-code.js";
import { isDebianProse, isLicenceText, isProse } from "./detect-prose.js";

const SAMPLE_HEAD = 16_384;
const SAMPLE_WINDOW = 4_096;
const SAMPLE_WINDOWS = 6;
const MAX_JSON_DEPTH = 512;
const MAX_JSON_CHARS = 64 * 1024 * 1024;

const DIFF_HEADER_RE = /^(?:diff --git |diff -u|--- \S|\+\+\+ \S|index [0-9a-f]{7,}\.\.[0-9a-f]{7,})/;
const HUNK_RE = /^@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@/;
const GREP_RE = /^[^\s:][^:\n]{0,300}?:\d+[:-]/;
const GREP_CONTEXT_RE = /^[^\s:][^:\n]{0,300}?-\d+-/;
const GREP_FILE_RE = /^[^\s:]*[/.][^\s:]*\.[A-Za-z0-9]{1,8}:/;
const GREP_RE_ANY = { test: (l: string) => GREP_RE.test(l) || GREP_CONTEXT_RE.test(l) || GREP_FILE_RE.test(l) || l === "--" };
const RG_LINE_RE = /^\d+[:-]/;
// ISO/RFC 3339 stamps, nginx/Apache error logs (2026/11/24 22:45:10) and access logs ("[24/Nov/2026:22:45:10 +0000]").
const TIMESTAMP_RE =
  /^\[?\d{4}-\d\d-\d\d[T ]\d\d:\d\d|^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d|^\S+ \S+ \S+ \[\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "/;
// One JSON object per line that carries a log record's fields (time, level, message).
const JSON_LOG_KEY_RE = /"(?:time|timestamp|ts|@timestamp|level|lvl|severity|levelname|msg|message)"\s*:/;
const JSON_RECORD_RE = { test: (l: string) => isJsonObjectLine(l) && JSON_LOG_KEY_RE.test(l) };
// "dir/sub:" headers of ls -R; a function, not one regex, to avoid backtracking on long lines.
const DIR_HEADER_RE = {
  test: (l: string) => l === ".:" || (l.endsWith(":") && l.includes("/") && !/\s/.test(l.charAt(0)) && l.indexOf(":") === l.length - 1),
};
const BARE_NAME_RE = /^[\w.@+-]+\/?$/;
const LS_RE = /^(?:[-dlcbps][rwxsStT-]{9}[.+@]?\s+\d+\s|total \d+$)/;
const PATH_RE = /^(?:\.{0,2}\/)?[\w.@+-]+(?:\/[\w.@+-]+)+\/?$/;
const TREE_RE = /^[│├└]|^\s+[│├└]── /;
const LOG_RE =
  /^(?:\[?\d{4}-\d\d-\d\d[T ]\d\d:\d\d|\[?\d\d:\d\d:\d\d|[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d|\[(?:INFO|WARN|WARNING|ERROR|DEBUG|TRACE)\])|\b(?:INFO|WARN|WARNING|ERROR|DEBUG|TRACE|FATAL)\b|^npm (?:ERR!|error|warn|notice|http|verbose|info|timing)|\berror TS\d+|^(?:error|warning)(?:\[E\d+\])?:|:\d+:\d+: (?:fatal )?(?:error|warning|note)(?:\[[\w-]+\])?:|^\s+at \S|^Traceback |^\s*(?:✓|✗|×|√|PASS|FAIL|ok|not ok)\s|\b(?:PASSED|FAILED|SKIPPED)\b|^\s*(?:Compiling|Downloading|Building|Finished|Running|Installing)\s|^make(?:\[\d+\])?: |^={5,}|^\d+ verbose |^Step \d+\/\d+|^#\d+ \[|^\s*--> \S+:\d+:\d+|^\s*= (?:note|help):|^(?:note|help):|^ *\d+ \|(?: |$)|^ +\|$/;
const HTML_TAG_RE = /<\/?[a-zA-Z][\w-]*(?:\s[^<>]*)?\/?>/;
const PROMPT_RE = /^(?:\$|#|>|%|PS [^>\n]*>) \S|^[\w.-]+@[\w.-]+:[^\n]*?[$#] \S/;

/**
 * Picks the content kind of a whole tool output.
 * @example detectKind('{"a":1}') // "json"
 */
export function detectKind(text: string): ContentKind {
  if (isJson(text)) return "json";
  const sampled = sampleLines(text);
  const lines = text.includes("\u001b") ? sampled.map(stripAnsi) : sampled;
  if (isMarkdown(lines)) return "prose";
  return classifyLines(lines, text);
}

// One JSON object on one line (first and last non-space characters are braces).
function isJsonObjectLine(line: string): boolean {
  const t = line.trim();
  return t.length > 1 && t.charCodeAt(0) === 123 && t.charCodeAt(t.length - 1) === 125;
}


/** True when the text is a JSON document: first non-space char is { or [, bounded depth, and it parses. */
export function isJson(text: string): boolean {
  const start = firstNonSpace(text);
  const c = text.charCodeAt(start);
  if (c !== 123 && c !== 91) return false;
  if (text.length > MAX_JSON_CHARS || !depthWithin(text, start, text.length, MAX_JSON_DEPTH)) return false;
  try {
    parseJsonText(text);
    return true;
  } catch {
    return false;
  }
}

function firstNonSpace(text: string): number {
  let i = 0;
  while (i < text.length && /\s/.test(text[i] ?? "")) i++;
  return i;
}

// Bracket depth outside strings never exceeds `max` (keeps JSON.parse away from pathological nesting).
function depthWithin(text: string, from: number, to: number, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) return false;
    } else if (c === 125 || c === 93) depth--;
  }
  return true;
}

// Whole lines from the head and a few windows through the rest: detection never reads a huge input.
function sampleLines(text: string): string[] {
  if (text.length <= SAMPLE_HEAD + SAMPLE_WINDOW * SAMPLE_WINDOWS) return text.split("\n");
  const lines = text.slice(0, SAMPLE_HEAD).split("\n");
  lines.pop();
  const step = Math.floor((text.length - SAMPLE_HEAD) / SAMPLE_WINDOWS);
  for (let w = 1; w <= SAMPLE_WINDOWS; w++) {
    const end = Math.min(text.length, SAMPLE_HEAD + w * step);
    const window = text.slice(Math.max(SAMPLE_HEAD, end - SAMPLE_WINDOW), end).split("\n");
    window.shift();
    if (end < text.length) window.pop();
    lines.push(...window);
  }
  return lines;
}

function ratio(lines: readonly string[], re: { test(line: string): boolean }): number {
  let hits = 0;
  for (const line of lines) if (re.test(line)) hits++;
  return lines.length === 0 ? 0 : hits / lines.length;
}

// Decides a kind from sampled non-blank lines; order matters (the most specific shapes first).
function classifyLines(all: readonly string[], text: string): ContentKind {
  const lines = all.filter((l) => l.trim().length > 0);
  if (lines.length === 0) return "text";
  let hunks = 0;
  let headers = 0;
  for (const line of lines) {
    if (HUNK_RE.test(line)) hunks++;
    else if (DIFF_HEADER_RE.test(line)) headers++;
  }
  if (hunks > 0 && headers > 0 && ratio(lines, /^(?:[-+ @\\]|diff |index |commit |Author: |Date: )/) >= 0.6) return "diff";
  const head = text.slice(0, 512).trimStart().toLowerCase();
  if (head.startsWith("<!doctype html") || head.startsWith("<html") || ratio(lines, HTML_TAG_RE) >= 0.5) return "html";
  const log = ratio(lines, LOG_RE);
  if (ratio(lines, TIMESTAMP_RE) >= 0.3 || ratio(lines, JSON_RECORD_RE) >= 0.5) return "log";
  const grep = ratio(lines, GREP_RE_ANY);
  const rg = ratio(lines, RG_LINE_RE);
  if ((grep >= 0.6 && grep > log) || (rg >= 0.3 && rg + ratio(lines, PATH_RE) >= 0.8)) return "search";
  const dirs = ratio(lines, DIR_HEADER_RE);
  const bare = ratio(lines, BARE_NAME_RE);
  if (ratio(lines, LS_RE) >= 0.6 || ratio(lines, PATH_RE) >= 0.8 || ratio(lines, TREE_RE) >= 0.5) return "listing";
  if ((dirs > 0 && dirs + bare >= 0.8) || (bare >= 0.9 && lines.length >= 3)) return "listing";
  if (log >= 0.3) return "log";
  if (isDebianProse(lines)) return "prose";
  if (codeRatio(lines) >= 0.35) return "code";
  if (isProse(lines) || isLicenceText(lines)) return "prose";
  return "text";
}

/** A contiguous line range of one kind; the texts joined with "\n" give back the input. */
export interface Section {
  readonly kind: ContentKind;
  readonly text: string;
}

interface Block {
  readonly from: number;
  readonly to: number; // exclusive
  readonly kind: ContentKind | undefined; // undefined: decide by detectKind
}

/**
 * Splits mixed content (a shell transcript running `git diff` then `npm test`, a log with a JSON
 * blob in it) into contiguous single-kind sections.
 * @example splitSections("$ git diff\n...").map((s) => s.kind) // ["diff", "log", "json"]
 */
export function splitSections(text: string): Section[] {
  // A whole JSON document is one section; checking it first skips the line scan (most tool outputs
  // of API-ish tools are exactly this).
  if (isJson(text)) return [{ kind: "json", text }];
  const lines = text.split("\n");
  // A Markdown document is one section: its headings look like root prompts, its fenced examples
  // like code, JSON or shell sessions, but they are all part of the document.
  if (isMarkdown(sampleLines(text))) return [{ kind: "prose", text }];
  const blocks: Block[] = [];
  let open = 0;
  const flush = (to: number) => {
    if (to > open) blocks.push({ from: open, to, kind: undefined });
    open = to;
  };
  const scanBudget = { left: text.length * 2 + 1_000_000 };
  let inFence = false;
  for (let i = 0; i < lines.length; ) {
    const line = lines[i] ?? "";
    if (MD_FENCE_RE.test(line)) inFence = !inFence;
    if (inFence) {
      // Inside a fenced block nothing starts a new section.
      i++;
      continue;
    }
    const recordsEnd = line.length > 0 && line.charCodeAt(0) === 123 ? jsonLinesEnd(lines, i) : -1;
    if (recordsEnd > i) {
      // JSON lines (a structured log): one log block, however many records.
      flush(i);
      blocks.push({ from: i, to: recordsEnd, kind: "log" });
      open = i = recordsEnd;
      continue;
    }
    const diffEnd = line.startsWith("diff ") || line.startsWith("--- ") || line.startsWith("commit ") ? diffBlockEnd(lines, i) : -1;
    if (diffEnd > i) {
      flush(i);
      blocks.push({ from: i, to: diffEnd, kind: "diff" });
      open = i = diffEnd;
      continue;
    }
    const jsonEnd = line.length > 0 && (line[0] === "{" || line[0] === "[") ? jsonBlockEnd(lines, i, scanBudget) : -1;
    if (jsonEnd > i) {
      flush(i);
      blocks.push({ from: i, to: jsonEnd, kind: "json" });
      open = i = jsonEnd;
      continue;
    }
    if (i > open && PROMPT_RE.test(line)) flush(i);
    i++;
  }
  flush(lines.length);
  if (blocks.length === 1) return [{ kind: blocks[0]?.kind ?? detectKind(text), text }];
  // Character offset of each line start, so sections are slices of the input, not re-joined arrays.
  const starts = new Float64Array(lines.length + 1);
  for (let i = 0; i < lines.length; i++) starts[i + 1] = (starts[i] ?? 0) + (lines[i] ?? "").length + 1;
  const slice = (from: number, to: number) => (to > from ? text.slice(starts[from], (starts[to] ?? 0) - 1) : "");
  return mergeSections(blocks, lines, slice);
}

// Lines [from, to) join the previous section unless it is JSON (kept pure); else they stand as text.
function attachToPrevious(decided: { kind: ContentKind; from: number; to: number }[], from: number, to: number): void {
  const prev = decided[decided.length - 1];
  if (prev && prev.kind !== "json") prev.to = to;
  else decided.push({ kind: "text", from, to });
}

// Decides undecided blocks, folds tiny plain ones into a neighbour, merges same-kind neighbours.
function mergeSections(
  blocks: readonly Block[],
  lines: readonly string[],
  slice: (from: number, to: number) => string,
): Section[] {
  const decided: { kind: ContentKind; from: number; to: number }[] = [];
  let pending = -1; // a lone prompt line waits for the output it introduces
  let blankFrom = -1; // leading blank lines wait for the first section
  for (const block of blocks) {
    const first = lines[block.from] ?? "";
    const length = block.to - block.from;
    if (block.kind === undefined && isBlank(lines, block.from, block.to)) {
      // Blank lines never make a section of their own (no zero-length sections): they join the
      // section before (JSON stays valid with trailing whitespace), or the one after.
      const prev = decided[decided.length - 1];
      if (prev && pending < 0) prev.to = block.to;
      else if (pending < 0 && blankFrom < 0) blankFrom = block.from;
      continue;
    }
    if (blankFrom >= 0 && pending < 0) pending = blankFrom;
    blankFrom = -1;
    if (block.kind === undefined && length === 1 && PROMPT_RE.test(first)) {
      if (pending < 0) pending = block.from;
      continue;
    }
    if (pending >= 0 && block.kind === "json" && !isBlank(lines, pending, block.from)) {
      // A JSON section must be pure JSON: its prompt line stays with what came before.
      attachToPrevious(decided, pending, block.from);
      pending = -1;
    }
    const from = pending >= 0 ? pending : block.from;
    pending = -1;
    let kind = block.kind;
    if (kind === undefined) {
      // A prompt line says what ran; the kind comes from what it printed.
      const skip = length > 1 && PROMPT_RE.test(first) ? 1 : 0;
      const outputLength = length - skip;
      kind = detectKind(slice(block.from + skip, block.to));
      const prevKind = decided[decided.length - 1]?.kind;
      if (kind === "text" && outputLength <= 2 && prevKind === "json") {
        // A JSON section stays pure JSON: a trailing "[exit 0]" goes with what follows.
        if (pending < 0) pending = from;
        continue;
      }
      if (kind === "text" && outputLength <= 2 && prevKind !== undefined) kind = prevKind;
    }
    const last = decided[decided.length - 1];
    if (last && last.kind === kind) last.to = block.to;
    else decided.push({ kind, from, to: block.to });
  }
  if (pending >= 0) attachToPrevious(decided, pending, lines.length);
  if (blankFrom >= 0) attachToPrevious(decided, blankFrom, lines.length);
  return decided.map((d) => ({ kind: d.kind, text: slice(d.from, d.to) }));
}

function isBlank(lines: readonly string[], from: number, to: number): boolean {
  for (let i = from; i < to; i++) if ((lines[i] ?? "").trim() !== "") return false;
  return true;
}

// End (exclusive) of a run of JSON-lines log records starting at `start` (at least 3, blank lines
// inside allowed); -1 when there is no such run.
function jsonLinesEnd(lines: readonly string[], start: number): number {
  let end = start;
  let records = 0;
  for (let i = start; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (JSON_RECORD_RE.test(line)) {
      records++;
      end = i + 1;
    } else if (line.trim() !== "") break;
  }
  return records >= 3 ? end : -1;
}

// End (exclusive) of a diff starting at `start`, following hunk line counts; -1 when it is not a diff.
// A further commit of `git log -p` continues the block when its own diff has a hunk; followed in a
// loop (not by recursion, which was exponential in the number of commits).
function diffBlockEnd(lines: readonly string[], start: number): number {
  const first = commitDiffStart(lines, start);
  if (first < 0) return -1;
  let i = first;
  let sawHunk = false;
  // Start of the commit being followed after the first one, and whether it has shown a hunk yet.
  let commitAt = -1;
  let commitHunk = false;
  while (i < lines.length) {
    const line = lines[i] ?? "";
    const hunk = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/.exec(line);
    if (hunk) {
      sawHunk = true;
      commitHunk = true;
      let oldLeft = hunk[1] === undefined ? 1 : Number(hunk[1]);
      let newLeft = hunk[2] === undefined ? 1 : Number(hunk[2]);
      i++;
      while (i < lines.length && (oldLeft > 0 || newLeft > 0)) {
        const c = (lines[i] ?? "").charCodeAt(0);
        if (c === 45) oldLeft--;
        else if (c === 43) newLeft--;
        else if (c === 32 || Number.isNaN(c)) oldLeft--, newLeft--;
        else if (c !== 92) break;
        i++;
      }
      if ((lines[i] ?? "").startsWith("\\")) i++;
      continue;
    }
    if (/^(?:diff |index |--- |\+\+\+ |new file mode|deleted file mode|old mode|new mode|similarity index|rename (?:from|to) |copy (?:from|to) |Binary files )/.test(line)) {
      i++;
      continue;
    }
    if (sawHunk && (commitAt < 0 || commitHunk) && line.startsWith("commit ")) {
      const next = commitDiffStart(lines, i);
      if (next >= 0) {
        commitAt = i;
        commitHunk = false;
        i = next;
        continue;
      }
    }
    break;
  }
  // A followed commit without any hunk is not part of the block: it ends before that commit.
  if (commitAt >= 0 && !commitHunk) return commitAt;
  return sawHunk ? i : -1;
}

// Where the diff of a block starting at `start` begins: `start` itself, or after a git log -p commit
// header and message; -1 when a commit header is not followed by a diff.
function commitDiffStart(lines: readonly string[], start: number): number {
  if (!(lines[start] ?? "").startsWith("commit ")) return start;
  let k = start + 1;
  while (k < lines.length && k - start < 200 && !(lines[k] ?? "").startsWith("diff ") && !(lines[k] ?? "").startsWith("commit ")) k++;
  return (lines[k] ?? "").startsWith("diff ") ? k : -1;
}

// End (exclusive) of a JSON blob starting at line `start`: balanced brackets ending a line, parses,
// and is multi-line or long. Scanning is capped by a shared budget so the split stays linear.
function jsonBlockEnd(lines: readonly string[], start: number, budget: { left: number }): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < lines.length; i++) {
    const line = lines[i] ?? "";
    budget.left -= line.length + 1;
    if (budget.left < 0 || depth > MAX_JSON_DEPTH) return -1;
    for (let k = 0; k < line.length; k++) {
      const c = line.charCodeAt(k);
      if (inString) {
        if (c === 92) k++;
        else if (c === 34) inString = false;
      } else if (c === 34) inString = true;
      else if (c === 123 || c === 91) depth++;
      else if (c === 125 || c === 93) {
        depth--;
        if (depth === 0) {
          if (line.slice(k + 1).trim() !== "") return -1;
          const end = i + 1;
          if (end - start < 3 && line.length < 500) return -1;
          try {
            JSON.parse(lines.slice(start, end).join("\n"));
            return end;
          } catch {
            return -1;
          }
        }
      }
    }
  }
  return -1;
}
