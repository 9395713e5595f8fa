// One contract every compressor passes (run from each compressor's own test file):
// faithful (every kept line is a line of the original, or a marker), deterministic, never larger,
// every marker carries the output's hash, and nothing is silently dropped (omitted counts add up).
import { describe, expect, it } from "vitest";
import type { Compressor, CompressContext, Query } from "../../src/compressors/types.js";
import { contentHash } from "../../src/ccr/hash.js";
import { parseMarkers, REPEAT_PATTERN } from "../../src/ccr/marker.js";
import { budgetFor, estimateTokens } from "../../src/pipeline/budget.js";

export const EMPTY_QUERY: Query = { text: "", terms: [], entities: [] };

export function contextFor(text: string, overrides: Partial<CompressContext> = {}): CompressContext {
  return {
    hash: contentHash(text),
    query: EMPTY_QUERY,
    budget: budgetFor(estimateTokens(text)),
    losslessOnly: false,
    ...overrides,
  };
}

export interface ContractSample {
  readonly name: string;
  readonly text: string;
  readonly query?: Query;
  /**
   * Lossless compressors may rewrite lines (minified JSON, tables); set this to skip the
   * "every kept line is an original line" check and check `lossless` round trip instead.
   */
  readonly rewritesLines?: boolean;
}

export function runCompressorContract(name: string, compressor: Compressor, samples: readonly ContractSample[]): void {
  describe(`${name} compressor contract`, () => {
    for (const sample of samples) {
      describe(sample.name, () => {
        const context = contextFor(sample.text, sample.query ? { query: sample.query } : {});
        const result = compressor(sample.text, context);

        it("is deterministic", () => {
          expect(compressor(sample.text, context)).toEqual(result);
        });

        it("never returns something larger than the input", () => {
          if (result) expect(result.text.length).toBeLessThan(sample.text.length);
        });

        it("puts the output's hash in every marker and reports every omission", () => {
          if (!result) return;
          const markers = parseMarkers(result.text);
          for (const marker of markers) expect(marker.hash).toBe(context.hash);
          expect(markers.length).toBe(result.omissions.length);
        });

        if (!sample.rewritesLines) {
          it("keeps every line it shows verbatim", () => {
            if (!result) return;
            const originalLines = new Set(sample.text.split("\n"));
            for (const line of result.text.split("\n")) {
              if (parseMarkers(line).length > 0) continue;
              if (REPEAT_PATTERN.test(line)) continue; // lossless fold of identical lines
              expect(originalLines.has(line), `not an original line: ${line.slice(0, 120)}`).toBe(true);
            }
          });
        }

        it("leaves nothing out in lossless-only mode without a marker", () => {
          const lossless = compressor(sample.text, { ...context, losslessOnly: true });
          if (lossless) expect(lossless.omissions).toEqual([]);
        });
      });
    }
  });
}
