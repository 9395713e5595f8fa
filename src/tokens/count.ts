// Token counting per model family, with gpt-tokenizer (chosen in scripts/bench/tokenizers.ts: same
// counts as js-tiktoken on every file of a real corpus, 4-7x faster to count, 3-4x faster to load).
//
// Encodings are loaded lazily, once each, by dynamic import: importing this module loads nothing.
// A hot path calls countTokensSync, which answers undefined until the encoding is loaded, so a
// request never waits on a tokenizer; whoever can wait calls loadCounter first.
//
// Counts for non-OpenAI models (Claude, Gemini, ...) use o200k_base as an estimate: isEstimate says
// so and every place that shows such a number must label it (DESIGN.md, invariant 5).

export type EncodingName = "o200k_base" | "cl100k_base";
export type TokenCounter = (text: string) => number;

/** OpenAI models whose tokenizer is cl100k_base: gpt-4 (not gpt-4o / gpt-4.1 / gpt-4.5), gpt-3.5, older embeddings. */
const CL100K = /^(gpt-4(?![o.])|gpt-3\.5|gpt-35|text-embedding-(ada-002|3-)|chatgpt-3)/;

/** OpenAI model families we know; anything else is counted with o200k_base and flagged as an estimate. */
const OPENAI = /^(gpt-|chatgpt-|o\d|text-embedding-|codex-|computer-use-)/;

/** Strips a provider prefix ("openai/gpt-4o", "azure/gpt-4", "anthropic/claude-...") and lower-cases. */
function normalize(model: string): string {
  const name = model.trim().toLowerCase();
  const slash = name.lastIndexOf("/");
  return slash >= 0 ? name.slice(slash + 1) : name;
}

export function encodingFor(model: string): EncodingName {
  return CL100K.test(normalize(model)) ? "cl100k_base" : "o200k_base";
}

/** True when the count is not the provider's own tokenizer (Claude, Gemini, unknown models). */
export function isEstimate(model: string): boolean {
  return !OPENAI.test(normalize(model));
}

// Special-token text ("<|endoftext|>") inside a tool output is ordinary text to the provider:
// count it as such instead of throwing.
const ENCODE_OPTIONS = { disallowedSpecial: new Set<string>() };

const counters = new Map<EncodingName, TokenCounter>();
const pending = new Map<EncodingName, Promise<TokenCounter>>();

async function importEncoding(encoding: EncodingName): Promise<TokenCounter> {
  const mod =
    encoding === "cl100k_base"
      ? await import("gpt-tokenizer/encoding/cl100k_base")
      : await import("gpt-tokenizer/encoding/o200k_base");
  const countTokens = mod.countTokens;
  return (text: string) => (text.length === 0 ? 0 : countTokens(text, ENCODE_OPTIONS));
}

/** The counter for a model's encoding, loading it on first use (once per encoding, shared by all callers). */
export function loadCounter(model: string): Promise<TokenCounter> {
  const encoding = encodingFor(model);
  const ready = counters.get(encoding);
  if (ready) return Promise.resolve(ready);
  let loading = pending.get(encoding);
  if (!loading) {
    loading = importEncoding(encoding).then(
      (counter) => {
        counters.set(encoding, counter);
        pending.delete(encoding);
        return counter;
      },
      (error: unknown) => {
        pending.delete(encoding);
        throw error;
      },
    );
    pending.set(encoding, loading);
  }
  return loading;
}

/** Counts now if the encoding is loaded; otherwise undefined (and nothing is started: call loadCounter). */
export function countTokensSync(text: string, model: string): number | undefined {
  return counters.get(encodingFor(model))?.(text);
}

/** Encodings loaded so far (for tests and diagnostics). */
export function loadedEncodings(): EncodingName[] {
  return [...counters.keys()].sort();
}
