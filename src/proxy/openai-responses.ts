// OpenAI Responses (POST /v1/responses): the conversation is `input` when it is an array (a string
// input has no tool outputs); usage is in response.completed (or .incomplete / .failed) of a stream,
// or a JSON body's `usage`. input_tokens includes cached tokens: recorded as input = input - cached,
// cacheRead = cached.
import { compactUsage, isObject, parseData, stringModel, tokens, type JsonObject, type SseEvent, type UsageReader, type WireFormat } from "./wire-format.js";

const FINAL_EVENTS = new Set(["response.completed", "response.incomplete", "response.failed", "response.done"]);

export function responsesUsage(usage: unknown): ReturnType<UsageReader["usage"]> {
  if (!isObject(usage)) return null;
  const input = tokens(usage.input_tokens);
  const details = isObject(usage.input_tokens_details) ? usage.input_tokens_details : {};
  const cached = tokens(details.cached_tokens);
  return compactUsage({
    input: input === undefined ? undefined : input - Math.min(cached ?? 0, input),
    cacheRead: cached,
    output: tokens(usage.output_tokens),
  });
}

function usageReader(): UsageReader {
  let usage: ReturnType<UsageReader["usage"]> = null;
  return {
    event({ event, data }: SseEvent) {
      // Without an event name (some gateways drop it) the type inside the data decides.
      if (!FINAL_EVENTS.has(event) && !(event === "message" && data.includes('"usage"'))) return;
      const parsed = parseData(data);
      if (!parsed || !isObject(parsed.response)) return;
      if (typeof parsed.type === "string" && !FINAL_EVENTS.has(parsed.type)) return;
      usage = responsesUsage(parsed.response.usage) ?? usage;
    },
    json(body: unknown) {
      if (isObject(body)) usage = responsesUsage(body.usage) ?? usage;
    },
    usage: () => usage,
  };
}

export const openaiResponses: WireFormat = {
  name: "openai-responses",
  conversation: (body) => (Array.isArray(body.input) ? body.input : undefined),
  withConversation: (body: JsonObject, input) => ({ ...body, input }),
  model: stringModel,
  usageReader,
};
