// Unified diffs (git diff, git log -p, diff -u): keep file headers, hunk headers and every changed
// line; trim unchanged context to the lines next to a change; still over budget, long runs of added or
// removed lines (new files, rewrites) keep their ends and their map (diff-runs.ts); drop whole hunks
// only when far over budget.
import { formatMarker } from "../ccr/marker.js";
import { estimateTokens } from "../pipeline/budget.js";
import { gapMarker, hasLongRuns, trimRuns, type ChangeRun } from "./diff-runs.js";
import { foldRepeatsText } from "./fold.js";
import { matchesQuery } from "./log.js";
import type { CompressContext, CompressResult, Compressor, Omission } from "./types.js";

const enum Kind {
  Header,
  Hunk,
  Add,
  Del,
  Context,
  Note,
}

interface Hunk {
  readonly from: number; // index of the @@ line
  readonly to: number; // one past its last line
  readonly first: boolean; // first hunk of its file
}

const HUNK_RE = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/;
const HUNK_START_RE = /^@@ -(\d+)(?:,\d+)? \+(\d+)/;
const WIDE_CONTEXT = 2;
const NARROW_CONTEXT = 1;
const FAR_OVER = 2;
const MIN_TRIM = 3;

/** Classifies every line and finds the hunks, following the @@ line counts. */
export function parseUnifiedDiff(lines: readonly string[]): { kinds: Uint8Array; hunks: Hunk[] } {
  const kinds = new Uint8Array(lines.length);
  const hunks: Hunk[] = [];
  let oldLeft = 0;
  let newLeft = 0;
  let hunkStart = -1;
  let firstInFile = true;
  const close = (end: number) => {
    if (hunkStart >= 0) hunks.push({ from: hunkStart, to: end, first: firstInFile });
    if (hunkStart >= 0) firstInFile = false;
    hunkStart = -1;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (hunkStart >= 0 && (oldLeft > 0 || newLeft > 0)) {
      const c = line.charCodeAt(0);
      if (c === 32 || line.length === 0) (kinds[i] = Kind.Context), oldLeft--, newLeft--;
      else if (c === 45) (kinds[i] = Kind.Del), oldLeft--;
      else if (c === 43) (kinds[i] = Kind.Add), newLeft--;
      else if (c === 92) kinds[i] = Kind.Note;
      else close(i), (oldLeft = newLeft = 0), (i -= 1);
      continue;
    }
    if (hunkStart >= 0 && line.charCodeAt(0) === 92) {
      kinds[i] = Kind.Note;
      continue;
    }
    const hunk = HUNK_RE.exec(line);
    if (hunk) {
      close(i);
      hunkStart = i;
      kinds[i] = Kind.Hunk;
      oldLeft = hunk[1] === undefined ? 1 : Number(hunk[1]);
      newLeft = hunk[2] === undefined ? 1 : Number(hunk[2]);
      continue;
    }
    close(i);
    kinds[i] = Kind.Header;
    if (line.startsWith("diff ") || line.startsWith("--- ")) firstInFile = true;
  }
  close(lines.length);
  return { kinds, hunks };
}

// Keeps headers, changes and context lines within `width` of a change inside the same hunk.
function selectLines(kinds: Uint8Array, hunks: readonly Hunk[], width: number): Uint8Array {
  const keep = new Uint8Array(kinds.length);
  for (let i = 0; i < kinds.length; i++) if (kinds[i] !== Kind.Context) keep[i] = 1;
  for (const hunk of hunks) {
    let lastChange = -Infinity;
    for (let i = hunk.from; i < hunk.to; i++) {
      const kind = kinds[i];
      if (kind === Kind.Add || kind === Kind.Del) {
        for (let k = Math.max(hunk.from, i - width); k < i; k++) keep[k] = 1;
        lastChange = i;
      } else if (kind === Kind.Context && i - lastChange <= width) keep[i] = 1;
    }
  }
  return keep;
}

function size(lines: readonly string[], keep: Uint8Array): number {
  let total = 0;
  for (let i = 0; i < lines.length; i++) if (keep[i]) total += (lines[i] ?? "").length + 1;
  return total;
}

/**
 * Compresses a unified diff. Changed lines and headers are kept verbatim; returns null when nothing can be gained.
 * @example compressDiff(gitDiffOutput, context) // "[14 context lines omitted · headroom_retrieve hash=...]"
 */
export const compressDiff: Compressor = (text: string, context: CompressContext): CompressResult | null => {
  const folded = foldRepeatsText(text);
  if (context.losslessOnly || (folded !== null && estimateTokens(folded) <= context.budget)) {
    return folded === null ? null : { text: folded, omissions: [] };
  }
  const lines = text.split("\n");
  const { kinds, hunks } = parseUnifiedDiff(lines);
  if (hunks.length === 0) return null;
  const budgetChars = context.budget * 4;
  let keep = selectLines(kinds, hunks, WIDE_CONTEXT);
  if (size(lines, keep) > budgetChars) keep = selectLines(kinds, hunks, NARROW_CONTEXT);
  const runs = findRuns(lines, kinds, hunks);
  const runAt = new Int32Array(lines.length).fill(-1);
  if (size(lines, keep) > budgetChars && hasLongRuns(runs)) {
    trimRuns(lines, runs, keep, budgetChars, context.query);
    runs.forEach((run, r) => runAt.fill(r, run.from, run.to));
  }

  const dropped = new Uint8Array(lines.length);
  let total = size(lines, keep);
  if (total > FAR_OVER * budgetChars) {
    // Far over budget: keep hunks in order while they fit (first hunk of each file and query matches always).
    let used = total;
    for (let i = 0; i < lines.length; i++) if (kinds[i] !== Kind.Header) used -= keep[i] ? (lines[i] ?? "").length + 1 : 0;
    for (const hunk of hunks) {
      let hunkSize = 0;
      let relevant = false;
      const hasQuery = context.query.terms.length > 0 || context.query.entities.length > 0;
      for (let i = hunk.from; i < hunk.to; i++) {
        if (keep[i]) hunkSize += (lines[i] ?? "").length + 1;
        if (hasQuery && kinds[i] !== Kind.Context && matchesQuery(lines[i] ?? "", context.query)) relevant = true;
      }
      if (hunk.first || relevant || used + hunkSize <= FAR_OVER * budgetChars) used += hunkSize;
      else for (let i = hunk.from; i < hunk.to; i++) dropped[i] = 1;
    }
    total = used;
  }
  return emit(lines, kinds, keep, dropped, { runs, runAt }, context.hash, text.length);
};

