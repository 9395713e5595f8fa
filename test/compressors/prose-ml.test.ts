import { describe, expect, it } from "vitest";
import { parseMarkers } from "../../src/ccr/marker.js";
import { compressProseWithProbabilities, proseWords } from "../../src/compressors/prose-ml.js";
import { contextFor } from "./contract.js";
import { readFixture } from "./fixtures.js";

// Synthetic scores that do not depend on position: longer words and words with digits score higher.
function scores(text: string): number[] {
  return proseWords(text).map((w) => Math.min(0.99, (/\d/.test(w) ? 0.5 : 0) + w.length / 20));
}

function withoutMarker(text: string): string {
  const markers = parseMarkers(text);
  const last = markers[markers.length - 1];
  return last ? text.slice(0, last.index) : text;
}

// True when `part` is `whole` with some elements removed (order kept).
function isSubsequence(part: readonly string[], whole: readonly string[]): boolean {
  let i = 0;
  for (const w of whole) if (i < part.length && part[i] === w) i++;
  return i === part.length;
}

describe("prose compressor with model probabilities", () => {
  const text = readFixture("prose", "gpl-3-head.txt");
  const words = proseWords(text);
  const probabilities = scores(text);
  const context = contextFor(text, { wordKeepProbabilities: probabilities });
  const result = compressProseWithProbabilities(text, context);

  it("keeps the most probable words, in their original order, with one marker at the end", () => {
    expect(result).not.toBeNull();
    const kept = proseWords(withoutMarker(result!.text));
    expect(isSubsequence(kept, words)).toBe(true);
    // Every kept word scores at least as high as every dropped one.
    const keptSet = new Set<number>();
    let at = 0;
    words.forEach((w, i) => {
      if (at < kept.length && kept[at] === w) {
        keptSet.add(i);
        at++;
      }
    });
    const lowestKept = Math.min(...[...keptSet].map((i) => probabilities[i]!));
    const highestDropped = Math.max(...probabilities.filter((_, i) => !keptSet.has(i)));
    expect(lowestKept).toBeGreaterThanOrEqual(highestDropped);

    const markers = parseMarkers(result!.text);
    expect(markers).toHaveLength(1);
    expect(markers[0]).toMatchObject({ count: words.length - kept.length, unit: "words", hash: context.hash });
    expect(result!.text.endsWith("]")).toBe(true);
    expect(result!.omissions).toEqual([{ count: words.length - kept.length, unit: "words" }]);
  });

  it("fits the budget (about 4 characters a token), marker included", () => {
    expect(result!.text.length).toBeLessThanOrEqual(context.budget * 4);
    expect(result!.text.length).toBeGreaterThan(context.budget * 4 * 0.8);
  });

  it("is deterministic", () => {
    expect(compressProseWithProbabilities(text, context)).toEqual(result);
  });

  it("breaks ties by position: equal scores keep the first words", () => {
    const flat = contextFor(text, { wordKeepProbabilities: words.map(() => 0.5) });
    const kept = proseWords(withoutMarker(compressProseWithProbabilities(text, flat)!.text));
    expect(kept).toEqual(words.slice(0, kept.length));
  });

  it("keeps line and paragraph breaks between kept words", () => {
    const small = "alpha beta\ngamma delta\n\nepsilon zeta";
    const long = `${small}\n`.repeat(30);
    const longProbs = proseWords(long).map((_, i) => [0.9, 0.1, 0.9, 0.9, 0.1, 0.9][i % 6]!);
    const compressed = compressProseWithProbabilities(long, contextFor(long, { budget: 120, wordKeepProbabilities: longProbs }));
    expect(withoutMarker(compressed!.text).startsWith("alpha\ngamma delta\n\nzeta\nalpha\ngamma delta\n\nzeta")).toBe(true);
  });

  it("returns null without probabilities, with a word count that does not match, or in lossless-only mode", () => {
    expect(compressProseWithProbabilities(text, contextFor(text))).toBeNull();
    expect(compressProseWithProbabilities(text, { ...context, wordKeepProbabilities: probabilities.slice(1) })).toBeNull();
    expect(compressProseWithProbabilities(text, { ...context, losslessOnly: true })).toBeNull();
    expect(compressProseWithProbabilities(text, { ...context, wordKeepProbabilities: [...probabilities.slice(1), Number.NaN] })).toBeNull();
  });

  it("returns null when the budget already holds the whole text, or the marker costs more than it saves", () => {
    expect(compressProseWithProbabilities(text, { ...context, budget: text.length })).toBeNull();
    const short = "alpha beta gamma delta";
    expect(compressProseWithProbabilities(short, contextFor(short, { budget: 2, wordKeepProbabilities: [0.9, 0.1, 0.9, 0.1] }))).toBeNull();
  });
});
