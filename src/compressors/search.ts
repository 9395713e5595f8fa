// Search-result compressor (grep, ripgrep). Lines are grouped by file. Under budget (or lossless-only)
// only runs of identical lines fold. Over budget, lines are ranked (query entities > query terms, see
// search-relevance.ts) and kept in rank order while they fit; then the first, and the last, match of
// each file while they fit. A partly kept file gets one marker with its omitted count; every file with
// nothing kept is named with its match count in one summary marker at the end (grouped by directory
// when the names would not fit), so the text still says which files matched and how often.
import { formatMarker } from "../ccr/marker.js";
import { estimateTokens } from "../pipeline/budget.js";
import { foldRepeats } from "./fold.js";
import { parseSearch, type ParsedSearch } from "./search-parse.js";
import { relevanceScores } from "./search-relevance.js";
import type { CompressContext, CompressResult, Omission } from "./types.js";

const CHARS_PER_TOKEN = 4;
const CONTEXT_AROUND_RELEVANT = 2;
/**
 * A query word found in more than this share of the lines does not make a line relevant: the grep
 * pattern is part of the query and matches (most of) its own output, word by word.
 */
const MAX_SHARE = 0.25;
/** Length of a marker line without its detail (count, unit, hash). */
const MARKER_COST = 78;
/** Share of the budget the summary of wholly omitted files may take, and its bounds in characters. */
const SUMMARY_SHARE = 0.3;
const MIN_SUMMARY = 160;
const MAX_SUMMARY = 1200;

export const compressSearch = (text: string, context: CompressContext): CompressResult | null => {
  const parsed = parseSearch(text);
  if (!parsed) return null;
  if (context.losslessOnly || estimateTokens(text) <= context.budget) {
    const folded = foldRepeats(parsed.lines).join("\n");
    return folded.length < parsed.lines.join("\n").length ? { text: folded, omissions: [] } : null;
  }
  const result = render(parsed, select(parsed, context), context);
  return result.text.length < text.length ? result : null;
};

function summaryAllowance(budgetChars: number): number {
  return Math.min(MAX_SUMMARY, Math.max(MIN_SUMMARY, Math.round(budgetChars * SUMMARY_SHARE)));
}