// The runs of consecutive added (or removed) lines of every hunk, with their file and line numbers.
function findRuns(lines: readonly string[], kinds: Uint8Array, hunks: readonly Hunk[]): ChangeRun[] {
  const runs: ChangeRun[] = [];
  let oldPath = "";
  let newPath = "";
  let h = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const hunk = hunks[h];
    if (!hunk || i < hunk.from) {
      if (kinds[i] !== Kind.Header) continue;
      if (line.startsWith("diff ")) oldPath = newPath = "";
      else if (line.startsWith("--- ")) oldPath = pathOf(line);
      else if (line.startsWith("+++ ")) newPath = pathOf(line);
      continue;
    }
    const start = HUNK_START_RE.exec(lines[hunk.from] ?? "");
    let oldNo = Number(start?.[1] ?? 1);
    let newNo = Number(start?.[2] ?? 1);
    for (let k = hunk.from + 1; k < hunk.to; ) {
      const kind = kinds[k];
      if (kind !== Kind.Add && kind !== Kind.Del) {
        if (kind === Kind.Context) oldNo++, newNo++;
        k++;
        continue;
      }
      let end = k;
      while (end < hunk.to && kinds[end] === kind) end++;
      const added = kind === Kind.Add;
      const path = added ? (newPath === "/dev/null" ? "" : newPath) : oldPath === "/dev/null" ? "" : oldPath;
      runs.push({ from: k, to: end, added, lineNo: added ? newNo : oldNo, path });
      if (added) newNo += end - k;
      else oldNo += end - k;
      k = end;
    }
    i = hunk.to - 1;
    h++;
  }
  return runs;
}

// "--- a/lib/x.js\t2024-01-01 ..." -> "a/lib/x.js"
function pathOf(header: string): string {
  const rest = header.slice(4);
  const tab = rest.indexOf("\t");
  return (tab >= 0 ? rest.slice(0, tab) : rest).trim();
}

// One marker per maximal span: "hunks" for dropped hunks, "context lines" for trimmed context,
// "added lines" / "removed lines" for what a long run left out.
function emit(
  lines: readonly string[],
  kinds: Uint8Array,
  keep: Uint8Array,
  dropped: Uint8Array,
  trimmed: { readonly runs: readonly ChangeRun[]; readonly runAt: Int32Array },
  hash: string,
  originalLength: number,
): CompressResult | null {
  const out: string[] = [];
  const omissions: Omission[] = [];
  let i = 0;
  while (i < lines.length) {
    if (dropped[i]) {
      let hunkCount = 0;
      let adds = 0;
      let dels = 0;
      const from = i;
      for (; i < lines.length && dropped[i]; i++) {
        if (kinds[i] === Kind.Hunk) hunkCount++;
        else if (kinds[i] === Kind.Add) adds++;
        else if (kinds[i] === Kind.Del) dels++;
      }
      const detail = `${i - from} lines, +${adds} -${dels}`;
      out.push(formatMarker({ count: hunkCount, unit: "hunks", detail, hash }));
      omissions.push({ count: hunkCount, unit: "hunks" });
    } else if (keep[i]) {
      out.push(lines[i++] ?? "");
    } else if ((trimmed.runAt[i] ?? -1) >= 0) {
      // Left out of a long run of added or removed lines: one marker per stretch.
      const r = trimmed.runAt[i] ?? -1;
      const run = trimmed.runs[r] as ChangeRun;
      const from = i;
      while (i < lines.length && !keep[i] && !dropped[i] && trimmed.runAt[i] === r) i++;
      const gap = gapMarker(run, from, i, lines, hash);
      if (!gap) {
        for (let k = from; k < i; k++) out.push(lines[k] ?? "");
        continue;
      }
      out.push(gap.text);
      omissions.push(gap.omission);
    } else {
      const from = i;
      let chars = 0;
      while (i < lines.length && !keep[i] && !dropped[i] && (trimmed.runAt[i] ?? -1) < 0) chars += (lines[i++] ?? "").length + 1;
      const marker = formatMarker({ count: i - from, unit: "context lines", hash });
      // A marker longer than the lines it would replace is no gain: keep them.
      if (i - from < MIN_TRIM || chars <= marker.length + 1) {
        for (let k = from; k < i; k++) out.push(lines[k] ?? "");
        continue;
      }
      out.push(marker);
      omissions.push({ count: i - from, unit: "context lines" });
    }
  }
  const text = out.join("\n");
  if (omissions.length === 0 || text.length >= originalLength) return null;
  return { text, omissions };
}
