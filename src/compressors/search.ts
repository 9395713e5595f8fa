// Search-result compressor (grep, ripgrep). Lines are grouped by file; per file the query-relevant
// lines, the first and the last match are kept verbatim and the rest folds into one marker per file.
// When even that is over budget, whole files fold into one marker per run of files, naming the files
// with their match counts. Lossless-only mode only folds runs of identical lines.
import { formatMarker, formatRepeat } from "../ccr/marker.js";
import { estimateTokens } from "../pipeline/budget.js";
import { parseSearch, type ParsedSearch } from "./search-parse.js";
import { relevanceScores } from "./search-relevance.js";
import type { CompressContext, CompressResult, Omission } from "./types.js";

const CHARS_PER_TOKEN = 4;
const CONTEXT_AROUND_RELEVANT = 2;
const MARKER_COST = 90;
const MAX_DETAIL = 180;

export const compressSearch = (text: string, context: CompressContext): CompressResult | null => {
  const parsed = parseSearch(text);
  if (!parsed) return null;
  if (context.losslessOnly || estimateTokens(text) <= context.budget) {
    const folded = foldRepeats(parsed.lines);
    return folded.length < parsed.lines.join("\n").length ? { text: folded, omissions: [] } : null;
  }
  const result = selectAndRender(parsed, context);
  return result.text.length < text.length ? result : null;
};

/** Lossless: a run of identical lines is kept once and followed by a repeat note. */
export function foldRepeats(lines: readonly string[]): string {
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? "";
    let j = i + 1;
    while (j < lines.length && lines[j] === line) j++;
    out.push(line);
    const extra = j - i - 1;
    if (extra > 0) {
      const note = formatRepeat(extra);
      if (note.length < (line.length + 1) * extra) out.push(note);
      else for (let k = 0; k < extra; k++) out.push(line);
    }
    i = j;
  }
  return out.join("\n");
}

function selectAndRender(parsed: ParsedSearch, context: CompressContext): CompressResult {
  const { lines, tags, files } = parsed;
  const budgetChars = context.budget * CHARS_PER_TOKEN;
  const base = new Uint8Array(lines.length);
  const firstMatch = new Array<number>(files.length).fill(-1);
  const lastMatch = new Array<number>(files.length).fill(-1);
  const candidates: number[] = [];
  tags.forEach((tag, i) => {
    if (tag.kind === "other") base[i] = 1;
    if (tag.kind === "match" || tag.kind === "context") candidates.push(i);
    if (tag.kind !== "match") return;
    if (firstMatch[tag.file] === -1) firstMatch[tag.file] = i;
    lastMatch[tag.file] = i;
  });
  // Query-relevant lines, with a little of their own context.
  const scores = relevanceScores(candidates.map((i) => lines[i] ?? ""), context.query);
  candidates.forEach((lineIndex, k) => {
    if ((scores[k] ?? 0) <= 0) return;
    base[lineIndex] = 1;
    const file = tags[lineIndex]?.file;
    for (const step of [-1, 1]) {
      for (let d = 1; d <= CONTEXT_AROUND_RELEVANT; d++) {
        const tag = tags[lineIndex + step * d];
        if (!tag || tag.kind !== "context" || tag.file !== file) break;
        base[lineIndex + step * d] = 1;
      }
    }
  });

  const withEnds = (useLast: boolean): Uint8Array => {
    const keep = base.slice();
    for (let f = 0; f < files.length; f++) {
      if ((firstMatch[f] ?? -1) >= 0) keep[firstMatch[f] as number] = 1;
      if (useLast && (lastMatch[f] ?? -1) >= 0) keep[lastMatch[f] as number] = 1;
    }
    return keep;
  };
  let result = render(parsed, withEnds(true), context);
  if (result.text.length <= budgetChars) return result;
  result = render(parsed, withEnds(false), context);
  if (result.text.length <= budgetChars) return result;

  // Too many files: keep the first match of files in order while they fit; the rest fold by run.
  const keep = base.slice();
  let used = render(parsed, keep, context).text.length;
  const hasKept = new Uint8Array(files.length);
  tags.forEach((tag, i) => {
    if (keep[i] && tag.file >= 0) hasKept[tag.file] = 1;
  });
  for (let f = 0; f < files.length; f++) {
    const first = firstMatch[f] ?? -1;
    if (hasKept[f] || first < 0) continue;
    const cost = (lines[first]?.length ?? 0) + 1 + MARKER_COST;
    if (used + cost > budgetChars) break;
    keep[first] = 1;
    used += cost;
  }
  return render(parsed, keep, context);
}