// Chooses the lines to keep: "other" lines (grep's own errors) always, then ranked relevant lines
// with a little of their context, then first and last matches of files, all while they fit.
function select(parsed: ParsedSearch, context: CompressContext): Uint8Array {
  const { lines, tags, files } = parsed;
  const budgetChars = context.budget * CHARS_PER_TOKEN;
  const keep = new Uint8Array(lines.length);
  const firstMatch = new Array<number>(files.length).fill(-1);
  const lastMatch = new Array<number>(files.length).fill(-1);
  const matchesIn = new Array<number>(files.length).fill(0);
  const headingLength = new Array<number>(files.length).fill(0);
  const candidates: number[] = [];
  let used = 0;
  tags.forEach((tag, i) => {
    const length = (lines[i]?.length ?? 0) + 1;
    if (tag.kind === "other") {
      keep[i] = 1;
      used += length;
    } else if (tag.kind === "heading") headingLength[tag.file] = length + 1;
    if (tag.kind !== "match") return;
    candidates.push(i);
    if (firstMatch[tag.file] === -1) firstMatch[tag.file] = i;
    lastMatch[tag.file] = i;
    matchesIn[tag.file] = (matchesIn[tag.file] ?? 0) + 1;
  });
  const keptInFile = new Array<number>(files.length).fill(0);
  // Room for the summary of wholly omitted files: what naming all of them would take (it only shrinks).
  const matched = files.filter((_, f) => (matchesIn[f] ?? 0) > 0);
  const prefix = matched.length > 1 ? commonDirectory(matched).length : 0;
  let listing = prefix + 40;
  for (const name of matched) listing += name.length - prefix + 6;
  used += Math.min(listing, summaryAllowance(budgetChars) + 40) + MARKER_COST;

  // Characters that keeping `indexes` adds: the lines not yet kept, plus the file's heading and its
  // marker when it is the file's first kept line (the marker only while some of its lines stay out).
  const costOf = (indexes: readonly number[], file: number): number => {
    let cost = 0;
    let added = 0;
    for (const i of indexes) {
      if (keep[i]) continue;
      cost += (lines[i]?.length ?? 0) + 1;
      if (tags[i]?.kind === "match") added++;
    }
    if (file >= 0 && keptInFile[file] === 0) {
      cost += headingLength[file] ?? 0;
      if (added < (matchesIn[file] ?? 0)) cost += MARKER_COST;
    }
    return cost;
  };
  const take = (indexes: readonly number[], file: number): boolean => {
    const cost = costOf(indexes, file);
    if (used + cost > budgetChars) return false;
    used += cost;
    for (const i of indexes) {
      if (keep[i]) continue;
      keep[i] = 1;
      if (file >= 0 && tags[i]?.kind === "match") keptInFile[file] = (keptInFile[file] ?? 0) + 1;
    }
    return true;
  };

  // 1. Query-relevant lines, best first, each with a little of its own context (grep -C).
  const scores = relevanceScores(candidates.map((i) => lines[i] ?? ""), context.query, MAX_SHARE);
  pickRelevant(parsed, candidates, scores, () => budgetChars - used, (lineIndex) => {
    const file = tags[lineIndex]?.file ?? -1;
    const group = [lineIndex];
    for (const step of [-1, 1]) {
      for (let d = 1; d <= CONTEXT_AROUND_RELEVANT; d++) {
        const tag = tags[lineIndex + step * d];
        if (!tag || tag.kind !== "context" || tag.file !== file) break;
        group.push(lineIndex + step * d);
      }
    }
    return take(group, file);
  });
  // 2. The first match of each file (busiest files first), then the last.
  const byCount = files.map((_, f) => f).sort((a, b) => (matchesIn[b] ?? 0) - (matchesIn[a] ?? 0) || a - b);
  for (const ends of [firstMatch, lastMatch]) {
    for (const f of byCount) {
      const at = ends[f] ?? -1;
      if (at >= 0 && !keep[at]) take([at], f);
    }
  }
  return keep;
}

// Source line number of a match or context line ("path:12:", "path-12-", "12:"), or -1.
function sourceLine(line: string, file: string): number {
  let at = file.length > 0 && line.startsWith(file) ? file.length + 1 : 0;
  let value = 0;
  const start = at;
  for (; at < line.length; at++) {
    const c = line.charCodeAt(at);
    if (c < 0x30 || c > 0x39) break;
    value = value * 10 + (c - 0x30);
  }
  return at > start ? value : -1;
}

// Picks relevant lines greedily, best first, offering each to `take` (false: it did not fit).
// A line's worth is its relevance score, plus part of its best neighbour's (within NEAR source lines
// of the same file: grep hits cluster around what was asked), discounted by how much it repeats a
// line already taken (word overlap: grep output is full of near-copies) and by how many lines of its
// file are already taken (one busy file must not take the budget from the other relevant files).
// Worth only falls as lines are taken, so a lazy greedy pass (re-score the top, re-queue) is exact.
const NEAR = 6;
const NEIGHBOUR_SHARE = 0.5;
const DIMINISH = 0.5;
const REPEAT_DISCOUNT = 0.9;
const MAX_PICK_CANDIDATES = 4000;

