// The pipeline over a whole conversation, in order: locate -> memo -> detect -> compress -> accept.
// The memo makes the first compressed form of a tool output final, so the bytes sent for it never
// change on later turns (provider prompt caches keep hitting).
import type { ContentKind, Omission } from "../compressors/types.js";
import type { Store } from "../ccr/store.js";
import { contentHash } from "../ccr/hash.js";
import { locateUnits, latestHumanText, replaceAt, type Path, type Unit } from "./locate.js";
import { compressUnit, type UnitOptions, type UnitOutcome } from "./compress-unit.js";
import { queryFor } from "./query.js";
import { DEFAULT_READ_SETTINGS, readDecision, readTreatment, type LossyRead, type ReadSettings } from "./read-policy.js";
import { toolRole } from "./tool-role.js";
import { proseScores } from "./prose-scores.js";
import type { ProseModel } from "../resources/prose-model.js";

export type UnitStatus = "compressed" | "unchanged" | "memo" | "retrieval";

export interface UnitStats {
  readonly path: Path;
  readonly toolName: string | undefined;
  readonly hash: string;
  readonly kind: ContentKind | undefined;
  readonly status: UnitStatus;
  readonly charsBefore: number;
  readonly charsAfter: number;
  readonly omissions: readonly Omission[];
  readonly fallback?: string;
  /**
   * Set when compressing this output failed outside the compressors (an off-thread runner that
   * timed out, crashed or threw: see {@link UnitRunner}); the output went out unchanged, memoised so.
   */
  readonly failure?: string;
  /** The text forwarded for this unit (the original when unchanged). */
  readonly text: string;
  readonly original: string;
}

export interface PipelineOptions {
  /** Overrides the query taken from the conversation. */
  readonly query?: string;
  /** Where originals and the memo live; `null` compresses without storing (markers then cannot be retrieved). */
  readonly store: Store | null;
  /**
   * Apply memoised forms only: an output without a memo is left unchanged and memoised as unchanged,
   * so every later turn sends it the same way (the proxy's fallback when compression fails or is off).
   */
  readonly memoOnly?: boolean;
  /** How file reads are treated (see read-policy.ts); default "large" above 2000 tokens. */
  readonly reads?: ReadSettings;
}

/**
 * Runs compressUnit somewhere (inline, or in a worker thread: see unit-pool.ts). It must answer what
 * compressUnit would answer for the same input; rejecting means "no answer": the output is then
 * forwarded unchanged and memoised as unchanged, so later turns send the same bytes.
 */
export type UnitRunner = (text: string, options: UnitOptions) => UnitOutcome | Promise<UnitOutcome>;

export interface AsyncPipelineOptions extends PipelineOptions {
  /** Default: compressUnit, inline. */
  readonly runUnit?: UnitRunner;
  /** The optional prose model (src/resources/prose-model.ts): scores prose outputs before they are compressed. */
  readonly proseModel?: ProseModel;
}

export interface PipelineResult<T> {
  readonly messages: T[];
  readonly units: UnitStats[];
}

/** The whole pipeline on the calling thread. */
export function compressMessages<T>(messages: readonly T[], options: PipelineOptions): PipelineResult<T> {
  const located = locateUnits(messages);
  if (located.length === 0) return { messages: messages.slice(), units: [] };
  const human = options.query ?? latestHumanText(messages);
  let output = messages.slice();
  const units: UnitStats[] = [];
  for (const unit of located) {
    const step = beforeCompression(unit, human, options);
    const stats = "done" in step ? step.done : afterCompression(step, compressUnit(unit.text, step.unitOptions), options.store);
    if (stats.text !== unit.text) output = replaceAt(output, unit.path, stats.text);
    units.push(stats);
  }
  return { messages: output, units };
}

/**
 * The same pipeline with compressUnit handed to `runUnit` (a worker thread, for large outputs). The
 * memo is read and written here, on the calling thread, exactly as compressMessages does; units are
 * taken one after the other, in order, so an output repeated within a request meets its own memo.
 */
export async function compressMessagesAsync<T>(messages: readonly T[], options: AsyncPipelineOptions): Promise<PipelineResult<T>> {
  const located = locateUnits(messages);
  if (located.length === 0) return { messages: messages.slice(), units: [] };
  const human = options.query ?? latestHumanText(messages);
  const run = options.runUnit ?? compressUnit;
  let output = messages.slice();
  const units: UnitStats[] = [];
  for (const unit of located) {
    const step = beforeCompression(unit, human, options);
    let stats: UnitStats;
    if ("done" in step) stats = step.done;
    else {
      let outcome: UnitOutcome | { readonly failure: string };
      try {
        outcome = await run(unit.text, await withProseScores(unit.text, step.unitOptions, options.proseModel));
      } catch (error) {
        outcome = { failure: failureReason(error) };
      }
      stats = "failure" in outcome ? afterFailure(step, outcome.failure, options.store) : afterCompression(step, outcome, options.store);
    }
    if (stats.text !== unit.text) output = replaceAt(output, unit.path, stats.text);
    units.push(stats);
  }
  return { messages: output, units };
}