interface FileTally {
  matches: number;
  contexts: number;
}

// Emits kept lines verbatim, one marker per partly kept file (at its first omitted line) and one
// marker per run of fully omitted files.
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
  const fileMarked = new Uint8Array(files.length);
  const covered = new Uint8Array(lines.length);
  let lastWasGap = true;
  const pushMarker = (count: number, unit: string, detail: string | undefined): void => {
    out.push(formatMarker({ count, unit, hash: context.hash, ...(detail ? { detail } : {}) }));
    omissions.push({ count, unit });
    lastWasGap = false;
  };
  for (let i = 0; i < lines.length; i++) {
    const tag = tags[i] as (typeof tags)[number];
    const line = lines[i] ?? "";
    if (shown(i)) {
      out.push(line);
      lastWasGap = false;
      continue;
    }
    if (tag.kind === "separator" || tag.kind === "blank") {
      if (!lastWasGap && shown(i + 1)) {
        out.push(line);
        lastWasGap = true;
      }
      continue;
    }
    if ((tag.kind !== "match" && tag.kind !== "context") || covered[i]) continue;
    if (keptInFile[tag.file]) {
      const tally = omittedByFile[tag.file] as FileTally;
      // The marker goes where the first omitted match was (after the kept first match, usually).
      if (fileMarked[tag.file] || (tag.kind === "context" && tally.matches > 0)) continue;
      fileMarked[tag.file] = 1;
      if (tally.matches > 0) pushMarker(tally.matches, "matches", tally.contexts > 0 ? `and ${tally.contexts} context lines` : undefined);
      else pushMarker(tally.contexts, "context lines", undefined);
      continue;
    }
    // A run of wholly omitted files, up to the next shown line.
    const runFiles: number[] = [];
    const inRun = new Set<number>();
    let j = i;
    let matches = 0;
    let contexts = 0;
    for (; j < lines.length && !shown(j); j++) {
      const t = tags[j] as (typeof tags)[number];
      if (t.kind === "other") break;
      if (t.kind !== "match" && t.kind !== "context") continue;
      if (keptInFile[t.file]) break;
      covered[j] = 1;
      if (!inRun.has(t.file)) {
        inRun.add(t.file);
        runFiles.push(t.file);
      }
      if (t.kind === "match") matches++;
      else contexts++;
    }
    const detail = describeRun(runFiles, files, omittedByFile, contexts);
    if (matches > 0) pushMarker(matches, "matches", detail);
    else pushMarker(contexts, "context lines", detail);
  }
  return { text: out.join("\n"), omissions };
}

// "in 12 files: src/a.ts 40, src/b.ts 3, +10 more files" (busiest files first).
function describeRun(runFiles: readonly number[], files: readonly string[], tally: readonly FileTally[], contexts: number): string {
  const ordered = [...runFiles].sort((a, b) => (tally[b]?.matches ?? 0) - (tally[a]?.matches ?? 0) || a - b);
  const parts: string[] = [];
  let length = 0;
  let listed = 0;
  for (const f of ordered) {
    const name = (files[f] ?? "").replace(/[[\]\n·]/g, "_") || "(stdin)";
    const part = `${name} ${tally[f]?.matches ?? 0}`;
    if (listed > 0 && length + part.length > MAX_DETAIL) break;
    parts.push(part);
    length += part.length + 2;
    listed++;
  }
  if (listed < ordered.length) parts.push(`+${ordered.length - listed} more files`);
  const head = ordered.length === 1 ? "in" : `in ${ordered.length} files:`;
  const tail = contexts > 0 ? `; and ${contexts} context lines` : "";
  return `${head} ${parts.join(", ")}${tail}`;
}
