// The pipeline over whole conversations in all three wire shapes: only tool outputs change, the
// memo keeps earlier outputs byte-identical on later turns (also across a restart), retrievals are
// never compressed again, and every marker can be retrieved.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Store } from "../../src/ccr/store.js";
import { parseMarkers } from "../../src/ccr/marker.js";
import { compressMessages } from "../../src/pipeline/compress-messages.js";
import { locateUnits } from "../../src/pipeline/locate.js";
import { realOutputs } from "../support/fixtures.js";

const log = realOutputs("log")[0]!.text;
const grep = realOutputs("search")[0]!.text;

const stores: Store[] = [];
function openStore(path = join(mkdtempSync(join(tmpdir(), "headroom-pipeline-")), "store.db")): Store {
  const store = Store.open({ path });
  stores.push(store);
  return store;
}
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

function anthropicTurn(outputs: string[], question: string): unknown[] {
  const messages: unknown[] = [{ role: "user", content: [{ type: "text", text: question }] }];
  outputs.forEach((output, index) => {
    messages.push({ role: "assistant", content: [{ type: "tool_use", id: `toolu_${index}`, name: "Bash", input: { command: `step ${index}` } }] });
    messages.push({ role: "user", content: [{ type: "tool_result", tool_use_id: `toolu_${index}`, content: output, cache_control: { type: "ephemeral" } }] });
  });
  return messages;
}

describe("compressMessages", () => {
  it("changes only tool outputs (Anthropic)", () => {
    const messages = anthropicTurn([log], "why did the build fail?");
    const { messages: out, units } = compressMessages(messages, { store: openStore() });
    expect(units).toHaveLength(1);
    expect(units[0]!.status).toBe("compressed");
    const [unit] = locateUnits(out);
    expect(unit!.text.length).toBeLessThan(log.length);
    // Put the original back at the unit's path: the whole conversation is then identical.
    const restored = structuredClone(out) as { content: { content: string }[] }[];
    restored[2]!.content[0]!.content = log;
    expect(restored).toEqual(messages);
  });

  it("keeps an output byte-identical on the next turn, even when the question changes", () => {
    const store = openStore();
    const first = compressMessages(anthropicTurn([log], "why did the build fail?"), { store });
    const second = compressMessages(anthropicTurn([log, grep], "where is createServer defined?"), { store });
    expect(second.units[0]!.status).toBe("memo");
    expect(second.units[0]!.text).toBe(first.units[0]!.text);
    expect(second.units[1]!.status).toBe("compressed");
  });

  it("agrees with itself after a restart (memo persisted in the store file)", () => {
    const path = join(mkdtempSync(join(tmpdir(), "headroom-pipeline-")), "store.db");
    const before = compressMessages(anthropicTurn([log], "why did the build fail?"), { store: openStore(path) });
    const after = compressMessages(anthropicTurn([log], "something else entirely"), { store: openStore(path) });
    expect(after.units[0]!.text).toBe(before.units[0]!.text);
  });

  it("stores every original a marker names", () => {
    const store = openStore();
    const { units } = compressMessages(anthropicTurn([log, grep], "q"), { store });
    for (const unit of units) {
      for (const marker of parseMarkers(unit.text)) expect(store.get(marker.hash)).toBe(unit.original);
    }
  });

  it("never compresses a retrieval's answer again", () => {
    const messages = [
      { role: "user", content: "show me the full log" },
      { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "headroom_retrieve", arguments: '{"hash":"0123456789abcdef"}' } }] },
      { role: "tool", tool_call_id: "call_1", content: log },
    ];
    const { messages: out, units } = compressMessages(messages, { store: openStore() });
    expect(units[0]!.status).toBe("retrieval");
    expect(out).toEqual(messages);
  });

  it("compresses OpenAI Chat tool messages and Responses function_call_output items", () => {
    const chat = [
      { role: "system", content: "You are an agent." },
      { role: "user", content: "why did it fail?" },
      { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "bash", arguments: '{"command":"npm test"}' } }] },
      { role: "tool", tool_call_id: "c1", content: log },
    ];
    const responses = [
      { type: "message", role: "user", content: [{ type: "input_text", text: "why did it fail?" }] },
      { type: "function_call", call_id: "c1", name: "exec_command", arguments: '{"cmd":"npm test"}' },
      { type: "function_call_output", call_id: "c1", output: log },
      { type: "reasoning", id: "rs_1", summary: [], encrypted_content: "opaque" },
    ];
    const store = openStore();
    const chatOut = compressMessages(chat, { store });
    const responsesOut = compressMessages(responses, { store });
    expect(chatOut.units[0]!.status).toBe("compressed");
    expect(chatOut.messages.slice(0, 3)).toEqual(chat.slice(0, 3));
    expect(responsesOut.units[0]!.status).toBe("memo"); // same output, same bytes as in the chat shape
    expect(responsesOut.messages[3]).toBe(responses[3]); // unknown item types pass through untouched
  });

  it("keeps file reads lossless", () => {
    const messages = [
      { role: "user", content: [{ type: "text", text: "read the log" }] },
      { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "Read", input: { file_path: "/tmp/build.log" } }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: log }] },
    ];
    const { units } = compressMessages(messages, { store: openStore() });
    expect(units[0]!.omissions).toEqual([]);
    expect(parseMarkers(units[0]!.text)).toEqual([]);
  });

  it("without a store, leaves nothing out that could not be retrieved", () => {
    const { units } = compressMessages(anthropicTurn([log], "q"), { store: null });
    expect(parseMarkers(units[0]!.text)).toEqual([]);
  });
});
