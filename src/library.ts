// The library front door's implementations: resolve defaults once, run the pipeline, count tokens.
import type { ContentKind } from "./compressors/types.js";
import type { Store } from "./ccr/store.js";
import { compressMessages, type UnitStats } from "./pipeline/compress-messages.js";
import { compressUnit } from "./pipeline/compress-unit.js";
import { buildQuery } from "./pipeline/query.js";
import { proseScores } from "./pipeline/prose-scores.js";
import { languageFromPath } from "./compressors/code-language.js";
import type { ProseModel } from "./resources/prose-model.js";
import { defaultStore } from "./ccr/default-store.js";
import { retrieve as retrieveFromStore } from "./ccr/retrieve.js";
import { encodingFor, isEstimate, loadCounter } from "./tokens/count.js";

export interface CompressOptions {
  /** Model name; picks the tokenizer (o200k for current OpenAI models, an estimate for Claude). */
  readonly model?: string;
  /** Overrides the query taken from the conversation (the latest human text). */
  readonly query?: string;
  /** Store for originals and the memo: default is the one in the headroom home; `false` keeps everything lossless. */
  readonly store?: Store | false;
}

export interface UnitReport extends Omit<UnitStats, "original"> {
  readonly tokensBefore: number;
  readonly tokensAfter: number;
}

export interface TokenizerInfo {
  readonly encoding: string;
  /** True when the tokenizer is not the provider's own (Claude): counts are estimates. */
  readonly estimate: boolean;
}

export interface CompressMessagesResult<T> {
  readonly messages: T[];
  readonly units: UnitReport[];
  readonly tokenizer: TokenizerInfo;
}

/**
 * Compresses the tool outputs in an Anthropic Messages, OpenAI Chat or Responses `input` array.
 * Nothing but tool outputs changes; the input array is not modified.
 *
 * @example
 * const { messages, units } = await compress(body.messages, { model: body.model });
 */
export async function compress<T>(messages: readonly T[], options: CompressOptions = {}): Promise<CompressMessagesResult<T>> {
  const model = options.model ?? "gpt-4o";
  const store = resolveStore(options.store);
  const result = compressMessages(messages, { store, ...(options.query !== undefined ? { query: options.query } : {}) });
  const count = await loadCounter(model);
  const units = result.units.map(({ original, ...unit }) => ({
    ...unit,
    tokensBefore: count(original),
    tokensAfter: unit.text === original ? count(original) : count(unit.text),
  }));
  return { messages: result.messages, units, tokenizer: { encoding: encodingFor(model), estimate: isEstimate(model) } };
}

export interface CompressTextOptions {
  readonly query?: string;
  readonly kind?: ContentKind;
  /** The file the content came from: a source file's language (from its extension) selects the code compressor. */
  readonly path?: string;
  readonly model?: string;
  readonly store?: Store | false;
  /** The optional prose model (loadProseModel): prose is then compressed by its word scores. */
  readonly proseModel?: ProseModel;
}

export interface CompressTextResult {
  readonly version: number;
  readonly text: string;
  readonly kind: ContentKind;
  readonly tokensBefore: number;
  readonly tokensAfter: number;
  /** Hashes that markers in `text` name (empty when nothing was left out). */
  readonly hashes: string[];
  /** Why the original was kept, when it was. */
  readonly fallback?: string;
  readonly tokenizer: TokenizerInfo;
}

/**
 * Compresses one piece of content (a log, JSON, grep output...). The original is stored so every
 * marker in the result can be retrieved.
 *
 * @example
 * const { text, hashes } = await compressText(log, { query: "why did checkout fail" });
 */
export async function compressText(text: string, options: CompressTextOptions = {}): Promise<CompressTextResult> {
  const model = options.model ?? "gpt-4o";
  const store = resolveStore(options.store);
  const language = options.path !== undefined && (options.kind === undefined || options.kind === "code") ? languageFromPath(options.path) : undefined;
  const scores = store !== null && language === undefined && (options.kind === undefined || options.kind === "prose") ? await proseScores(text, options.proseModel) : undefined;
  const outcome = compressUnit(text, {
    query: buildQuery(options.query ?? ""),
    losslessOnly: store === null,
    ...(language ? { kind: "code" as const, language } : options.kind ? { kind: options.kind } : {}),
    ...(scores ? { wordKeepProbabilities: scores } : {}),
  });
  if (store && outcome.omissions.length > 0) store.put(text, { kind: outcome.kind });
  const count = await loadCounter(model);
  const tokensBefore = count(text);
  return {
    version: 1,
    text: outcome.text,
    kind: outcome.kind,
    tokensBefore,
    tokensAfter: outcome.fallback ? tokensBefore : count(outcome.text),
    hashes: outcome.omissions.length > 0 ? [outcome.hash] : [],
    ...(outcome.fallback ? { fallback: outcome.fallback } : {}),
    tokenizer: { encoding: encodingFor(model), estimate: isEstimate(model) },
  };
}

/**
 * Returns the original behind a marker's hash (exact bytes), or with a query only the matching parts.
 * Undefined when the hash is unknown or expired.
 *
 * @example
 * const original = retrieve("3f9a1c02b7de4410")?.text;
 */
export function retrieve(hash: string, options: { query?: string; store?: Store } = {}) {
  const store = options.store ?? defaultStore();
  return retrieveFromStore(store, hash, options.query !== undefined ? { query: options.query } : {});
}

function resolveStore(option: Store | false | undefined): Store | null {
  if (option === false) return null;
  return option ?? defaultStore();
}
