// Finds the units headroom may compress: tool outputs only, in any of the three wire shapes.
//   Anthropic Messages: user content blocks {type:"tool_result", content: string | [{type:"text"}]}
//   OpenAI Chat:        {role:"tool", content: string | [{type:"text"}]}
//   OpenAI Responses:   {type:"function_call_output"|"custom_tool_call_output", output: string | [{type:"input_text"}]}
// Everything else is never touched. Each unit carries the path to its string so it can be replaced
// without rebuilding anything around it.

export type Path = readonly (string | number)[];

export interface ToolCall {
  readonly name: string;
  readonly arguments: unknown;
}

export interface Unit {
  readonly path: Path;
  readonly text: string;
  readonly callId: string | undefined;
  readonly call: ToolCall | undefined;
  readonly isError: boolean;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/** All tool outputs in a message (or Responses input) array, in order. */
export function locateUnits(items: readonly unknown[]): Unit[] {
  const calls = collectToolCalls(items);
  const units: Unit[] = [];
  items.forEach((item, index) => {
    if (!isObject(item)) return;
    if (item.role === "tool") {
      const callId = typeof item.tool_call_id === "string" ? item.tool_call_id : undefined;
      pushTextSlots(units, [index, "content"], item.content, "text", callId, calls, false);
    } else if (item.type === "function_call_output" || item.type === "custom_tool_call_output") {
      const callId = typeof item.call_id === "string" ? item.call_id : undefined;
      pushTextSlots(units, [index, "output"], item.output, "input_text", callId, calls, false);
    } else if (item.role === "user" && Array.isArray(item.content)) {
      item.content.forEach((block, blockIndex) => {
        if (!isObject(block) || block.type !== "tool_result") return;
        const callId = typeof block.tool_use_id === "string" ? block.tool_use_id : undefined;
        pushTextSlots(units, [index, "content", blockIndex, "content"], block.content, "text", callId, calls, block.is_error === true);
      });
    }
  });
  return units;
}

function pushTextSlots(
  units: Unit[],
  path: Path,
  value: unknown,
  textType: string,
  callId: string | undefined,
  calls: ReadonlyMap<string, ToolCall>,
  isError: boolean,
): void {
  const call = callId === undefined ? undefined : calls.get(callId);
  if (typeof value === "string") {
    units.push({ path, text: value, callId, call, isError });
    return;
  }
  if (!Array.isArray(value)) return;
  value.forEach((part, partIndex) => {
    if (isObject(part) && part.type === textType && typeof part.text === "string") {
      units.push({ path: [...path, partIndex, "text"], text: part.text, callId, call, isError });
    }
  });
}

// Maps call ids to the tool call that produced them, across all three shapes.
function collectToolCalls(items: readonly unknown[]): Map<string, ToolCall> {
  const calls = new Map<string, ToolCall>();
  for (const item of items) {
    if (!isObject(item)) continue;
    if ((item.type === "function_call" || item.type === "custom_tool_call") && typeof item.call_id === "string") {
      calls.set(item.call_id, { name: String(item.name ?? ""), arguments: item.arguments ?? item.input });
    }
    if (Array.isArray(item.tool_calls)) {
      for (const call of item.tool_calls) {
        if (!isObject(call) || typeof call.id !== "string") continue;
        const fn = isObject(call.function) ? call.function : {};
        calls.set(call.id, { name: String(fn.name ?? ""), arguments: fn.arguments });
      }
    }
    if (item.role === "assistant" && Array.isArray(item.content)) {
      for (const block of item.content) {
        if (isObject(block) && block.type === "tool_use" && typeof block.id === "string") {
          calls.set(block.id, { name: String(block.name ?? ""), arguments: block.input });
        }
      }
    }
  }
  return calls;
}

/** The latest text the human wrote: the last user message's text parts (tool results excluded). */
export function latestHumanText(items: readonly unknown[]): string {
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i];
    if (!isObject(item) || item.role !== "user") continue;
    const text = textOf(item.content);
    if (text.trim()) return text;
  }
  return "";
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .filter((part): part is Json => isObject(part) && (part.type === "text" || part.type === "input_text"))
    .map((part) => String(part.text ?? ""))
    .join("\n");
}

/** Copy-on-write replacement of the string at `path`; untouched branches keep their identity. */
export function replaceAt<T>(root: T, path: Path, value: string): T {
  if (path.length === 0) return value as T;
  const [head, ...rest] = path;
  if (Array.isArray(root)) {
    const copy = root.slice();
    copy[head as number] = replaceAt(copy[head as number], rest, value);
    return copy as T;
  }
  const object = root as Json;
  return { ...object, [head as string]: replaceAt(object[head as string], rest, value) } as T;
}
