// Units of a prose document for the extractive prose compressor: sentences of paragraphs and list
// items, and whole headings, table rows and fenced code blocks. Each unit is a character range of the
// input, so whatever is kept is the source text byte for byte.
import { MD_FENCE_RE, MD_HEADING_RE } from "./text-markdown.js";

export type UnitKind = "heading" | "sentence" | "row" | "fence";

export interface ProseUnit {
  /** Character range [start, end) in the text. */
  readonly start: number;
  readonly end: number;
  readonly kind: UnitKind;
  /** Line range [lineFrom, lineTo] the unit touches. */
  readonly lineFrom: number;
  readonly lineTo: number;
  /** Section index: 0 before the first heading, then +1 at each heading. */
  readonly section: number;
  /** Heading level (1-6 Markdown, 7 for a plain-text heading line); 0 for other units. */
  readonly level: number;
  /** True for the first unit of a paragraph or list item. */
  readonly blockFirst: boolean;
}

/** How paragraphs are cut: into sentences, or into whole lines (numbered file reads). */
export type SplitMode = "sentences" | "lines";

const SETEXT_RE = /^ {0,3}(?:=+|-+) *$/;
const TABLE_ROW_RE = /^\s*\|.*\|\s*$/;
// "  0. Definitions." in a licence: a numbered section title, not a list item.
const SECTION_NUMBER_RE = /^\s*\d{1,3}\.\s/;
const LIST_ITEM_RE = /^\s*(?:[-*+•]|\d{1,3}[.)]|[a-z][)]|\([a-z0-9]{1,4}\))\s+\S/;
// A short standalone line in plain text ("TERMS AND CONDITIONS", "  0. Definitions.") reads as a heading.
const PLAIN_HEADING_MAX = 70;
/** A "sentence" longer than this (no punctuation to split on) is cut at its line breaks. */
const MAX_SENTENCE = 1_000;

// Words whose trailing period does not end a sentence ("e.g.", "Dr.", "Inc."), lower-cased.
const ABBREVIATIONS = new Set(
  (
    "e.g i.e cf vs al dr mr mrs ms prof sr jr st no nos vol fig figs eq approx inc ltd co corp dept est " +
    "op pp ed eds rev jan feb mar apr jun jul aug sep sept oct nov dec resp viz ca"
  ).split(" "),
);
// What may follow a sentence end: a capital, a digit, an opening quote, bracket or Markdown mark.
const LIST_MARK_RE = /^(?:\d{1,3}|\p{L})[.)]$/u;
const SENTENCE_START_RE = /[\p{Lu}\d"'“‘([`*_<]/u;

/**
 * Splits a text into prose units, in order.
 * @example splitProse("# T\n\nOne. Two.", "sentences").map((u) => u.kind) // ["heading", "sentence", "sentence"]
 */
export function splitProse(text: string, mode: SplitMode): ProseUnit[] {
  const lines = text.split("\n");
  const starts = new Array<number>(lines.length + 1);
  starts[0] = 0;
  for (let i = 0; i < lines.length; i++) starts[i + 1] = (starts[i] ?? 0) + (lines[i] ?? "").length + 1;
  const lineStart = (i: number) => starts[i] ?? 0;
  const lineEnd = (i: number) => lineStart(i) + (lines[i] ?? "").length;
  const blank = (i: number) => (lines[i] ?? "").trim() === "";

  // Plain-text heading lines only count in documents without Markdown headings.
  const plainHeadings = !lines.some((l) => MD_HEADING_RE.test(l));
  const units: ProseUnit[] = [];
  let section = 0;
  const push = (start: number, end: number, kind: UnitKind, level: number, blockFirst: boolean) => {
    const lineFrom = lineAt(starts, start);
    units.push({ start, end, kind, lineFrom, lineTo: lineAt(starts, Math.max(start, end - 1)), section, level, blockFirst });
  };
  // A block of whole lines [from, to] kept or dropped as one unit, trimmed of leading indentation.
  const wholeLines = (from: number, to: number, kind: UnitKind, level: number) => {
    const line = lines[from] ?? "";
    push(lineStart(from) + (line.length - line.trimStart().length), lineEnd(to), kind, level, true);
  };

  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? "";
    if (blank(i)) {
      i++;
      continue;
    }
    if (MD_FENCE_RE.test(line)) {
      const mark = line.trimStart().slice(0, 3);
      let close = i + 1;
      while (close < lines.length && !(lines[close] ?? "").trimStart().startsWith(mark)) close++;
      const to = Math.min(close, lines.length - 1);
      wholeLines(i, to, "fence", 0);
      i = to + 1;
      continue;
    }
    if (MD_HEADING_RE.test(line)) {
      section++;
      wholeLines(i, i, "heading", line.indexOf(" "));
      i++;
      continue;
    }
    if (TABLE_ROW_RE.test(line)) {
      wholeLines(i, i, "row", 0);
      i++;
      continue;
    }
    const startsBlock = (k: number) => blank(k) || MD_FENCE_RE.test(lines[k] ?? "") || MD_HEADING_RE.test(lines[k] ?? "") || TABLE_ROW_RE.test(lines[k] ?? "");
    if (SETEXT_RE.test(lines[i + 1] ?? "") && (i === 0 || blank(i - 1))) {
      section++;
      wholeLines(i, i + 1, "heading", (lines[i + 1] ?? "").includes("=") ? 1 : 2);
      i += 2;
      continue;
    }
    // A paragraph, or a list item with its continuation lines.
    const item = LIST_ITEM_RE.test(line);
    let to = i;
    while (to + 1 < lines.length && !startsBlock(to + 1) && !LIST_ITEM_RE.test(lines[to + 1] ?? "")) to++;
    if (plainHeadings && (!item || SECTION_NUMBER_RE.test(line)) && to === i && isPlainHeading(line) && (i === 0 || blank(i - 1)) && blank(i + 1)) {
      section++;
      wholeLines(i, i, "heading", 7);
    } else if (mode === "lines") {
      for (let k = i; k <= to; k++) wholeLines(k, k, "sentence", 0);
    } else {
      const from = lineStart(i) + (line.length - line.trimStart().length);
      let first = true;
      for (const [start, end] of sentenceRanges(text, from, lineEnd(to))) {
        push(start, end, "sentence", 0, first);
        first = false;
      }
    }
    i = to + 1;
  }
  return units;
}

