// The pipeline over whole conversations in all three wire shapes: only tool outputs change, the
// memo keeps earlier outputs byte-identical on later turns (also across a restart), retrievals are
// never compressed again, and every marker can be retrieved.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { Store } from "../../src/ccr/store.js";
import { hasMarker, parseMarkers } from "../../src/ccr/marker.js";
import { compressMessages } from "../../src/pipeline/compress-messages.js";
import { locateUnits } from "../../src/pipeline/locate.js";
import { loadGrammars } from "../../src/resources/grammars.js";
import { OUTPUTS, realOutputs } from "../support/fixtures.js";

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

  it("without a store, leaves nothing out that could not be retrieved", () => {
    const { units } = compressMessages(anthropicTurn([log], "q"), { store: null });
    expect(parseMarkers(units[0]!.text)).toEqual([]);
  });
});

// A Claude Code Read of a real 900-line source file: "N\t" before each line.
const source = readFileSync(join(OUTPUTS, "code/commander-command-js.txt"), "utf8").split("\n");
const numbered = source.map((line, index) => `${index + 1}\t${line}`).join("\n");

function readTurn(input: Record<string, unknown>, content: string, name = "Read"): unknown[] {
  return [
    { role: "user", content: [{ type: "text", text: "rename the option parser" }] },
    { role: "assistant", content: [{ type: "tool_use", id: "t1", name, input }] },
    { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content }] },
  ];
}

// Every line of a compressed read is either a line of the file under its true number, byte for byte, or a marker.
function expectTrueLines(text: string, lines: readonly string[]): number {
  let kept = 0;
  for (const line of text.split("\n")) {
    if (hasMarker(line)) continue;
    const match = /^(\d+)\t/.exec(line);
    expect(match, `not a numbered line or a marker: ${line}`).not.toBeNull();
    expect(line.slice(match![0].length), `line ${match![1]}`).toBe(lines[Number(match![1]) - 1]);
    kept += 1;
  }
  return kept;
}

describe("compressMessages on file reads", () => {
  // The code compressor needs its grammars (the proxy loads them at start); without them code falls back to text.
  beforeAll(() => loadGrammars());
  const whole = { file_path: "/p/lib/command.js" };

  it("compresses a large whole read, every kept line under its true number, each gap a marker", () => {
    const store = openStore();
    const { units } = compressMessages(readTurn(whole, numbered), { store });
    expect(units[0]!.status).toBe("compressed");
    expect(units[0]!.text.length).toBeLessThan(numbered.length);
    const markers = parseMarkers(units[0]!.text);
    expect(markers.length).toBeGreaterThan(0);
    for (const marker of markers) expect(store.get(marker.hash)).toBe(numbered);
    expect(expectTrueLines(units[0]!.text, source)).toBeGreaterThan(10);
  });

  it("keeps turn N+1 byte-identical (memo), even when the question changes", () => {
    const store = openStore();
    const first = compressMessages(readTurn(whole, numbered), { store });
    const next = readTurn(whole, numbered);
    (next[0] as { content: { text: string }[] }).content[0]!.text = "now fix the help output";
    const second = compressMessages(next, { store });
    expect(second.units[0]!.status).toBe("memo");
    expect(second.units[0]!.text).toBe(first.units[0]!.text);
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    ["a small read", whole, numbered.split("\n").slice(0, 60).join("\n"), "Read"],
    ["a ranged Read (offset/limit)", { file_path: "/p/lib/command.js", offset: 1, limit: 900 }, numbered, "Read"],
    ["a ranged sed -n", { command: "sed -n '1,900p' lib/command.js" }, source.join("\n"), "Bash"],
  ])("forwards %s byte-identical", (_label, input, content, name) => {
    const messages = readTurn(input, content, name);
    const { messages: out, units } = compressMessages(messages, { store: openStore() });
    expect(units[0]!.status).toBe("unchanged");
    expect(units[0]!.text).toBe(content);
    expect(out).toEqual(messages);
  });

  it('forwards every read byte-identical under fileReads "exact"', () => {
    const { units } = compressMessages(readTurn(whole, numbered), { store: openStore(), reads: { fileReads: "exact", fileReadMinTokens: 2000 } });
    expect(units[0]!.text).toBe(numbered);
  });

  it("never serves a form memoised under another read policy", () => {
    const store = openStore();
    const first = compressMessages(readTurn(whole, numbered), { store, reads: { fileReads: "large", fileReadMinTokens: 2000 } });
    expect(first.units[0]!.status).toBe("compressed");
    // The same output read exactly as ranged, then under "exact": the original, not the memo.
    expect(compressMessages(readTurn({ ...whole, offset: 1, limit: 900 }, numbered), { store }).units[0]!.text).toBe(numbered);
    expect(compressMessages(readTurn(whole, numbered), { store, reads: { fileReads: "exact", fileReadMinTokens: 2000 } }).units[0]!.text).toBe(numbered);
    expect(compressMessages(readTurn(whole, numbered), { store, reads: { fileReads: "large", fileReadMinTokens: 1000 } }).units[0]!.status).toBe("compressed");
  });

  it("keeps Codex's exec header as it is and compresses the file after it", () => {
    const header = "Chunk ID: 489de9\nWall time: 0.0000 seconds\nProcess exited with code 0\nOriginal token count: 7400\nOutput:\n";
    const output = header + source.join("\n");
    const messages = [
      { type: "message", role: "user", content: [{ type: "input_text", text: "rename the option parser" }] },
      { type: "function_call", call_id: "c1", name: "exec_command", arguments: '{"cmd":"cat lib/command.js"}' },
      { type: "function_call_output", call_id: "c1", output },
    ];
    const store = openStore();
    const { units } = compressMessages(messages, { store });
    expect(units[0]!.status).toBe("compressed");
    expect(units[0]!.text.startsWith(header)).toBe(true);
    const markers = parseMarkers(units[0]!.text);
    expect(markers.length).toBeGreaterThan(0);
    // Markers name the whole output (header included), which the store gives back.
    for (const marker of markers) expect(store.get(marker.hash)).toBe(output);
    // Every kept line of the file part is a line of the file.
    const lines = new Set(source);
    for (const line of units[0]!.text.slice(header.length).split("\n")) if (!hasMarker(line)) expect(lines.has(line), line).toBe(true);
  });
});
