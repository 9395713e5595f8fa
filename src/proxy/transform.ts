// The request side of the pipeline, fail-open: whatever goes wrong, the agent's request still goes
// out. If no tool output changed, the original bytes are forwarded untouched; otherwise the new body
// is JSON.stringify of the parsed one with only tool outputs replaced (deterministic).
//
// Cache safety decides the fallbacks. The memo fixes the form of a tool output the first time it is
// seen, so when the pipeline fails or the breaker is open the proxy runs it in memo-only mode: outputs
// compressed on earlier turns keep their bytes, new ones go out (and stay) unchanged. Only when even
// that fails, or the body cannot be parsed, are the original bytes forwarded.
import type { UnitStats } from "../pipeline/compress-messages.js";
import type { CircuitBreaker } from "./breaker.js";
import { ProxyStatus } from "./status.js";
import { isObject, type JsonObject, type WireFormat } from "./wire-format.js";

/** What the pipeline gives back: the new conversation and per-unit stats. */
export interface CompressOutput {
  readonly messages: readonly unknown[];
  readonly units: readonly UnitStats[];
  /**
   * Part of the run spent waiting for work done off the event loop (a worker thread). It does not
   * count against the budget, which bounds the time the event loop is held.
   */
  readonly offloadedMs?: number;
}

/**
 * The pipeline as the proxy calls it: a conversation in, the new conversation and per-unit stats
 * out. With `memoOnly` it must only apply memoised forms (and memoise the rest as unchanged).
 */
export type CompressFn = (conversation: readonly unknown[], options: { readonly memoOnly: boolean }) => CompressOutput;

/** The same, possibly finishing later (compression in a worker thread). */
export type AsyncCompressFn = (conversation: readonly unknown[], options: { readonly memoOnly: boolean }) => CompressOutput | Promise<CompressOutput>;

