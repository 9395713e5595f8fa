import { describe, expect, it } from "vitest";
import {
  blendedInputPrice,
  canonicalModel,
  estimateDollarsByModel,
  estimateDollarsSaved,
  PRICES,
  PRICES_AS_OF,
  PRICES_SOURCE_NOTE,
  priceOf,
} from "../../src/ledger/prices.js";
import { capturedRuns } from "./helpers.js";

describe("price table", () => {
  it("is dated and every row is sane and names its source", () => {
    expect(PRICES_AS_OF).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(PRICES_SOURCE_NOTE).toContain(PRICES_AS_OF);
    expect(PRICES_SOURCE_NOTE).toMatch(/estimate/);
    for (const [id, price] of Object.entries(PRICES)) {
      expect(id).toBe(canonicalModel(id));
      expect(price.input).toBeGreaterThan(0);
      expect(price.cacheRead).toBeGreaterThan(0);
      expect(price.cacheRead).toBeLessThan(price.input);
      if (price.cacheWrite !== undefined) expect(price.cacheWrite).toBeGreaterThanOrEqual(price.input);
      expect(price.output).toBeGreaterThan(price.input);
      expect(price.source).toMatch(/\[(A|O)-|\[GH\]/);
    }
  });

  it("prices every model the real agents sent in the fixtures", () => {
    const models = new Set<string>();
    for (const requests of capturedRuns().values()) {
      for (const r of requests) {
        const model = (r.body as { model?: unknown } | undefined)?.model;
        if (typeof model === "string") models.add(model);
      }
    }
    const priced = [...models].filter((model) => priceOf(model) !== undefined).sort();
    expect(priced).toEqual(["claude-opus-4-8", "claude-opus-5-5", "claude-sonnet-4.5", "gpt-4.1", "gpt-5", "gpt-5-codex", "gpt-6.1-sol"]);
  });

  it("normalises provider prefixes, dated snapshots, context suffixes and Copilot's dotted Claude names", () => {
    expect(canonicalModel("anthropic/claude-sonnet-4.5")).toBe("claude-sonnet-4-5");
    expect(canonicalModel("claude-opus-4-5-20251101")).toBe("claude-opus-4-5");
    expect(canonicalModel("claude-opus-5-5[1m]")).toBe("claude-opus-5-5");
    expect(canonicalModel("openai/gpt-5-2025-08-07")).toBe("gpt-5");
    expect(canonicalModel(" GPT-6.1-Sol ")).toBe("gpt-6.1-sol");
    expect(priceOf("claude-opus-4-1-20250805")?.input).toBe(15);
  });

  it("does not guess: unknown or near-miss models have no price", () => {
    expect(priceOf("gpt-5-nano")).toBeUndefined(); // not "gpt-5"
    expect(priceOf("claude-opus-9")).toBeUndefined();
    expect(priceOf("llama-3.3-70b")).toBeUndefined();
    expect(priceOf("")).toBeUndefined();
    expect(priceOf(null)).toBeUndefined();
    expect(priceOf("toString")).toBeUndefined();
    expect(estimateDollarsSaved("my-local-model", 1_000_000)).toBeUndefined();
  });
});

describe("estimateDollarsSaved", () => {
  it("prices saved tokens at the base input price without a usage mix", () => {
    expect(estimateDollarsSaved("claude-opus-5-5", 1_000_000)).toBeCloseTo(4, 10);
    expect(estimateDollarsSaved("gpt-6.1-sol", 250_000)).toBeCloseTo(0.5, 10);
    expect(estimateDollarsSaved("claude-sonnet-4.5", 0)).toBe(0);
    expect(estimateDollarsSaved("claude-sonnet-4.5", -5)).toBe(0);
  });

  it("with the provider's usage, prices them at the rate input was really billed (cache reads are cheaper)", () => {
    const opus = PRICES["claude-opus-5-5"]!;
    // 10% uncached at $4, 10% cache writes at $5, 80% cache reads at $0.20.
    const mix = { input: 100, cacheCreation: 100, cacheRead: 800 };
    expect(blendedInputPrice(opus, mix)).toBeCloseTo(0.1 * 4 + 0.1 * 5 + 0.8 * 0.2, 10);
    expect(estimateDollarsSaved("claude-opus-5-5", 1_000_000, mix)).toBeCloseTo(1.06, 10);
    // OpenAI bills no cache write here: it costs the input price.
    expect(blendedInputPrice(PRICES["gpt-4.1"]!, { input: 1, cacheCreation: 1 })).toBeCloseTo(2, 10);
    // An empty mix falls back to the base price.
    expect(estimateDollarsSaved("claude-opus-5-5", 1_000_000, { input: 0, cacheRead: 0 })).toBeCloseTo(4, 10);
  });

  it("sums per-model rows and lists the models it could not price", () => {
    const result = estimateDollarsByModel([
      { key: "claude-opus-5-5", saved: 500_000 },
      { key: "gpt-6.1-sol", saved: 1_000_000, usage: { input: 1, cacheRead: 1 } },
      { key: "unknown", saved: 300 },
      { key: "gpt-5", saved: 0 },
    ]);
    expect(result.dollars).toBeCloseTo(2 + (2 + 0.1) / 2, 10);
    expect(result).toMatchObject({ priced: 1_500_000, unpricedModels: ["unknown"], unpricedTokens: 300 });
  });
});
