// Dated per-model input prices, to turn tokens saved into an estimated dollar figure.
//
// Everything computed from this table is an ESTIMATE and must be labelled so wherever it is shown
// (DESIGN.md invariant 5): prices change, subscriptions (Claude Max, ChatGPT plans, Copilot) are not
// billed per token at all, long-context tiers, batch, priority/fast and regional surcharges are not
// represented, and the token counts themselves may come from a tokenizer that is not the provider's.
//
// Units: USD per million tokens (MTok). `input` is the base (uncached) input price, `cacheRead` the
// price of a prompt-cache hit, `cacheWrite` of a prompt-cache write (Anthropic: the default 5-minute
// write; `cacheWrite1h` the 1-hour write). Output prices are listed for completeness; headroom only
// removes input tokens, so savings never use them.
//
// Sources (read on the dates below; each row names its own):
//   [A-pricing]  https://platform.claude.com/docs/en/about-claude/pricing, "Model pricing" table.
//   [A-model]    the model's overview page, https://platform.claude.com/docs/en/models/<model>/overview,
//                "Pricing" box (used for models newer than the copy of the pricing table we read).
//   [A-3p]       third-party price trackers' release notes quoting Anthropic's pricing page
//                (kurofune/claudit v1.9.2, TheKrush/PromptFuel v1.0.23); not checked on an
//                Anthropic page: re-verify before relying on them.
//   [O-model]    the model's page, https://developers.openai.com/api/docs/models/<model>, "Pricing".
//   [O-3p]       third-party trackers quoting OpenAI's pricing page (TheKrush/PromptFuel releases,
//                merefield/codexometer v0.18.4, docs.litellm.ai/blog/gpt_6_sol_luna, docs.apiyi.com
//                model price list); not checked on an OpenAI page.
//   [GH]         GitHub Docs' table of per-token prices of the OpenAI models it serves
//                (github/docs data/tables/copilot/models-and-pricing.yml), equal to OpenAI's list prices.
// OpenAI models with a long-context tier (GPT-6 family above 272K input tokens) are priced at the
// short-context rate here, so estimates for very long prompts are low.

/** The date the figures below were last checked against their sources (YYYY-MM-DD). */
export const PRICES_AS_OF = "2026-11-24";

/** One line for reports: where the prices come from and that they are estimates. */
export const PRICES_SOURCE_NOTE =
  `list prices as of ${PRICES_AS_OF} from Anthropic's and OpenAI's pricing pages (src/ledger/prices.ts); ` +
  `estimates: subscriptions, batch and long-context tiers are not modelled`;

export type Provider = "anthropic" | "openai";

export interface ModelPrice {
  readonly provider: Provider;
  /** USD per million base (uncached) input tokens. */
  readonly input: number;
  /** USD per million input tokens read from the prompt cache. */
  readonly cacheRead: number;
  /** USD per million tokens written to the prompt cache (Anthropic 5-minute write); absent = not billed separately. */
  readonly cacheWrite?: number;
  /** Anthropic 1-hour cache write. */
  readonly cacheWrite1h?: number;
  /** USD per million output tokens (not used for savings). */
  readonly output: number;
  /** Where the figures come from (a tag from the header comment, plus details). */
  readonly source: string;
}

const anthropic = (
  input: number,
  cacheWrite: number,
  cacheWrite1h: number,
  cacheRead: number,
  output: number,
  source: string,
): ModelPrice => ({ provider: "anthropic", input, cacheWrite, cacheWrite1h, cacheRead, output, source });

const openai = (input: number, cacheRead: number, output: number, source: string, cacheWrite?: number): ModelPrice => ({
  provider: "openai",
  input,
  cacheRead,
  output,
  source,
  ...(cacheWrite === undefined ? {} : { cacheWrite }),
});

