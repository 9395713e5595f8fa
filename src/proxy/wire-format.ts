// What the proxy needs to know about a wire format: where the conversation is, the model, and how
// to read usage from its responses. A wire format never decides how to compress (DESIGN.md).
import type { ProviderUsage } from "../ledger/types.js";

export type JsonObject = Record<string, unknown>;

/** One server-sent event: its `event:` name ("message" when absent) and its joined `data:` lines. */
export interface SseEvent {
  readonly event: string;
  readonly data: string;
}

/** Collects usage from one response, streamed (events) or not (the parsed JSON body). */
export interface UsageReader {
  event(event: SseEvent): void;
  json(body: unknown): void;
  usage(): ProviderUsage | null;
}

export interface WireFormat {
  readonly name: "anthropic-messages" | "openai-chat" | "openai-responses";
  /** The array the tool outputs live in, or undefined when the body has none. */
  conversation(body: JsonObject): unknown[] | undefined;
  /** The same body with its conversation replaced; every other key keeps its value and position. */
  withConversation(body: JsonObject, conversation: unknown[]): JsonObject;
  model(body: JsonObject): string | null;
  usageReader(): UsageReader;
}

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A non-negative integer token count, or undefined. */
export function tokens(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** Parses an event's data, or undefined when it is not a JSON object. */
export function parseData(data: string): JsonObject | undefined {
  try {
    const parsed: unknown = JSON.parse(data);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Usage without the fields that were not reported; null when none was. */
export function compactUsage(usage: { input?: number | undefined; cacheCreation?: number | undefined; cacheRead?: number | undefined; output?: number | undefined }): ProviderUsage | null {
  const out: { input?: number; cacheCreation?: number; cacheRead?: number; output?: number } = {};
  if (usage.input !== undefined) out.input = usage.input;
  if (usage.cacheCreation !== undefined) out.cacheCreation = usage.cacheCreation;
  if (usage.cacheRead !== undefined) out.cacheRead = usage.cacheRead;
  if (usage.output !== undefined) out.output = usage.output;
  return Object.keys(out).length === 0 ? null : out;
}

export function stringModel(body: JsonObject): string | null {
  return typeof body.model === "string" ? body.model : null;
}
