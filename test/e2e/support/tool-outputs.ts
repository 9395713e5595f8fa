/**
 * Tool outputs inside a model request body, by call id, for the three wire formats the agents use,
 * read independently of headroom's own wire modules (so a test does not check headroom with itself):
 *   - Anthropic Messages: `tool_result` blocks in `messages[].content` (id: tool_use_id);
 *   - Chat Completions: `role: "tool"` messages (id: tool_call_id);
 *   - Responses: `function_call_output` / `custom_tool_call_output` input items (id: call_id).
 * `value` is the JSON value as found (string or array of blocks); `text` is its text (a string, or
 * the text parts joined).
 */
export interface ToolOutput {
  readonly id: string;
  readonly value: unknown;
  readonly text: string;
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function textOf(value: unknown): string {
  if (typeof value === "string") return value;
  return arr(value)
    .map((part) => (isObj(part) && typeof part.text === "string" ? part.text : ""))
    .join("");
}

export function toolOutputs(body: unknown): Map<string, ToolOutput> {
  const out = new Map<string, ToolOutput>();
  if (!isObj(body)) return out;
  const add = (id: unknown, value: unknown): void => {
    if (typeof id === "string") out.set(id, { id, value, text: textOf(value) });
  };
  for (const message of arr(body.messages)) {
    if (!isObj(message)) continue;
    if (message.role === "tool") add(message.tool_call_id, message.content);
    for (const block of arr(message.content)) {
      if (isObj(block) && block.type === "tool_result") add(block.tool_use_id, block.content);
    }
  }
  for (const item of arr(body.input)) {
    if (isObj(item) && (item.type === "function_call_output" || item.type === "custom_tool_call_output")) add(item.call_id, item.output);
  }
  return out;
}

/** The command of each shell tool call in a request body, by call id (all three wire formats). */
export function toolCommands(body: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (!isObj(body)) return out;
  const commandOf = (args: unknown): string | undefined => {
    let parsed: unknown = args;
    if (typeof args === "string") {
      try {
        parsed = JSON.parse(args);
      } catch {
        return args; // custom tools carry code, not JSON
      }
    }
    if (!isObj(parsed)) return undefined;
    const command = parsed.command ?? parsed.cmd;
    if (typeof command === "string") return command;
    if (Array.isArray(command)) return command.map(String).at(-1);
    return undefined;
  };
  for (const message of arr(body.messages)) {
    if (!isObj(message)) continue;
    for (const call of arr(message.tool_calls)) {
      if (isObj(call) && isObj(call.function)) {
        const command = commandOf(call.function.arguments);
        if (typeof call.id === "string" && command !== undefined) out.set(call.id, command);
      }
    }
    for (const block of arr(message.content)) {
      if (isObj(block) && block.type === "tool_use" && typeof block.id === "string") {
        const command = commandOf(block.input);
        if (command !== undefined) out.set(block.id, command);
      }
    }
  }
  for (const item of arr(body.input)) {
    if (!isObj(item) || typeof item.call_id !== "string") continue;
    if (item.type === "function_call") {
      const command = commandOf(item.arguments);
      if (command !== undefined) out.set(item.call_id, command);
    } else if (item.type === "custom_tool_call" && typeof item.input === "string") out.set(item.call_id, item.input);
  }
  return out;
}
