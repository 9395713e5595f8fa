// Query relevance for the text compressor: each query word or entity weighs by how rare it is in this
// text (a word on every line singles nothing out), and a line scores the weights of what it mentions.
import type { Query } from "./types.js";

// Words on more than this share of the lines carry no weight.
const COMMON_SHARE = 0.25;
const ENTITY_BOOST = 1.5;

/**
 * Relevance score per line (0 when it matches nothing selective). `lines[k]` for k in `at`.
 * @example lineScores(["a b", "mandatory x"], [0, 1], query) // [0, 1.1]
 */
export function lineScores(lines: readonly string[], at: ArrayLike<number>, query: Query): Float64Array {
  const n = at.length;
  const scores = new Float64Array(n);
  const terms = query.terms.filter((t) => t.length >= 3 && !t.includes("\n"));
  const entities = query.entities.filter((e) => e.length >= 3 && !e.includes("\n"));
  if (n === 0 || (terms.length === 0 && entities.length === 0)) return scores;
  // One joined string per case and one indexOf scan per word: far cheaper than n includes() calls.
  const picked = new Array<string>(n);
  for (let k = 0; k < n; k++) picked[k] = lines[at[k] ?? 0] ?? "";
  // Lower-cased line by line: lower-casing can change a line's length ("İ"), so each form has its own offsets.
  const lowered = picked.map((line) => line.toLowerCase());
  const original = { text: picked.join("\n"), starts: lineStarts(picked) };
  const lower = { text: lowered.join("\n"), starts: lineStarts(lowered) };
  const limit = Math.max(3, n * COMMON_SHARE);
  const addWeighted = ({ text: haystack, starts }: { text: string; starts: Float64Array }, word: string, boost: number) => {
    const hits: number[] = [];
    let pos = haystack.indexOf(word);
    let k = 0;
    while (pos >= 0) {
      while ((starts[k + 1] ?? Infinity) <= pos) k++; // the line holding pos (positions only grow)
      hits.push(k);
      if (hits.length > limit) return;
      pos = haystack.indexOf(word, starts[k + 1] ?? haystack.length);
    }
    if (hits.length === 0) return;
    const weight = boost * Math.log((n + 1) / (hits.length + 0.5));
    if (weight <= 0) return;
    for (const hit of hits) scores[hit] = (scores[hit] ?? 0) + weight;
  };
  for (const term of terms) addWeighted(lower, term, 1);
  for (const entity of entities) addWeighted(original, entity, ENTITY_BOOST);
  return scores;
}

function lineStarts(lines: readonly string[]): Float64Array {
  const starts = new Float64Array(lines.length + 1);
  for (let k = 0; k < lines.length; k++) starts[k + 1] = (starts[k] ?? 0) + (lines[k] ?? "").length + 1;
  return starts;
}

// Declarations in common languages: where a reader of a source file finds its way.
const SIGNATURE_RE =
  /^\s{0,4}(?:export\s+)?(?:default\s+)?(?:async\s+)?(?:function\*?\s+[\w$]|class\s+[\w$]|def\s+\w|fn\s+\w|pub(?:\([\w:]+\))?\s+(?:fn|struct|enum|trait|mod)\s|func\s|interface\s+\w|type\s+\w+\s*=|struct\s+\w|impl\b|enum\s+\w|module\.exports\b)|^\s{0,4}(?:static\s+|async\s+|get\s+|set\s+|\*\s*)?#?[A-Za-z_$][\w$]*\s*\([^()]*\)\s*(?::\s*[^={]+)?\{\s*$/;
const NOT_SIGNATURE_RE = /^\s*(?:if|for|while|switch|catch|with|return|else)\b/;

/** True when the line looks like a function, class or type declaration. */
export function isSignature(line: string): boolean {
  return line.length <= 200 && SIGNATURE_RE.test(line) && !NOT_SIGNATURE_RE.test(line);
}

/**
 * Characters keeping lines from..to (inclusive) adds: the lines not kept yet, plus a marker's worth
 * when they open a new island instead of joining kept lines.
 */
export function keepCost(from: number, to: number, keep: Uint8Array, size: (i: number) => number, markerChars: number): number {
  let cost = 0;
  let fresh = false;
  for (let i = from; i <= to; i++) {
    if (keep[i]) continue;
    fresh = true;
    cost += size(i);
  }
  if (!fresh) return 0;
  const joins = (from > 0 && keep[from - 1]) || (to + 1 < keep.length && keep[to + 1]);
  return cost + (joins ? 0 : markerChars);
}
