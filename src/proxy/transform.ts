// The request side of the pipeline, fail-open: whatever goes wrong (unparseable body, an exception,
// the time budget exceeded, the breaker open), the original bytes are what get forwarded.
// If no tool output changed the original bytes are forwarded untouched; otherwise the new body is
// JSON.stringify of the parsed one with only tool outputs replaced (deterministic).
import type { UnitStats } from "../pipeline/compress-messages.js";
import type { CircuitBreaker } from "./breaker.js";
import { ProxyStatus } from "./status.js";
import { isObject, type JsonObject, type WireFormat } from "./wire-format.js";

/** The pipeline as the proxy calls it: a conversation in, the new conversation and per-unit stats out. */
export type CompressFn = (conversation: readonly unknown[]) => {
  readonly messages: readonly unknown[];
  readonly units: readonly UnitStats[];
};

export interface TransformOptions {
  readonly mode: "compress" | "measure";
  readonly compress: CompressFn;
  readonly breaker: CircuitBreaker;
  /** A pipeline run longer than this (ms) is discarded and counted as a failure. */
  readonly budgetMs: number;
  /** Monotonic clock in ms (tests inject one). */
  readonly clock: () => number;
}

export interface Transformed {
  readonly status: ProxyStatus;
  /** The bytes to forward: the input itself unless a tool output changed (compress mode). */
  readonly body: Buffer;
  readonly changed: boolean;
  /** The parsed body, when it was parsed. */
  readonly parsed: JsonObject | undefined;
  /** The pipeline's per-unit stats, when it ran to completion within budget. */
  readonly units: readonly UnitStats[] | undefined;
  readonly pipelineMs: number;
  readonly error?: unknown;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Parses a JSON object body; undefined for invalid UTF-8, bad JSON or a non-object. */
export function parseBody(bytes: Uint8Array): JsonObject | undefined {
  try {
    // Invalid UTF-8 must not be "repaired" into U+FFFD and re-serialized: such a body is forwarded as is.
    const parsed: unknown = JSON.parse(strictUtf8.decode(bytes));
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs the pipeline over one request body.
 * @example
 * const out = transformBody(bytes, anthropicMessages, { mode: "compress", compress, breaker, budgetMs: 250, clock: performance.now.bind(performance) });
 * forward(out.body); res.setHeader("x-headroom-status", out.status);
 */
export function transformBody(bytes: Buffer, wire: WireFormat, options: TransformOptions): Transformed {
  const original = { body: bytes, changed: false, units: undefined, pipelineMs: 0 };
  if (options.breaker.isOpen()) return { ...original, status: ProxyStatus.BypassBreaker, parsed: undefined };
  const parsed = parseBody(bytes);
  if (!parsed) return { ...original, status: ProxyStatus.BypassUnparseable, parsed: undefined };
  const conversation = wire.conversation(parsed);
  const success = options.mode === "measure" ? ProxyStatus.Measured : ProxyStatus.Unchanged;
  if (!conversation) return { ...original, status: success, parsed, units: [] };

  const started = options.clock();
  let result: ReturnType<CompressFn>;
  try {
    result = options.compress(conversation);
  } catch (error) {
    options.breaker.failure();
    return { ...original, status: ProxyStatus.BypassError, parsed, pipelineMs: options.clock() - started, error };
  }
  const pipelineMs = options.clock() - started;
  if (pipelineMs > options.budgetMs) {
    options.breaker.failure();
    return { ...original, status: ProxyStatus.BypassTimeout, parsed, pipelineMs };
  }
  const changedUnits = result.units.some((unit) => unit.text !== unit.original);
  if (options.mode === "measure" || !changedUnits) {
    return { ...original, status: success, parsed, units: result.units, pipelineMs };
  }
  try {
    const body = Buffer.from(JSON.stringify(wire.withConversation(parsed, [...result.messages])), "utf8");
    return { status: ProxyStatus.Compressed, body, changed: true, parsed, units: result.units, pipelineMs };
  } catch (error) {
    options.breaker.failure();
    return { ...original, status: ProxyStatus.BypassError, parsed, pipelineMs, error };
  }
}