function pickRelevant(
  parsed: ParsedSearch,
  candidates: readonly number[],
  scores: readonly number[],
  room: () => number,
  take: (line: number) => boolean,
): void {
  const { lines, tags, files } = parsed;
  const hits: { index: number; file: number; at: number; score: number }[] = [];
  candidates.forEach((index, k) => {
    const score = scores[k] ?? 0;
    if (score <= 0) return;
    const file = tags[index]?.file ?? -1;
    hits.push({ index, file, at: sourceLine(lines[index] ?? "", files[file] ?? ""), score });
  });
  const base = hits.map((hit, h) => {
    let best = 0;
    for (const step of [-1, 1]) {
      for (let o = h + step; o >= 0 && o < hits.length; o += step) {
        const other = hits[o] as (typeof hits)[number];
        if (other.file !== hit.file || hit.at < 0 || other.at < 0 || Math.abs(other.at - hit.at) > NEAR) break;
        best = Math.max(best, other.score);
      }
    }
    return { index: hit.index, file: hit.file, score: hit.score + NEIGHBOUR_SHARE * Math.min(best, hit.score) };
  });
  base.sort((a, b) => b.score - a.score || a.index - b.index);
  if (base.length > MAX_PICK_CANDIDATES) base.length = MAX_PICK_CANDIDATES;
  // Each line's words as a sorted array of word ids (the overlap test is then a merge).
  const ids = new Map<string, number>();
  const words = new Map<number, Int32Array>();
  const wordsOf = (index: number, file: number): Int32Array => {
    let set = words.get(index);
    if (!set) {
      const line = lines[index] ?? "";
      const name = files[file] ?? "";
      const body = name && line.startsWith(name) ? line.slice(name.length) : line;
      const found = new Set<number>();
      for (const word of body.match(/[A-Za-z_$][A-Za-z0-9_$]*/g) ?? []) {
        let id = ids.get(word);
        if (id === undefined) ids.set(word, (id = ids.size));
        found.add(id);
      }
      set = Int32Array.from(found).sort();
      words.set(index, set);
    }
    return set;
  };
  const taken: Int32Array[] = [];
  const takenInFile = new Map<number, number>();
  // Overlap with the taken lines is kept per candidate and only extended with lines taken since.
  const overlapSoFar = new Float64Array(base.length);
  const comparedUpTo = new Int32Array(base.length);
  const worth = (k: number): number => {
    const hit = base[k] as (typeof base)[number];
    const own = wordsOf(hit.index, hit.file);
    let overlap = overlapSoFar[k] ?? 0;
    for (let t = comparedUpTo[k] ?? 0; t < taken.length && overlap < 1; t++) {
      const other = taken[t] as Int32Array;
      let shared = 0;
      for (let a = 0, b = 0; a < own.length && b < other.length; ) {
        const x = own[a] as number;
        const y = other[b] as number;
        if (x === y) {
          shared++;
          a++;
          b++;
        } else if (x < y) a++;
        else b++;
      }
      const union = own.length + other.length - shared;
      overlap = Math.max(overlap, union === 0 ? 1 : shared / union);
    }
    overlapSoFar[k] = overlap;
    comparedUpTo[k] = taken.length;
    return (hit.score * (1 - REPEAT_DISCOUNT * overlap)) / (1 + DIMINISH * (takenInFile.get(hit.file) ?? 0));
  };
  // Max-heap of [stored worth, position in base]; stored worth is an upper bound of the current one.
  const heap = new MaxHeap();
  base.forEach((hit, k) => heap.push(hit.score, k));
  while (heap.size > 0) {
    const [stored, k] = heap.pop();
    const hit = base[k] as (typeof base)[number];
    if ((lines[hit.index]?.length ?? 0) >= room()) continue; // cannot fit any more
    const current = worth(k);
    if (current < stored && heap.size > 0 && current < heap.peekWorth()) {
      heap.push(current, k);
      continue;
    }
    if (!take(hit.index)) continue;
    taken.push(wordsOf(hit.index, hit.file));
    takenInFile.set(hit.file, (takenInFile.get(hit.file) ?? 0) + 1);
  }
}

