// Scores of prose units for extractive selection: query relevance (BM25 over the query's terms, with
// document frequencies from this text's units, plus the query's exact entities), the unit's own
// entities (numbers, identifiers, paths, quoted strings, versions) and its position (the opening of
// the document and of each section say what follows).
import type { ProseUnit } from "./prose-split.js";
import type { Query } from "./types.js";

const K1 = 1.2;
const B = 0.75;
/** An exact query entity counts this many times a term of the same rarity. */
const ENTITY_BOOST = 1.5;
// Weights relative to the best query match (1 after normalising).
const QUERY_WEIGHT = 2;
const SECTION_WEIGHT = 0.35;
const OWN_ENTITY_WEIGHT = 0.06;
const OWN_ENTITY_CAP = 3;
const DOC_OPENING = [0.6, 0.4, 0.25];
const SECTION_OPENING = [0.3, 0.12];
const BLOCK_FIRST = 0.05;

const MD_LINK_RE = /!?\[(?:[^[\]\n]|\[[^\]\n]*\])*\]\([^)\s]*\)/g;
/** A unit whose text is less than this share of words outside links is decoration (no opening bonus). */
const DECORATION_SHARE = 0.2;
const WORD_RE = /[A-Za-z0-9_][A-Za-z0-9_.-]*[A-Za-z0-9_]/g;
const COMPOUND_RE = /[._-]|[a-z0-9][A-Z]/;
// Paths start at a word start only (a scan from every character would be quadratic in long words).
const OWN_ENTITY_RE = /\bv?\d+\.\d+(?:\.\d+)*\b|\b\d{2,}\b|`[^`\n]{2,60}`|"[^"\n]{2,60}"|(?<![\w.-])[\w.-]*\/[\w./-]+|\b[a-z]+[A-Z]\w*|\b\w+_\w+\b/g;

export interface UnitScores {
  /** Total score per unit. */
  readonly total: Float64Array;
  /** Query relevance per unit, normalised so the best match is 1 (all 0 without a match). */
  readonly query: Float64Array;
}

/**
 * Scores every unit of `text` (units from splitProse).
 * @example scoreUnits(text, units, buildQuery("proxy agent")).query // 1 for the best match
 */
export function scoreUnits(text: string, units: readonly ProseUnit[], query: Query): UnitScores {
  const n = units.length;
  const relevance = queryRelevance(text, units, query);
  let best = 0;
  for (let k = 0; k < n; k++) best = Math.max(best, relevance[k] ?? 0);
  const normalised = new Float64Array(n);
  if (best > 0) for (let k = 0; k < n; k++) normalised[k] = (relevance[k] ?? 0) / best;

  // The best match in a section lends it weight: the example or the caveat next to the answer.
  const sectionBest = new Map<number, number>();
  for (let k = 0; k < n; k++) {
    const unit = units[k] as ProseUnit;
    sectionBest.set(unit.section, Math.max(sectionBest.get(unit.section) ?? 0, normalised[k] ?? 0));
  }

  const total = new Float64Array(n);
  let docOrdinal = 0;
  let sectionOrdinal = 0;
  let section = -1;
  for (let k = 0; k < n; k++) {
    const unit = units[k] as ProseUnit;
    if (unit.section !== section) {
      section = unit.section;
      sectionOrdinal = 0;
    }
    let score = QUERY_WEIGHT * (normalised[k] ?? 0) + SECTION_WEIGHT * (sectionBest.get(unit.section) ?? 0);
    if (unit.kind !== "heading" && !isDecoration(text.slice(unit.start, unit.end))) {
      score += DOC_OPENING[docOrdinal] ?? 0;
      score += SECTION_OPENING[sectionOrdinal] ?? 0;
      if (unit.blockFirst) score += BLOCK_FIRST;
      docOrdinal++;
      sectionOrdinal++;
    }
    if (unit.kind === "sentence") score += OWN_ENTITY_WEIGHT * ownEntities(text.slice(unit.start, unit.end));
    total[k] = score;
  }
  return { total, query: normalised };
}

// Badge rows and link lists: Markdown links and images with hardly any words of their own.
function isDecoration(unit: string): boolean {
  if (!unit.includes("](")) return false;
  return unit.replace(MD_LINK_RE, "").replace(/\s+/g, "").length < unit.length * DECORATION_SHARE;
}

function ownEntities(sentence: string): number {
  let count = 0;
  OWN_ENTITY_RE.lastIndex = 0;
  while (OWN_ENTITY_RE.exec(sentence) && ++count < OWN_ENTITY_CAP);
  return count;
}

// BM25 of each unit against the query terms (words split like the query's: "requiredOption" also
// counts as "required" and "option"), plus exact entity hits weighted by their rarity.
function queryRelevance(text: string, units: readonly ProseUnit[], query: Query): Float64Array {
  const n = units.length;
  const scores = new Float64Array(n);
  const terms = [...new Set(query.terms.filter((t) => t.length >= 3))];
  const entities = [...new Set(query.entities.filter((e) => e.length >= 3 && !e.includes("\n")))];
  if (n === 0 || (terms.length === 0 && entities.length === 0)) return scores;

  const termIndex = new Map(terms.map((t, i) => [t, i]));
  const freq = new Array<Map<number, number> | undefined>(n);
  const lengths = new Float64Array(n);
  const df = new Float64Array(terms.length);
  let totalLength = 0;
  for (let k = 0; k < n; k++) {
    const unit = units[k] as ProseUnit;
    const counts = new Map<number, number>();
    let length = 0;
    for (const match of text.slice(unit.start, unit.end).matchAll(WORD_RE)) {
      const word = match[0];
      length++;
      const lower = word.toLowerCase();
      countTerm(termIndex, counts, lower);
      if (COMPOUND_RE.test(word)) {
        const parts = new Set([...word.split(/[._-]+/), ...word.split(/(?<=[a-z0-9])(?=[A-Z])/)].map((p) => p.toLowerCase()));
        parts.delete(lower);
        for (const part of parts) countTerm(termIndex, counts, part);
      }
    }
    for (const t of counts.keys()) df[t] = (df[t] ?? 0) + 1;
    freq[k] = counts.size > 0 ? counts : undefined;
    lengths[k] = length;
    totalLength += length;
  }
  const average = Math.max(1, totalLength / n);
  const idf = (docs: number) => Math.log(1 + (n - docs + 0.5) / (docs + 0.5));
  for (let k = 0; k < n; k++) {
    const counts = freq[k];
    if (!counts) continue;
    const norm = K1 * (1 - B + (B * (lengths[k] ?? 0)) / average);
    let score = 0;
    for (const [t, tf] of counts) score += (idf(df[t] ?? 0) * tf * (K1 + 1)) / (tf + norm);
    scores[k] = score;
  }

  // Entities: exact, case kept; one indexOf scan each over the whole text, hits mapped to units.
  const unitStarts = units.map((u) => u.start);
  for (const entity of entities) {
    const hits = new Set<number>();
    for (let pos = text.indexOf(entity); pos >= 0; pos = text.indexOf(entity, pos + entity.length)) {
      const k = unitAt(unitStarts, pos);
      if (k >= 0 && pos + entity.length <= (units[k] as ProseUnit).end) hits.add(k);
    }
    if (hits.size === 0) continue;
    const weight = ENTITY_BOOST * idf(hits.size);
    for (const k of hits) scores[k] = (scores[k] ?? 0) + weight;
  }
  return scores;
}

function countTerm(termIndex: ReadonlyMap<string, number>, counts: Map<number, number>, word: string): void {
  const t = termIndex.get(word);
  if (t !== undefined) counts.set(t, (counts.get(t) ?? 0) + 1);
}

// Index of the last unit starting at or before `pos` (-1 before the first).
function unitAt(starts: readonly number[], pos: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  if (hi < 0 || (starts[0] ?? 0) > pos) return -1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= pos) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
