// Query relevance shared by the search, listing and json compressors. A query token only counts when
// it is discriminative: found in some candidates but not in most of them (the grep pattern itself is
// part of the query and matches every line of its own output, so it must not make every line "relevant").
import type { Query } from "./types.js";

interface Needle {
  readonly text: string;
  readonly exact: boolean;
  readonly weight: number;
}

const MAX_NEEDLES = 64;

function needlesOf(query: Query): Needle[] {
  const seen = new Set<string>();
  const needles: Needle[] = [];
  for (const entity of query.entities) {
    if (entity.length < 2 || seen.has(`e:${entity}`)) continue;
    seen.add(`e:${entity}`);
    needles.push({ text: entity, exact: true, weight: 2 });
  }
  for (const term of query.terms) {
    const lower = stem(fold(term.toLowerCase()));
    if (lower.length < 3 || seen.has(`t:${lower}`)) continue;
    seen.add(`t:${lower}`);
    needles.push({ text: lower, exact: false, weight: 1 });
  }
  return needles.slice(0, MAX_NEEDLES);
}

// Terms match across identifier styles: "headersTimeout", "HEADERS_TIMEOUT" and "headers-timeout"
// all fold to "headerstimeout" (lower case, without "_" and "-").
function fold(text: string): string {
  return text.indexOf("_") < 0 && text.indexOf("-") < 0 ? text : text.replace(/[_-]+/g, "");
}

// A light suffix strip so that "crashing" finds "crashes" and "duplicated" finds "duplicates".
const SUFFIXES = ["ing", "ed", "es", "s"];
function stem(term: string): string {
  for (const suffix of SUFFIXES) {
    if (term.endsWith(suffix) && term.length - suffix.length >= 5) return term.slice(0, -suffix.length);
  }
  return term;
}

/** True when the query has anything to look for. */
export function hasNeedles(query: Query): boolean {
  return query.entities.length > 0 || query.terms.length > 0;
}

/**
 * Scores each candidate text against the query: 0 means not relevant. A needle found in more than
 * `maxShare` of the candidates (and more than 2 of them) is ignored as not discriminative. A needle's
 * gain is its rarity, log(1 + candidates / hits), to the `power`: above 1, rare words count for more.
 */
export function relevanceScores(candidates: readonly string[], query: Query, maxShare = 0.5, power = 1): number[] {
  const scores = new Array<number>(candidates.length).fill(0);
  const needles = needlesOf(query);
  if (needles.length === 0 || candidates.length === 0) return scores;
  let lowered: string[] | undefined;
  const limit = Math.max(2, Math.floor(candidates.length * maxShare));
  const hits: number[] = [];
  for (const needle of needles) {
    const haystacks = needle.exact ? candidates : (lowered ??= candidates.map((c) => fold(c.toLowerCase())));
    hits.length = 0;
    for (let i = 0; i < haystacks.length; i++) {
      if ((haystacks[i] ?? "").includes(needle.text)) {
        hits.push(i);
        if (hits.length > limit) break;
      }
    }
    if (hits.length === 0 || hits.length > limit) continue;
    const gain = needle.weight * Math.log(1 + candidates.length / hits.length) ** power;
    for (const i of hits) scores[i] = (scores[i] ?? 0) + gain;
  }
  return scores;
}

/** Whether one text contains a query entity (exact, case kept); terms are too common to decide alone. */
export function mentionsEntity(text: string, query: Query): boolean {
  for (const entity of query.entities) if (entity.length >= 3 && text.includes(entity)) return true;
  return false;
}
