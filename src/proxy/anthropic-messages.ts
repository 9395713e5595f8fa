// Anthropic Messages (POST /v1/messages and /v1/messages/count_tokens): the conversation is
// `messages`; usage arrives in message_start (input, cache write, cache read) and message_delta
// (output, and in newer API versions cumulative input figures), or in a JSON body's `usage`.
import { compactUsage, isObject, parseData, stringModel, tokens, type JsonObject, type SseEvent, type UsageReader, type WireFormat } from "./wire-format.js";

interface Totals {
  input?: number | undefined;
  cacheCreation?: number | undefined;
  cacheRead?: number | undefined;
  output?: number | undefined;
}

// Later reports win field by field; a field a report leaves out keeps its earlier value.
function merge(totals: Totals, usage: unknown): void {
  if (!isObject(usage)) return;
  totals.input = tokens(usage.input_tokens) ?? totals.input;
  totals.cacheCreation = tokens(usage.cache_creation_input_tokens) ?? totals.cacheCreation;
  totals.cacheRead = tokens(usage.cache_read_input_tokens) ?? totals.cacheRead;
  totals.output = tokens(usage.output_tokens) ?? totals.output;
}

function usageReader(): UsageReader {
  const totals: Totals = {};
  return {
    event({ event, data }: SseEvent) {
      // Only two event types carry usage; deltas (the bulk of a stream) are never parsed.
      const named = event === "message_start" || event === "message_delta";
      if (!named && !(event === "message" && data.includes('"usage"'))) return;
      const parsed = parseData(data);
      if (!parsed) return;
      if (parsed.type === "message_start" && isObject(parsed.message)) merge(totals, parsed.message.usage);
      else if (parsed.type === "message_delta") merge(totals, parsed.usage);
    },
    json(body: unknown) {
      if (isObject(body)) merge(totals, body.usage);
    },
    usage: () => compactUsage(totals),
  };
}

export const anthropicMessages: WireFormat = {
  name: "anthropic-messages",
  conversation: (body) => (Array.isArray(body.messages) ? body.messages : undefined),
  withConversation: (body: JsonObject, messages) => ({ ...body, messages }),
  model: stringModel,
  usageReader,
};
