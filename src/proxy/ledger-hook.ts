// After a response has ended, turns what the proxy saw into one LedgerEntry: tokens of tool outputs
// before and after (counted here, never on the request path), provider usage from the tap, the time
// headroom added. Recording never throws into the proxy.
import type { IncomingHttpHeaders } from "node:http";
import { agentFrom } from "../ledger/agent.js";
import { sessionKey, type RequestHeaders } from "../ledger/session.js";
import type { CompressionRecord, KindTokens, LedgerEntry, ProviderUsage, ProxyMode } from "../ledger/types.js";
import { parseMarkers } from "../ccr/marker.js";
import type { UnitStats } from "../pipeline/compress-messages.js";
import { contentHash } from "../ccr/hash.js";
import { locateUnits } from "../pipeline/locate.js";
import { encodingFor, isEstimate, loadCounter } from "../tokens/count.js";
import { parseBody } from "./transform.js";
import { isObject, type JsonObject, type WireFormat } from "./wire-format.js";

export type SessionKeyFn = (headers: RequestHeaders, body: unknown) => string;
export type AgentFn = (userAgent: string | undefined, headers?: RequestHeaders) => string;

export interface LedgerHookOptions {
  readonly record: (entry: LedgerEntry) => void;
  /** Default: src/ledger/session.ts (session headers, prompt_cache_key, else a hash of the opening). */
  readonly sessionKey?: SessionKeyFn;
  /** Default: src/ledger/agent.ts (user-agent refined by agent-specific headers). */
  readonly agentFrom?: AgentFn;
  /**
   * Counts a large text's tokens off the event loop (a worker thread), so recording a request that
   * carried megabytes does not stall other streams. Texts shorter than `offThreadChars`, and any
   * text this rejects for, are counted here.
   */
  readonly countOffThread?: (text: string, model: string) => Promise<number>;
  /** Default 32 KiB. */
  readonly offThreadChars?: number;
  /** Called when building or recording an entry fails (the request is long gone). */
  readonly onError?: (error: unknown) => void;
}

/** What the proxy knows about one finished request. */
export interface FinishedRequest {
  readonly time: number;
  readonly headers: IncomingHttpHeaders;
  readonly path: string;
  readonly mode: ProxyMode;
  readonly status: string;
  readonly wire: WireFormat | undefined;
  readonly parsed: JsonObject | undefined;
  /** The body as received (decoded), parsed lazily when `parsed` is absent. */
  readonly bytes: Buffer | undefined;
  readonly units: readonly UnitStats[] | undefined;
  readonly usage: ProviderUsage | null;
  readonly addedMs: number;
  readonly upstreamStatus: number | null;
}

const CACHE_LIMIT = 10_000;

/**
 * Builds and records ledger entries. Token counts of a tool output are cached by hash, so the same
 * output re-sent on every turn is counted once; the kind found when it was first compressed is
 * remembered for later memo hits.
 */
export class LedgerHook {
  readonly #options: LedgerHookOptions;
  readonly #counts = new Map<string, number>();
  readonly #kinds = new Map<string, string>();

  constructor(options: LedgerHookOptions) {
    this.#options = options;
  }

  /** Schedules the entry for a finished request; returns a promise tests may await. */
  finish(request: FinishedRequest): Promise<void> {
    return new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.#entry(request))
      .then((entry) => this.#options.record(entry))
      .catch((error: unknown) => this.#options.onError?.(error));
  }

  async #entry(request: FinishedRequest): Promise<LedgerEntry> {
    const parsed = request.parsed ?? (request.bytes && request.wire ? parseBody(request.bytes) : undefined);
    const model = parsed && request.wire ? request.wire.model(parsed) : null;
    const units = request.units ?? unitsOf(parsed, request.wire);
    let tokensBefore = 0;
    let tokensAfter = 0;
    let unitsCompressed = 0;
    const byKind: Record<string, KindTokens> = {};
    const compressions: CompressionRecord[] = [];
    if (units.length > 0) {
      const counterModel = model ?? "claude";
      const count = await loadCounter(counterModel);
      const encoding = encodingFor(counterModel);
      for (const unit of units) {
        if (unit.kind) this.#remember(this.#kinds, unit.hash, unit.kind);
        const before = await this.#count(`${encoding}:o:${unit.hash}`, unit.original, count, counterModel);
        const after = unit.text === unit.original ? before : await this.#count(`${encoding}:c:${unit.hash}`, unit.text, count, counterModel);
        if (unit.text !== unit.original) unitsCompressed += 1;
        tokensBefore += before;
        tokensAfter += after;
        const kind = unit.kind ?? this.#kinds.get(unit.hash) ?? "unknown";
        const sum = byKind[kind] ?? { units: 0, before: 0, after: 0 };
        byKind[kind] = { units: sum.units + 1, before: sum.before + before, after: sum.after + after };
        if (unit.status === "compressed" && request.mode === "compress") {
          const markers = parseMarkers(unit.text).length;
          compressions.push({ hash: unit.hash, tool: unit.toolName ?? null, kind, tokensBefore: before, tokensAfter: after, markers });
        }
      }
    }
    const userAgent = request.headers["user-agent"];
    return {
      time: request.time,
      sessionKey: (this.#options.sessionKey ?? sessionKey)(request.headers, parsed),
      agent: (this.#options.agentFrom ?? agentFrom)(typeof userAgent === "string" ? userAgent : undefined, request.headers),
      model,
      path: request.path,
      mode: request.mode,
      status: request.status,
      unitsCompressed,
      tokensBefore,
      tokensAfter,
      byKind,
      estimate: isEstimate(model ?? "claude"),
      usage: request.usage,
      addedMs: Math.round(request.addedMs * 1000) / 1000,
      upstreamStatus: request.upstreamStatus,
      ...(compressions.length > 0 ? { compressions } : {}),
    };
  }

  async #count(key: string, text: string, count: (text: string) => number, model: string): Promise<number> {
    const cached = this.#counts.get(key);
    if (cached !== undefined) return cached;
    const offThread = this.#options.countOffThread;
    let value: number | undefined;
    if (offThread && text.length >= (this.#options.offThreadChars ?? 32 * 1024)) value = await offThread(text, model).catch(() => undefined);
    value ??= count(text);
    this.#remember(this.#counts, key, value);
    return value;
  }

  #remember<V>(map: Map<string, V>, key: string, value: V): void {
    if (map.size >= CACHE_LIMIT) map.clear();
    map.set(key, value);
  }
}

// Bypassed requests did not run the pipeline: their tool outputs went out as they came.
function unitsOf(parsed: JsonObject | undefined, wire: WireFormat | undefined): UnitStats[] {
  const conversation = parsed && wire ? wire.conversation(parsed) : undefined;
  if (!conversation) return [];
  return locateUnits(conversation).map((unit) => ({
    path: unit.path,
    toolName: unit.call?.name,
    hash: contentHash(unit.text),
    kind: undefined,
    status: "unchanged",
    charsBefore: unit.text.length,
    charsAfter: unit.text.length,
    omissions: [],
    text: unit.text,
    original: unit.text,
  }));
}
