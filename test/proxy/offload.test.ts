// The proxy's pipeline with a worker thread applies the file-read policy it is given: a large whole
// read is compressed in the worker exactly as inline (language and header cross the thread), and
// under "exact" the same read goes out byte for byte.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { compressMessages } from "../../src/pipeline/compress-messages.js";
import { UnitPool } from "../../src/pipeline/unit-pool.js";
import { loadGrammars } from "../../src/resources/grammars.js";
import { offloadingCompress } from "../../src/proxy/offload.js";
import { onCleanup, tempStore } from "./helpers.js";

const source = readFileSync(join(import.meta.dirname, "../fixtures/outputs/code/commander-command-js.txt"), "utf8");
const header = "Chunk ID: 489de9\nWall time: 0.0000 seconds\nProcess exited with code 0\nOriginal token count: 7400\nOutput:\n";
const conversation = [
  { type: "message", role: "user", content: [{ type: "input_text", text: "rename the option parser" }] },
  { type: "function_call", call_id: "c1", name: "exec_command", arguments: '{"cmd":"cat lib/command.js"}' },
  { type: "function_call_output", call_id: "c1", output: header + source },
];

function pool(): UnitPool {
  const created = new UnitPool({ size: 1 });
  onCleanup(() => created.close());
  return created;
}

describe("offloadingCompress and file reads", () => {
  // The worker loads the grammars before its first job; the inline comparison needs them too.
  beforeAll(() => loadGrammars());

  it("compresses a large whole read in the worker as the inline pipeline does", async () => {
    const compress = offloadingCompress({ store: tempStore(), pool: pool(), thresholdChars: 1024, budgetMs: 60_000 });
    const offloaded = await compress(conversation, { memoOnly: false });
    const inline = compressMessages(conversation, { store: tempStore() });
    expect(offloaded.units[0]!.status).toBe("compressed");
    expect(offloaded.units[0]!.text.startsWith(header)).toBe(true);
    expect(offloaded.units[0]!.text).toBe(inline.units[0]!.text);
  });

  it('forwards the same read byte for byte under fileReads "exact"', async () => {
    const compress = offloadingCompress({ store: tempStore(), pool: pool(), thresholdChars: 1024, budgetMs: 60_000, reads: { fileReads: "exact", fileReadMinTokens: 2000 } });
    const result = await compress(conversation, { memoOnly: false });
    expect(result.units[0]!.text).toBe(header + source);
    expect(result.messages).toEqual(conversation);
  });
});