// A binary max-heap of (worth, id) pairs; ties go to the smaller id (the earlier, better-ranked line).
class MaxHeap {
  private readonly worths: number[] = [];
  private readonly ids: number[] = [];
  get size(): number {
    return this.ids.length;
  }
  peekWorth(): number {
    return this.worths[0] ?? 0;
  }
  push(worth: number, id: number): void {
    this.worths.push(worth);
    this.ids.push(id);
    let i = this.ids.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.above(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }
  pop(): [number, number] {
    const top: [number, number] = [this.worths[0] ?? 0, this.ids[0] ?? 0];
    const lastWorth = this.worths.pop() as number;
    const lastId = this.ids.pop() as number;
    if (this.ids.length > 0) {
      this.worths[0] = lastWorth;
      this.ids[0] = lastId;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let best = i;
        if (left < this.ids.length && this.above(left, best)) best = left;
        if (right < this.ids.length && this.above(right, best)) best = right;
        if (best === i) break;
        this.swap(i, best);
        i = best;
      }
    }
    return top;
  }
  private above(a: number, b: number): boolean {
    const wa = this.worths[a] ?? 0;
    const wb = this.worths[b] ?? 0;
    return wa > wb || (wa === wb && (this.ids[a] ?? 0) < (this.ids[b] ?? 0));
  }
  private swap(a: number, b: number): void {
    [this.worths[a], this.worths[b]] = [this.worths[b] as number, this.worths[a] as number];
    [this.ids[a], this.ids[b]] = [this.ids[b] as number, this.ids[a] as number];
  }
}

interface FileTally {
  matches: number;
  contexts: number;
}

// Emits kept lines verbatim, one marker per partly kept file (at its first omitted line) and one
// summary marker for all wholly omitted files.
function render(parsed: ParsedSearch, keep: Uint8Array, context: CompressContext): CompressResult {
  const { lines, tags, files } = parsed;
  const omittedByFile: FileTally[] = files.map(() => ({ matches: 0, contexts: 0 }));
  const keptInFile = new Uint8Array(files.length);
  tags.forEach((tag, i) => {
    if (tag.file < 0 || (tag.kind !== "match" && tag.kind !== "context")) return;
    if (keep[i]) keptInFile[tag.file] = 1;
    else if (tag.kind === "match") (omittedByFile[tag.file] as FileTally).matches++;
    else (omittedByFile[tag.file] as FileTally).contexts++;
  });
  const shown = (i: number): boolean => {
    const tag = tags[i];
    if (!tag) return false;
    if (tag.kind === "heading") return keptInFile[tag.file] === 1;
    return keep[i] === 1;
  };
  const out: string[] = [];
  const omissions: Omission[] = [];
  let lastWasGap = true;
  const pushMarker = (count: number, unit: string, detail: string | undefined): void => {
    out.push(formatMarker({ count, unit, hash: context.hash, ...(detail ? { detail } : {}) }));
    omissions.push({ count, unit });
    lastWasGap = false;
  };
  // A partly kept file's marker follows its last kept line.
  const lastKept = new Array<number>(files.length).fill(-1);
  tags.forEach((tag, i) => {
    if (tag.file >= 0 && keep[i] && (tag.kind === "match" || tag.kind === "context")) lastKept[tag.file] = i;
  });
  for (let i = 0; i < lines.length; i++) {
    const tag = tags[i] as (typeof tags)[number];
    if (shown(i)) {
      out.push(lines[i] ?? "");
      lastWasGap = false;
      if (tag.file < 0 || lastKept[tag.file] !== i) continue;
      const tally = omittedByFile[tag.file] as FileTally;
      if (tally.matches > 0) {
        const contexts = tally.contexts > 0 ? `${contextDetail(tally.contexts)} ` : "";
        pushMarker(tally.matches, matchWord(tally.matches), `${contexts}in this file`);
      } else if (tally.contexts > 0) pushMarker(tally.contexts, contextWord(tally.contexts), "in this file");
      continue;
    }
    if (tag.kind === "separator" || tag.kind === "blank") {
      if (!lastWasGap && shown(i + 1)) {
        out.push(lines[i] ?? "");
        lastWasGap = true;
      }
    }
  }
  const omittedFiles: number[] = [];
  let matches = 0;
  let contexts = 0;
  files.forEach((_, f) => {
    if (keptInFile[f]) return;
    const tally = omittedByFile[f] as FileTally;
    if (tally.matches + tally.contexts === 0) return;
    omittedFiles.push(f);
    matches += tally.matches;
    contexts += tally.contexts;
  });
  if (omittedFiles.length > 0) {
    const detail = describeFiles(omittedFiles, files, omittedByFile, summaryAllowance(context.budget * CHARS_PER_TOKEN));
    const tail = matches > 0 && contexts > 0 ? `; ${contextDetail(contexts)}` : "";
    if (matches > 0) pushMarker(matches, matchWord(matches), detail + tail);
    else pushMarker(contexts, contextWord(contexts), detail);
  }
  return { text: out.join("\n"), omissions };
}

