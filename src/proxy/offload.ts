// The proxy's pipeline: compressMessagesAsync with large tool outputs compressed in a worker thread
// (unit-pool.ts), so one request compressing megabytes does not stall other requests' streams.
// Small outputs stay inline, where a worker round trip costs more than the work. The memo and the
// store stay on this thread (compressMessagesAsync), so cache safety is exactly that of the inline
// pipeline: an output the worker did not answer for in time goes out unchanged and is memoised so.
import type { Store } from "../ccr/store.js";
import { compressMessages, compressMessagesAsync, type UnitRunner } from "../pipeline/compress-messages.js";
import { compressUnit } from "../pipeline/compress-unit.js";
import type { ReadSettings } from "../pipeline/read-policy.js";
import type { UnitPool } from "../pipeline/unit-pool.js";
import type { ProseModel } from "../resources/prose-model.js";
import type { AsyncCompressFn } from "./transform.js";

/** Default size (characters) from which one tool output is compressed in the worker. */
export const DEFAULT_OFFLOAD_CHARS = 32 * 1024;
/** Default time one request may wait for the worker, over all its outputs. */
export const DEFAULT_WORKER_BUDGET_MS = 2000;

export interface OffloadOptions {
  readonly store: Store | null;
  readonly pool: UnitPool;
  /** Outputs at least this long go to the worker; so do smaller ones once a request has compressed 4x this inline. */
  readonly thresholdChars?: number;
  /** Per request: outputs not answered within this many ms from the start of the run go out unchanged. */
  readonly budgetMs?: number;
  /** Monotonic ms. */
  readonly clock?: () => number;
  /** How file reads are treated (default "large" above 2000 tokens; see read-policy.ts). */
  readonly reads?: ReadSettings;
  /** The optional prose model: prose outputs are scored (on this thread, asynchronously) before compression. */
  readonly proseModel?: ProseModel;
}

/**
 * @example
 * const compress = offloadingCompress({ store, pool: new UnitPool({ size: 1 }) });
 * const out = await transformBodyAsync(bytes, wire, { mode: "compress", compress, breaker, budgetMs, clock });
 */
export function offloadingCompress(options: OffloadOptions): AsyncCompressFn {
  const threshold = options.thresholdChars ?? DEFAULT_OFFLOAD_CHARS;
  const inlineCap = threshold * 4;
  const budgetMs = options.budgetMs ?? DEFAULT_WORKER_BUDGET_MS;
  const clock = options.clock ?? (() => performance.now());
  const { store, pool } = options;
  const reads = options.reads ? { reads: options.reads } : {};
  return (conversation, { memoOnly }) => {
    // Memo-only runs compress nothing: synchronous, as transform.ts expects.
    if (memoOnly) return compressMessages(conversation, { store, memoOnly: true, ...reads });
    const started = clock();
    let inline = 0;
    let offloadedMs = 0;
    const runUnit: UnitRunner = async (text, unitOptions) => {
      if (text.length < threshold && inline + text.length <= inlineCap) {
        inline += text.length;
        return compressUnit(text, unitOptions);
      }
      const sent = clock();
      try {
        return await pool.run(text, unitOptions, budgetMs - (sent - started));
      } finally {
        offloadedMs += clock() - sent;
      }
    };
    const model = options.proseModel ? { proseModel: options.proseModel } : {};
    return compressMessagesAsync(conversation, { store, runUnit, ...reads, ...model }).then((result) => ({ ...result, offloadedMs }));
  };
}