/** Prices by canonical model id (lower case, dashes, no date suffix). */
export const PRICES: Readonly<Record<string, ModelPrice>> = {
  // Anthropic: input, 5m cache write, 1h cache write, cache read, output.
  "claude-fable-5-1": anthropic(10, 12.5, 20, 0.25, 50, "[A-pricing]"),
  "claude-mythos-5-1": anthropic(10, 12.5, 20, 0.25, 50, "[A-pricing] (limited availability)"),
  "claude-fable-5": anthropic(10, 12.5, 20, 1, 50, "[A-pricing]"),
  "claude-mythos-5": anthropic(10, 12.5, 20, 1, 50, "[A-pricing] (limited availability)"),
  "claude-opus-5-5": anthropic(4, 5, 8, 0.2, 20, "[A-model] opus-5-5 (released 2026-09-22)"),
  "claude-opus-5": anthropic(5, 6.25, 10, 0.5, 25, "[A-pricing], [A-model] opus-5"),
  "claude-opus-4-8": anthropic(5, 6.25, 10, 0.5, 25, "[A-pricing]"),
  "claude-opus-4-7": anthropic(5, 6.25, 10, 0.5, 25, "[A-pricing]"),
  "claude-opus-4-6": anthropic(5, 6.25, 10, 0.5, 25, "[A-pricing]"),
  "claude-opus-4-5": anthropic(5, 6.25, 10, 0.5, 25, "[A-pricing]"),
  "claude-opus-4-1": anthropic(15, 18.75, 30, 1.5, 75, "[A-pricing] (retired except on Bedrock/Google Cloud)"),
  "claude-opus-4": anthropic(15, 18.75, 30, 1.5, 75, "[A-pricing] (retired except on Google Cloud)"),
  // Sonnet 5.5: the model page lists a $0.20 cache read; trackers [A-3p] report a cut to $0.10 on
  // 2026-10-07. We use the figure from Anthropic's own page until it is re-checked.
  "claude-sonnet-5-5": anthropic(2, 2.5, 4, 0.2, 10, "[A-model] sonnet-5-5"),
  "claude-sonnet-5": anthropic(2, 2.5, 4, 0.2, 10, "[A-model] sonnet-5 (introductory rate made standard)"),
  "claude-sonnet-4-6": anthropic(3, 3.75, 6, 0.3, 15, "[A-pricing]"),
  "claude-sonnet-4-5": anthropic(3, 3.75, 6, 0.3, 15, "[A-pricing] (prompts up to 200K tokens)"),
  "claude-sonnet-4": anthropic(3, 3.75, 6, 0.3, 15, "[A-pricing] (prompts up to 200K tokens)"),
  // Haiku 5.5 has two bands by prompt length; this is the band for prompts up to 100K tokens
  // (above it: $0.50 input, $0.05 cache read), so long prompts are underestimated.
  "claude-haiku-5-5": anthropic(0.1, 0.125, 0.2, 0.01, 0.5, "[A-3p] (prompts up to 100K tokens)"),
  "claude-haiku-4-5": anthropic(1, 1.25, 2, 0.1, 5, "[A-pricing]"),
  "claude-haiku-3-5": anthropic(0.8, 1, 1.6, 0.08, 4, "[A-pricing]"),

  // OpenAI: input, cached input, output (and cache write where OpenAI bills one).
  "gpt-6-astra": openai(10, 1, 50, "[O-3p] (released 2026-09-03; short-context rate)", 12.5),
  "gpt-6.1-sol": openai(2, 0.1, 10, "[O-model] gpt-6.1-sol via [O-3p] (short-context rate, <= 272K input)", 2.5),
  "gpt-6-sol": openai(2, 0.2, 10, "[O-3p] (short-context rate)", 2.5),
  "gpt-6-luna": openai(0.1, 0.01, 0.5, "[O-3p] (short-context rate)", 0.125),
  "gpt-5.6-sol": openai(4, 0.4, 20, "[O-3p]"),
  "gpt-5.6-terra": openai(2, 0.2, 12, "[O-3p] (price cut of 2026-07-30)"),
  "gpt-5.6-luna": openai(0.2, 0.02, 1.2, "[O-3p] (price cut of 2026-07-30)"),
  "gpt-5.5": openai(5, 0.5, 30, "[O-3p]"),
  "gpt-5.4": openai(2.5, 0.25, 15, "[O-3p], [GH]"),
  "gpt-5.4-mini": openai(0.75, 0.075, 4.5, "[O-3p]"),
  "gpt-5.4-nano": openai(0.2, 0.02, 1.25, "[O-3p]"),
  "gpt-5.2": openai(1.75, 0.175, 14, "[GH]"),
  "gpt-5.2-codex": openai(1.75, 0.175, 14, "[GH]"),
  "gpt-5.3-codex": openai(1.75, 0.175, 14, "[GH]"),
  "gpt-5-codex": openai(1.25, 0.125, 10, "[O-model] gpt-5-codex (model since shut down)"),
  "gpt-5": openai(1.25, 0.125, 10, "[O-model] gpt-5-codex comparison table"),
  "gpt-5-mini": openai(0.25, 0.025, 2, "[GH]"),
  "gpt-4.1": openai(2, 0.5, 8, "[GH]"),
};