const matchWord = (count: number): string => (count === 1 ? "match" : "matches");
const contextWord = (count: number): string => (count === 1 ? "context line" : "context lines");
const contextDetail = (count: number): string => `and ${count} ${contextWord(count)}`;

// The longest directory prefix ("a/b/") that all names share.
function commonDirectory(names: readonly string[]): string {
  let prefix = names[0] ?? "";
  for (const name of names) {
    let i = 0;
    while (i < prefix.length && i < name.length && prefix.charCodeAt(i) === name.charCodeAt(i)) i++;
    prefix = prefix.slice(0, i);
    if (prefix === "") return "";
  }
  return prefix.slice(0, prefix.lastIndexOf("/") + 1);
}

const sanitize = (name: string): string => name.replace(/[[\]\n\r·]/g, "_") || "(stdin)";

interface Entry {
  readonly name: string;
  readonly matches: number;
  readonly files: number;
}

// "in 12 files: src/a.ts 40, src/b.ts 3, ..." busiest first. When the names do not fit in `allowance`
// characters, the least busy files are grouped by directory ("lib/ 7 in 4 files"), shallower and
// shallower until they fit; only then does a "+N more files" tail appear.
export function describeFiles(
  omitted: readonly number[],
  files: readonly string[],
  tally: readonly FileTally[],
  allowance: number,
): string {
  const count = (f: number): number => tally[f]?.matches ?? 0;
  const ordered = [...omitted].sort((a, b) => count(b) - count(a) || a - b);
  const names = ordered.map((f) => sanitize(files[f] ?? ""));
  const prefix = names.length > 1 ? commonDirectory(names) : "";
  const head = omitted.length === 1 ? "in" : prefix ? `in ${omitted.length} files under ${prefix}:` : `in ${omitted.length} files:`;
  const asFiles: Entry[] = ordered.map((f, k) => ({ name: (names[k] ?? "").slice(prefix.length), matches: count(f), files: 1 }));
  const render = (entries: readonly Entry[]): string =>
    entries.map((e) => (e.files === 1 ? `${e.name} ${e.matches}` : `${e.name} ${e.matches} in ${e.files} files`)).join(", ");
  const full = render(asFiles);
  if (full.length <= allowance || asFiles.length === 1) return `${head} ${full}`;
  const segments = asFiles.map((e) => e.name.split("/"));
  const maxDepth = segments.reduce((max, parts) => Math.max(max, parts.length - 1), 0);
  let best: Entry[] = asFiles;
  for (let depth = maxDepth - 1; depth >= 0; depth--) {
    const groups = new Map<string, { name: string; matches: number; files: number; order: number }>();
    asFiles.forEach((entry, k) => {
      const parts = segments[k] as string[];
      const key = parts.length - 1 > depth ? `${parts.slice(0, depth + 1).join("/")}/` : entry.name;
      const group = groups.get(key);
      if (group) {
        group.matches += entry.matches;
        group.files++;
      } else groups.set(key, { name: entry.name, matches: entry.matches, files: 1, order: groups.size });
    });
    // A group of one file keeps the file's own name.
    const grouped = [...groups.entries()]
      .map(([key, g]) => ({ name: g.files === 1 ? g.name : key, matches: g.matches, files: g.files, order: g.order }))
      .sort((a, b) => b.matches - a.matches || a.order - b.order);
    best = grouped;
    if (render(grouped).length <= allowance) break;
  }
  const parts: string[] = [];
  let length = 0;
  let listedFiles = 0;
  for (const entry of best) {
    const part = render([entry]);
    if (parts.length > 0 && length + part.length > allowance) break;
    parts.push(part);
    length += part.length + 2;
    listedFiles += entry.files;
  }
  if (listedFiles < ordered.length) parts.push(`+${ordered.length - listedFiles} more files`);
  return `${head} ${parts.join(", ")}`;
}