// The prose model's keep-probabilities for a lossy unit whose kind detection decides. File reads
// (the only units with a kind set beforehand) are never scored: the model drops words inside lines,
// and a read's kept lines must stay whole for edits. The memo key stays the same: whichever form is
// made first is final, with or without a model.
async function withProseScores(text: string, unitOptions: UnitOptions, model: ProseModel | undefined): Promise<UnitOptions> {
  // Only file reads come with a kind, and they are never scored: the model drops words inside lines.
  if (!model || unitOptions.losslessOnly || unitOptions.kind !== undefined) return unitOptions;
  const scores = await proseScores(text, model);
  return scores ? { ...unitOptions, wordKeepProbabilities: scores } : unitOptions;
}

// A unit that needs compressUnit: what to run it with, and what the memo is keyed by.
interface Pending {
  readonly base: Pick<UnitStats, "path" | "toolName" | "original" | "charsBefore">;
  readonly hash: string;
  readonly profile: string;
  readonly unitOptions: UnitOptions;
}

// Everything before compressUnit: retrievals, exact file reads, the memo, memo-only mode. On the calling thread.
function beforeCompression(unit: Unit, human: string, options: PipelineOptions): { readonly done: UnitStats } | Pending {
  const { store } = options;
  const role = toolRole(unit.call);
  const base = { path: unit.path, toolName: unit.call?.name, original: unit.text, charsBefore: unit.text.length };
  if (role === "retrieval") {
    return { done: { ...base, hash: contentHash(unit.text), kind: undefined, status: "retrieval", charsAfter: unit.text.length, omissions: [], text: unit.text } };
  }
  const hash = contentHash(unit.text);
  let profile: string;
  let read: LossyRead | undefined;
  if (role === "file-read") {
    const decision = readDecision(unit.call, unit.text, options.reads ?? DEFAULT_READ_SETTINGS, store !== null);
    // An exact read needs no memo: its bytes are the original's on every turn. It must not meet the
    // memo either: the same text read whole may have been memoised compressed.
    if (decision.exact) return { done: { ...unchanged(base, hash), fallback: decision.reason } };
    read = decision;
    profile = decision.profile;
  } else {
    // Without a store nothing left out could be retrieved, so only lossless transforms are allowed.
    profile = store === null ? "lossless" : "full";
  }
  const memo = store?.memoGet(hash, profile);
  if (memo) return { done: fromMemo(base, hash, memo.text) };
  if (options.memoOnly === true) {
    const kept = store?.memoPut(hash, profile, null).text ?? null;
    return { done: kept === null ? unchanged(base, hash) : fromMemo(base, hash, kept) };
  }
  // A memo miss: only now the query and, for a read, the detection its treatment needs.
  const query = queryFor(human, unit.call?.arguments);
  let unitOptions: UnitOptions;
  if (read) {
    const { kind, language } = readTreatment(read, unit.text);
    unitOptions = { query, kind, ...(language ? { language } : {}), ...(read.headerChars > 0 ? { headerChars: read.headerChars } : {}) };
  } else unitOptions = { query, losslessOnly: store === null };
  return { base, hash, profile, unitOptions };
}

// Everything after compressUnit: the original, then the memo. On the calling thread.
function afterCompression(pending: Pending, outcome: UnitOutcome, store: Store | null): UnitStats {
  const { base, hash, profile } = pending;
  const changed = outcome.fallback === undefined;
  if (store) {
    // The original goes in before the memo so a marker never names a hash that cannot be retrieved.
    if (outcome.omissions.length > 0) store.put(base.original, { kind: outcome.kind });
    const inForce = store.memoPut(hash, profile, changed ? outcome.text : null);
    // First write wins: another request (or proxy) memoised this output meanwhile; its form is final.
    if (inForce.text !== (changed ? outcome.text : null)) return inForce.text === null ? unchanged(base, hash) : fromMemo(base, hash, inForce.text);
  }
  return {
    ...base,
    hash,
    kind: outcome.kind,
    status: changed ? "compressed" : "unchanged",
    charsAfter: outcome.text.length,
    omissions: outcome.omissions,
    text: outcome.text,
    ...(outcome.fallback ? { fallback: outcome.fallback } : {}),
  };
}

// No answer from the runner: the original goes out and is memoised as unchanged (unless a form is
// already in force), so this output never changes bytes on a later turn.
function afterFailure(pending: Pending, failure: string, store: Store | null): UnitStats {
  const { base, hash, profile } = pending;
  const kept = store?.memoPut(hash, profile, null).text ?? null;
  const stats = kept === null ? unchanged(base, hash) : fromMemo(base, hash, kept);
  return { ...stats, failure, fallback: `compression failed: ${failure}` };
}

function fromMemo(base: Pending["base"], hash: string, text: string | null): UnitStats {
  const sent = text ?? base.original;
  return { ...base, hash, kind: undefined, status: "memo", charsAfter: sent.length, omissions: [], text: sent };
}

function unchanged(base: Pending["base"], hash: string): UnitStats {
  return { ...base, hash, kind: undefined, status: "unchanged", charsAfter: base.original.length, omissions: [], text: base.original };
}

function failureReason(error: unknown): string {
  if (typeof error === "object" && error !== null && "reason" in error && typeof error.reason === "string") return error.reason;
  return "error";
}
