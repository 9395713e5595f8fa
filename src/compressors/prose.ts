// Extractive prose compressor (READMEs, changelogs, licence texts, plain documentation): the text is
// cut into sentences (headings, table rows, list items and fenced code blocks are units of their
// own), the units that answer the query, open the document or a section, or carry facts are kept in
// their original order, byte for byte, and each run of dropped units becomes one marker. Line-numbered
// file reads are chosen by whole lines instead, each kept line with its own number.
import { formatMarker } from "../ccr/marker.js";
import { estimateTokens } from "../pipeline/budget.js";
import { joinNumbered, splitLineNumbers, type NumberedLines } from "./line-numbers.js";
import { selectUnits } from "./prose-select.js";
import { splitProse, type ProseUnit } from "./prose-split.js";
import type { CompressContext, CompressResult, Compressor, Omission } from "./types.js";

/**
 * Prose compressor. Returns null in lossless-only mode and when nothing would be saved.
 * @example compressProse(readme, context) // "# Title\n\nFirst sentence.\n[40 sentences omitted · ...]\nThe answer."
 */
export const compressProse: Compressor = (text: string, context: CompressContext): CompressResult | null => {
  if (context.losslessOnly || estimateTokens(text) <= context.budget) return null;
  const numbered = splitLineNumbers(text);
  const body = numbered ? numbered.lines.join("\n") : text;
  const units = splitProse(body, numbered ? "lines" : "sentences");
  if (units.length < 2) return null;
  const keep = selectUnits(body, units, context.query, context.budget * 4);
  const result = numbered ? emitLines(numbered, units, keep, context.hash) : emitSentences(text, units, keep, context.hash);
  if (result.omissions.length === 0 || result.text.length >= text.length) return null;
  return result;
};

// Kept units with the whitespace between them as it was; a dropped run becomes one marker on a line
// of its own (a kept sentence from the middle of a paragraph then starts its own line).
function emitSentences(text: string, units: readonly ProseUnit[], keep: Uint8Array, hash: string): CompressResult {
  const out: string[] = [];
  const omissions: Omission[] = [];
  const gapBefore = (k: number) => text.slice(k === 0 ? 0 : (units[k - 1] as ProseUnit).end, (units[k] as ProseUnit).start);
  const onNewLine = (gap: string) => (gap.includes("\n") ? gap : "\n");
  let dropped = -1; // first unit of the current dropped run
  const flush = (next: number) => {
    const omission = omissionOf(units, dropped, next);
    omissions.push(omission);
    // The line break before the marker, without the indentation of what was dropped.
    if (dropped > 0) {
      const gap = onNewLine(gapBefore(dropped));
      out.push(gap.slice(0, gap.lastIndexOf("\n") + 1));
    }
    out.push(formatMarker({ ...omission, detail: detailOf(units, dropped, next), hash }));
    dropped = -1;
  };
  for (let k = 0; k < units.length; k++) {
    if (!keep[k]) {
      if (dropped < 0) dropped = k;
      continue;
    }
    if (dropped >= 0) {
      flush(k);
      out.push(onNewLine(gapBefore(k)));
    } else out.push(gapBefore(k));
    const unit = units[k] as ProseUnit;
    out.push(text.slice(unit.start, unit.end));
  }
  if (dropped >= 0) flush(units.length);
  out.push(text.slice(units.at(-1)?.end ?? text.length));
  return { text: out.join(""), omissions };
}

function omissionOf(units: readonly ProseUnit[], from: number, to: number): Omission {
  const count = to - from;
  return { count, unit: count === 1 ? "sentence" : "sentences" };
}

// Says which of the dropped units were not sentences (code blocks, table rows, headings).
function detailOf(units: readonly ProseUnit[], from: number, to: number): string | undefined {
  const counts = { fence: 0, row: 0, heading: 0 };
  for (let k = from; k < to; k++) {
    const kind = (units[k] as ProseUnit).kind;
    if (kind !== "sentence") counts[kind]++;
  }
  const parts: string[] = [];
  if (counts.fence > 0) parts.push(`${counts.fence} code block${counts.fence === 1 ? "" : "s"}`);
  if (counts.row > 0) parts.push(`${counts.row} table row${counts.row === 1 ? "" : "s"}`);
  if (counts.heading > 0) parts.push(`${counts.heading} heading${counts.heading === 1 ? "" : "s"}`);
  return parts.length > 0 ? `incl. ${parts.join(", ")}` : undefined;
}

// Numbered reads: whole lines with their own numbers; a blank line stays when the lines around it stay.
function emitLines(numbered: NumberedLines, units: readonly ProseUnit[], keep: Uint8Array, hash: string): CompressResult {
  const count = numbered.lines.length;
  const state = new Int8Array(count).fill(-1); // -1 blank (decided below), 0 dropped, 1 kept
  for (let k = 0; k < units.length; k++) {
    const unit = units[k] as ProseUnit;
    for (let line = unit.lineFrom; line <= unit.lineTo; line++) state[line] = keep[k] ? 1 : 0;
  }
  // Whether the nearest unit line after each line is kept (one backward pass, so blank runs stay linear).
  const keptAfter = new Uint8Array(count + 1).fill(1);
  for (let line = count - 1; line >= 0; line--) keptAfter[line] = (state[line] ?? -1) >= 0 ? (state[line] === 1 ? 1 : 0) : (keptAfter[line + 1] ?? 1);
  let keptBefore = true;
  for (let line = 0; line < count; line++) {
    if ((state[line] ?? -1) >= 0) {
      keptBefore = state[line] === 1;
      continue;
    }
    state[line] = keptBefore && keptAfter[line + 1] === 1 ? 2 : 3; // decided blanks: 2 kept, 3 dropped
  }
  const kept: number[] = [];
  const markers = new Map<number, string>();
  const omissions: Omission[] = [];
  let run = 0;
  for (let line = 0; line <= count; line++) {
    const keepLine = line < count && (state[line] === 1 || state[line] === 2);
    if (line < count && !keepLine) {
      run++;
      continue;
    }
    if (run > 0) {
      const omission = { count: run, unit: run === 1 ? "line" : "lines" };
      omissions.push(omission);
      markers.set(line, formatMarker({ ...omission, hash }));
      run = 0;
    }
    if (line < count) kept.push(line);
  }
  return { text: joinNumbered(numbered, kept, markers), omissions };
}