function isPlainHeading(line: string): boolean {
  const t = line.trim();
  if (t.length === 0 || t.length > PLAIN_HEADING_MAX || /[,;:]$/.test(t)) return false;
  return t.split(/\s+/).length <= 8 && /\p{L}/u.test(t);
}

// Index of the line holding character `pos` (binary search over line starts).
function lineAt(starts: readonly number[], pos: number): number {
  let lo = 0;
  let hi = starts.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= pos) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Sentence ranges of text[from, to): each starts at a non-space character and ends after its closing
 * punctuation; the whitespace between them belongs to neither.
 */
export function sentenceRanges(text: string, from: number, to: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  // Matched on the block alone: a search over the whole text from `from` would be quadratic.
  const block = text.slice(from, to);
  const END_RE = /[.!?]+["'’”)\]*_]*(?=\s)/g;
  let start = from;
  for (let match = END_RE.exec(block); match; match = END_RE.exec(block)) {
    const at = from + match.index;
    const end = at + match[0].length;
    if (end >= to) break;
    let next = end;
    while (next < to && /\s/.test(text[next] ?? "")) next++;
    if (next >= to) break;
    if (!SENTENCE_START_RE.test(text[next] ?? "")) continue;
    if (match[0].startsWith(".") && !match[0].startsWith("..") && isAbbreviation(text, at, text[next] ?? "")) continue;
    if (LIST_MARK_RE.test(text.slice(start, end))) continue; // "1." or "a)" alone opens its item's sentence
    pushCapped(text, out, start, end);
    start = next;
  }
  let end = to;
  while (end > start && /\s/.test(text[end - 1] ?? "")) end--;
  if (end > start) pushCapped(text, out, start, end);
  return out;
}

// The word before a period at `dot`: an abbreviation, an initial ("J.", "U.S.") or "No." before a number.
function isAbbreviation(text: string, dot: number, next: string): boolean {
  let wordStart = dot;
  while (wordStart > 0 && !/[\s(\["'`]/.test(text[wordStart - 1] ?? "")) wordStart--;
  const word = text.slice(wordStart, dot);
  if (/^(?:\p{L}\.)*\p{L}$/u.test(word) && word.length <= 3) return true;
  const lower = word.toLowerCase();
  if (lower === "etc") return false; // "etc." ends sentences as often as not; a capital follows here
  if (lower === "no" || lower === "nos") return /\d/.test(next);
  return ABBREVIATIONS.has(lower);
}

// A run-on "sentence" (a block without punctuation) is cut at its line breaks so it can be chosen in parts.
function pushCapped(text: string, out: Array<[number, number]>, start: number, end: number): void {
  if (end - start <= MAX_SENTENCE || !text.slice(start, end).includes("\n")) {
    out.push([start, end]);
    return;
  }
  let at = start;
  while (at < end) {
    let stop = text.indexOf("\n", at);
    if (stop < 0 || stop > end) stop = end;
    let trimmed = stop;
    while (trimmed > at && /\s/.test(text[trimmed - 1] ?? "")) trimmed--;
    if (trimmed > at) out.push([at, trimmed]);
    at = stop + 1;
    while (at < end && /\s/.test(text[at] ?? "")) at++;
  }
}
