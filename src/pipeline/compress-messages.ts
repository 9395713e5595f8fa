// The pipeline over a whole conversation, in order: locate -> memo -> detect -> compress -> accept.
// The memo makes the first compressed form of a tool output final, so the bytes sent for it never
// change on later turns (provider prompt caches keep hitting).
import type { ContentKind, Omission } from "../compressors/types.js";
import type { Store } from "../ccr/store.js";
import { contentHash } from "../ccr/hash.js";
import { locateUnits, latestHumanText, replaceAt, type Path, type Unit } from "./locate.js";
import { compressUnit } from "./compress-unit.js";
import { queryFor } from "./query.js";
import { toolRole } from "./tool-role.js";

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
}

export interface PipelineResult<T> {
  readonly messages: T[];
  readonly units: UnitStats[];
}

export function compressMessages<T>(messages: readonly T[], options: PipelineOptions): PipelineResult<T> {
  const located = locateUnits(messages);
  if (located.length === 0) return { messages: messages.slice(), units: [] };
  const human = options.query ?? latestHumanText(messages);
  let output = messages.slice();
  const units: UnitStats[] = [];
  for (const unit of located) {
    const stats = compressOne(unit, human, options.store, options.memoOnly === true);
    if (stats.text !== unit.text) output = replaceAt(output, unit.path, stats.text);
    units.push(stats);
  }
  return { messages: output, units };
}

function compressOne(unit: Unit, human: string, store: Store | null, memoOnly: boolean): UnitStats {
  const role = toolRole(unit.call);
  const base = { path: unit.path, toolName: unit.call?.name, original: unit.text, charsBefore: unit.text.length };
  if (role === "retrieval") {
    return { ...base, hash: contentHash(unit.text), kind: undefined, status: "retrieval", charsAfter: unit.text.length, omissions: [], text: unit.text };
  }
  // Without a store nothing left out could be retrieved, so only lossless transforms are allowed.
  const losslessOnly = role === "file-read" || store === null;
  const profile = losslessOnly ? "lossless" : "full";
  const hash = contentHash(unit.text);
  const memo = store?.memoGet(hash, profile);
  if (memo) {
    const text = memo.text ?? unit.text;
    return { ...base, hash, kind: undefined, status: "memo", charsAfter: text.length, omissions: [], text };
  }
  if (memoOnly) {
    const kept = store?.memoPut(hash, profile, null).text ?? null;
    const text = kept ?? unit.text;
    return { ...base, hash, kind: undefined, status: kept === null ? "unchanged" : "memo", charsAfter: text.length, omissions: [], text };
  }
  const outcome = compressUnit(unit.text, { query: queryFor(human, unit.call?.arguments), losslessOnly });
  const changed = outcome.fallback === undefined;
  if (store) {
    // The original goes in before the memo so a marker never names a hash that cannot be retrieved.
    if (outcome.omissions.length > 0) store.put(unit.text, { kind: outcome.kind });
    store.memoPut(hash, profile, changed ? outcome.text : null);
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
