// Which prose units to keep within a budget: headings first (cheap, and they are the document's map),
// then the best query matches even past the budget, then the rest best-first while it fits. A kept
// unit brings its section's heading along when that fits too.
import type { ProseUnit } from "./prose-split.js";
import { scoreUnits } from "./prose-score.js";
import { keepCost } from "./text-rank.js";
import type { Query } from "./types.js";

/** What a marker costs in characters, roughly (one per dropped run). */
export const MARKER_CHARS = 72;
/** Headings may take this share of the budget; past it the deeper levels go first. */
const HEADING_SHARE = 0.35;
/** The best query matches are kept even past the budget: the answer matters more than the target. */
const ALWAYS_TOP = 3;
/** A forced match must score at least this (relative to the best) ... */
const FORCED_MIN = 0.5;
/** ... and be no longer than this many characters. */
const FORCED_MAX_CHARS = 2_000;

/**
 * Keep flags per unit (1 = keep), for a budget in characters.
 * @example selectUnits(text, splitProse(text, "sentences"), query, 3200)
 */
export function selectUnits(text: string, units: readonly ProseUnit[], query: Query, budgetChars: number): Uint8Array {
  const n = units.length;
  const keep = new Uint8Array(n);
  const size = (k: number) => (units[k] as ProseUnit).end - (units[k] as ProseUnit).start + 1;
  let left = budgetChars;
  const take = (k: number) => {
    left -= keepCost(k, k, keep, size, MARKER_CHARS);
    keep[k] = 1;
  };

  const headingOf = new Map<number, number>();
  const headings: number[] = [];
  for (let k = 0; k < n; k++) {
    const unit = units[k] as ProseUnit;
    if (unit.kind !== "heading") continue;
    headings.push(k);
    headingOf.set(unit.section, k);
  }
  headings.sort((a, b) => (units[a] as ProseUnit).level - (units[b] as ProseUnit).level || a - b);
  let headingChars = budgetChars * HEADING_SHARE;
  for (const k of headings) {
    const cost = keepCost(k, k, keep, size, MARKER_CHARS);
    if (cost > headingChars) continue;
    headingChars -= cost;
    take(k);
  }

  // A kept unit's section heading comes along when it fits (it says what the unit is about).
  const withHeading = (k: number) => {
    take(k);
    const h = headingOf.get((units[k] as ProseUnit).section);
    if (h !== undefined && !keep[h] && keepCost(h, h, keep, size, MARKER_CHARS) <= left) take(h);
  };

  const scores = scoreUnits(text, units, query);
  const matches: number[] = [];
  for (let k = 0; k < n; k++) if ((scores.query[k] ?? 0) >= FORCED_MIN && (units[k] as ProseUnit).kind !== "heading") matches.push(k);
  matches.sort((a, b) => (scores.query[b] ?? 0) - (scores.query[a] ?? 0) || a - b);
  for (const k of matches.slice(0, ALWAYS_TOP)) if (size(k) <= FORCED_MAX_CHARS) withHeading(k);

  const order = Array.from({ length: n }, (_, k) => k);
  order.sort((a, b) => (scores.total[b] ?? 0) - (scores.total[a] ?? 0) || a - b);
  for (const k of order) {
    if (keep[k]) continue;
    if (left <= 0) break;
    if (keepCost(k, k, keep, size, MARKER_CHARS) <= left) withHeading(k);
  }
  return keep;
}
