// Everything the router has no better compressor for: fold duplicate lines losslessly, then keep the
// head and the tail within budget plus middle lines that match the query or look like errors.
import { estimateTokens } from "../pipeline/budget.js";
import { emitRuns, foldRepeatsText, keepHeadTail, keptSize, toRuns } from "./fold.js";
import { classifyLine, LINE_ERROR, LINE_QUERY, LINE_WARNING } from "./log.js";
import type { CompressContext, CompressResult, Compressor } from "./types.js";

const MIN_HEAD = 5;
const MIN_TAIL = 5;
const CONTEXT = 1;
const HEAD_SHARE = 0.5;

/**
 * Generic text compressor. Returns null when nothing can be gained.
 * @example compressText(helpPage, context) // head + "[812 lines omitted: 3 query matches kept · ...]" + tail
 */
export const compressText: Compressor = (text: string, context: CompressContext): CompressResult | null => {
  const folded = foldRepeatsText(text);
  if (context.losslessOnly || (folded !== null && estimateTokens(folded) <= context.budget)) {
    return folded === null ? null : { text: folded, omissions: [] };
  }
  const lines = text.split("\n");
  const runs = toRuns(lines);
  const n = runs.length;
  const keep = new Uint8Array(n);
  const hasQuery = context.query.terms.length > 0 || context.query.entities.length > 0;
  for (let i = 0; i < n; i++) {
    const flags = classifyLine(lines[runs[i]?.start ?? 0] ?? "", hasQuery ? context.query : undefined);
    if (!(flags & (LINE_ERROR | LINE_WARNING | LINE_QUERY))) continue;
    for (let k = Math.max(0, i - CONTEXT); k <= Math.min(n - 1, i + CONTEXT); k++) keep[k] = 1;
  }
  const must = keptSize(runs, lines, keep);
  keepHeadTail(runs, lines, keep, context.budget * 4 - must, MIN_HEAD, MIN_TAIL, () => true, HEAD_SHARE);
  const result = emitRuns(runs, lines, keep, { hash: context.hash, unit: "lines", detail: () => undefined });
  if (result.omissions.length === 0 || result.text.length >= text.length) return null;
  return result;
};
