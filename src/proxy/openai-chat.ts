// OpenAI Chat Completions (POST /v1/chat/completions): the conversation is `messages`; usage is in
// the last chunk of a stream (with stream_options.include_usage) or a JSON body's `usage`.
// prompt_tokens includes cached tokens: recorded as input = prompt - cached, cacheRead = cached, so
// input + cacheRead is the whole prompt as with Anthropic.
import { compactUsage, isObject, parseData, stringModel, tokens, type JsonObject, type SseEvent, type UsageReader, type WireFormat } from "./wire-format.js";

export function chatUsage(usage: unknown): ReturnType<UsageReader["usage"]> {
  if (!isObject(usage)) return null;
  const prompt = tokens(usage.prompt_tokens);
  const details = isObject(usage.prompt_tokens_details) ? usage.prompt_tokens_details : {};
  const cached = tokens(details.cached_tokens);
  return compactUsage({
    input: prompt === undefined ? undefined : prompt - Math.min(cached ?? 0, prompt),
    cacheRead: cached,
    output: tokens(usage.completion_tokens),
  });
}

function usageReader(): UsageReader {
  let usage: ReturnType<UsageReader["usage"]> = null;
  return {
    event({ data }: SseEvent) {
      // Most chunks carry "usage": null or nothing; only the final one has counts.
      if (!data.includes('"prompt_tokens"')) return;
      const parsed = parseData(data);
      if (parsed) usage = chatUsage(parsed.usage) ?? usage;
    },
    json(body: unknown) {
      if (isObject(body)) usage = chatUsage(body.usage) ?? usage;
    },
    usage: () => usage,
  };
}

export const openaiChat: WireFormat = {
  name: "openai-chat",
  conversation: (body) => (Array.isArray(body.messages) ? body.messages : undefined),
  withConversation: (body: JsonObject, messages) => ({ ...body, messages }),
  model: stringModel,
  usageReader,
};