/** Canonical id of a model name as agents send it, e.g. "anthropic/claude-sonnet-4.5-20250929" -> "claude-sonnet-4-5". */
export function canonicalModel(model: string): string {
  let id = model.trim().toLowerCase();
  id = id.slice(id.lastIndexOf("/") + 1); // provider prefixes: anthropic/, openai/, openrouter/...
  id = id.replace(/\[[^\]]*\]$/, ""); // context-size suffixes such as [1m]
  id = id.replace(/-(?:\d{8}|\d{4}-\d{2}-\d{2})$/, ""); // dated snapshots
  if (id.startsWith("claude-")) id = id.replace(/\./g, "-"); // claude-sonnet-4.5 (Copilot) = claude-sonnet-4-5
  return id;
}

/** The price entry of `model`, or undefined when it is not in the table. */
export function priceOf(model: string | null | undefined): ModelPrice | undefined {
  if (!model) return undefined;
  const id = canonicalModel(model);
  return Object.hasOwn(PRICES, id) ? PRICES[id] : undefined;
}

/** How the model's input was actually billed (provider-reported usage, summed): uncached input, cache writes, cache reads. */
export interface InputMix {
  readonly input?: number;
  readonly cacheCreation?: number;
  readonly cacheRead?: number;
}

/**
 * Estimated USD value of `tokensSaved` input tokens on `model`; undefined for models not in the table.
 *
 * Without `mix`, every saved token is priced at the base input price: what it costs when nothing is
 * cached, an upper bound. With `mix` (the provider-reported usage of the same requests, where
 * `input` is the uncached part as the proxy records it), saved tokens are priced at the blended rate
 * at which this model's input was really billed, which accounts for cache reads being cheaper.
 * Always an estimate: callers label it so.
 */
export function estimateDollarsSaved(model: string | null | undefined, tokensSaved: number, mix?: InputMix): number | undefined {
  const price = priceOf(model);
  if (!price) return undefined;
  if (!Number.isFinite(tokensSaved) || tokensSaved <= 0) return 0;
  return (tokensSaved * blendedInputPrice(price, mix)) / 1_000_000;
}

/** USD per million input tokens, weighted by how input was billed (base price without a usable mix). */
export function blendedInputPrice(price: ModelPrice, mix?: InputMix): number {
  const uncached = positive(mix?.input);
  const writes = positive(mix?.cacheCreation);
  const reads = positive(mix?.cacheRead);
  const total = uncached + writes + reads;
  if (total === 0) return price.input;
  return (uncached * price.input + writes * (price.cacheWrite ?? price.input) + reads * price.cacheRead) / total;
}

function positive(value: number | undefined): number {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : 0;
}

/** Dollars saved over a set of per-model rows (e.g. LedgerSummary.byModel), with the models left unpriced. */
export function estimateDollarsByModel(
  rows: readonly { key: string; saved: number; usage?: InputMix }[],
): { dollars: number; priced: number; unpricedModels: string[]; unpricedTokens: number } {
  let dollars = 0;
  let priced = 0;
  let unpricedTokens = 0;
  const unpricedModels: string[] = [];
  for (const row of rows) {
    if (row.saved <= 0) continue;
    const value = estimateDollarsSaved(row.key, row.saved, row.usage);
    if (value === undefined) {
      unpricedModels.push(row.key);
      unpricedTokens += row.saved;
    } else {
      dollars += value;
      priced += row.saved;
    }
  }
  return { dollars, priced, unpricedModels, unpricedTokens };
}