export interface TransformOptions<F = CompressFn> {
  readonly mode: "compress" | "measure";
  readonly compress: F;
  readonly breaker: CircuitBreaker;
  /** A pipeline run holding the event loop longer than this (ms) counts as a failure. */
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
  /** Per-unit stats of what was forwarded (or, in measure mode, would have been); undefined when unknown. */
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

type Result = CompressOutput;

/**
 * Runs the pipeline over one request body.
 * @example
 * const out = transformBody(bytes, anthropicMessages, { mode: "compress", compress, breaker, budgetMs: 250, clock: () => performance.now() });
 * forward(out.body); res.setHeader("x-headroom-status", out.status);
 */
export function transformBody(bytes: Buffer, wire: WireFormat, options: TransformOptions): Transformed {
  const start = begin(bytes, wire, options);
  if ("done" in start) return start.done;
  let result: Result;
  try {
    result = options.compress(start.conversation, { memoOnly: false });
  } catch (error) {
    return failed(start, options, error);
  }
  return finish(start, options, result);
}

/**
 * transformBody with a pipeline that may finish later (the proxy's, which compresses large outputs
 * in a worker thread). Same statuses and fallbacks; a tool output the pipeline could not compress
 * in time, or whose worker crashed, went out unchanged: that counts as a failure for the breaker.
 */
export async function transformBodyAsync(bytes: Buffer, wire: WireFormat, options: TransformOptions<AsyncCompressFn>): Promise<Transformed> {
  const start = begin(bytes, wire, options);
  if ("done" in start) return start.done;
  let result: Result;
  try {
    result = await options.compress(start.conversation, { memoOnly: false });
  } catch (error) {
    return failed(start, options, error);
  }
  return finish(start, options, result);
}

interface Started {
  readonly bytes: Buffer;
  readonly wire: WireFormat;
  readonly parsed: JsonObject;
  readonly conversation: unknown[];
  readonly started: number;
}

// Everything before the pipeline runs: breaker, parsing, finding the conversation.
function begin(bytes: Buffer, wire: WireFormat, options: TransformOptions<CompressFn | AsyncCompressFn>): { readonly done: Transformed } | Started {
  const untouched = { body: bytes, changed: false, units: undefined, pipelineMs: 0 };
  const measure = options.mode === "measure";
  const breakerOpen = options.breaker.isOpen();
  if (breakerOpen && measure) return { done: { ...untouched, status: ProxyStatus.BypassBreaker, parsed: undefined } };
  const parsed = parseBody(bytes);
  if (!parsed) return { done: { ...untouched, status: ProxyStatus.BypassUnparseable, parsed: undefined } };
  const conversation = wire.conversation(parsed);
  if (!conversation) {
    const status = breakerOpen ? ProxyStatus.BypassBreaker : measure ? ProxyStatus.Measured : ProxyStatus.Unchanged;
    return { done: { ...untouched, status, parsed, units: [] } };
  }
  const started = options.clock();
  if (breakerOpen) return { done: memoOnly(bytes, parsed, conversation, wire, options, ProxyStatus.BypassBreaker, started, undefined) };
  return { bytes, wire, parsed, conversation, started };
}

// The pipeline threw.
function failed(start: Started, options: TransformOptions<CompressFn | AsyncCompressFn>, error: unknown): Transformed {
  options.breaker.failure();
  if (options.mode === "measure") {
    return { body: start.bytes, changed: false, units: undefined, status: ProxyStatus.BypassError, parsed: start.parsed, pipelineMs: options.clock() - start.started, error };
  }
  return memoOnly(start.bytes, start.parsed, start.conversation, start.wire, options, ProxyStatus.BypassError, start.started, error);
}

function finish(start: Started, options: TransformOptions<CompressFn | AsyncCompressFn>, result: Result): Transformed {
  const pipelineMs = options.clock() - start.started;
  const measure = options.mode === "measure";
  let status: ProxyStatus = measure ? ProxyStatus.Measured : ProxyStatus.Compressed;
  const failures = result.units.filter((unit) => unit.failure !== undefined);
  if (failures.length > 0) {
    // Some output got no answer in time (or its worker died): it went out unchanged and stays so.
    options.breaker.failure();
    status = failures.some((unit) => unit.failure === "timeout") ? ProxyStatus.OverBudget : ProxyStatus.BypassError;
  } else if (pipelineMs - (result.offloadedMs ?? 0) > options.budgetMs) {
    options.breaker.failure();
    status = ProxyStatus.OverBudget;
  }
  if (measure) return { body: start.bytes, changed: false, status, parsed: start.parsed, units: result.units, pipelineMs };
  return forwardResult(start.bytes, start.parsed, start.wire, result, status, pipelineMs, undefined);
}

// The fallback: memoised forms only. If that fails too, the original bytes.
// Memo-only runs never compress, so they finish at once even with an asynchronous pipeline.
function memoOnly(
  bytes: Buffer,
  parsed: JsonObject,
  conversation: unknown[],
  wire: WireFormat,
  options: TransformOptions<CompressFn | AsyncCompressFn>,
  status: ProxyStatus,
  started: number,
  error: unknown,
): Transformed {
  try {
    const result = options.compress(conversation, { memoOnly: true });
    if (result instanceof Promise) {
      void result.catch(() => undefined);
      throw new Error("a memo-only pipeline run must finish synchronously");
    }
    return forwardResult(bytes, parsed, wire, result, status, options.clock() - started, error);
  } catch (fallbackError) {
    return { status, body: bytes, changed: false, parsed, units: undefined, pipelineMs: options.clock() - started, error: error ?? fallbackError };
  }
}

function forwardResult(
  bytes: Buffer,
  parsed: JsonObject,
  wire: WireFormat,
  result: Result,
  status: ProxyStatus,
  pipelineMs: number,
  error: unknown,
): Transformed {
  const changed = result.units.some((unit) => unit.text !== unit.original);
  const extra = error === undefined ? {} : { error };
  if (!changed) {
    const same = status === ProxyStatus.Compressed ? ProxyStatus.Unchanged : status;
    return { status: same, body: bytes, changed: false, parsed, units: result.units, pipelineMs, ...extra };
  }
  let body: Buffer;
  try {
    body = Buffer.from(JSON.stringify(wire.withConversation(parsed, [...result.messages])), "utf8");
  } catch (serializeError) {
    return { status: ProxyStatus.BypassError, body: bytes, changed: false, parsed, units: undefined, pipelineMs, error: serializeError };
  }
  return { status, body, changed: true, parsed, units: result.units, pipelineMs, ...extra };
}
