import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseMarkers } from "../../src/ccr/marker.js";
import { compressProseWithProbabilities, proseWords } from "../../src/compressors/prose-ml.js";
import { proseScores } from "../../src/pipeline/prose-scores.js";
import { Store } from "../../src/ccr/store.js";
import { loadProseModel, type ProseModel } from "../../src/resources/prose-model.js";
import { contextFor } from "../compressors/contract.js";
import { writeTinyWordPieceModel } from "../support/tiny-prose-model.js";

const TOKENS = ["the", "old", "dog", "saw", "a", "fox", "by", "river", "near", "mill", "today", "."];

// 60 sentences of prose in which only "fox" and "river" matter to the tiny model.
const PROSE = Array.from({ length: 30 }, () => "the old dog saw a fox by the river near the mill today.\nthe dog saw the fox near the old river today.").join("\n");

let root: string;
let model: ProseModel;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "headroom-prose-scores-"));
  const dir = await writeTinyWordPieceModel(join(root, "model"), TOKENS, { keep: { fox: 0.95, river: 0.9 }, defaultKeep: 0.05 });
  model = await loadProseModel(dir);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("proseScores", () => {
  it("scores every word of prose, and the compressor then keeps what the model values", async () => {
    const scores = await proseScores(PROSE, model);
    expect(scores).toHaveLength(proseWords(PROSE).length);
    const context = contextFor(PROSE, { wordKeepProbabilities: scores });
    const result = compressProseWithProbabilities(PROSE, context);
    expect(result).not.toBeNull();
    const [marker] = parseMarkers(result!.text);
    const kept = proseWords(result!.text.slice(0, marker!.index));
    // Every fox and river survives, in order; what else fits the budget is the earliest filler.
    const important = kept.filter((w) => w === "fox" || w === "river");
    expect(important).toEqual(proseWords(PROSE).filter((w) => w === "fox" || w === "river"));
    expect(kept.length).toBeLessThan(proseWords(PROSE).length / 3);
    expect(marker).toMatchObject({ unit: "words", hash: context.hash, count: proseWords(PROSE).length - kept.length });
  });

  it("is deterministic from text to compressed output", async () => {
    const run = async () => compressProseWithProbabilities(PROSE, contextFor(PROSE, { wordKeepProbabilities: await proseScores(PROSE, model) }));
    expect(await run()).toEqual(await run());
  });

  it("leaves non-prose, fenced code and texts without a model to the other paths", async () => {
    expect(await proseScores(PROSE, undefined)).toBeUndefined();
    expect(await proseScores(JSON.stringify({ fox: PROSE }), model)).toBeUndefined();
    const log = Array.from({ length: 40 }, (_, i) => `2026-11-24T10:00:${String(i % 60).padStart(2, "0")}Z ERROR fox river ${i}`).join("\n");
    expect(await proseScores(log, model)).toBeUndefined();
    expect(await proseScores(`${PROSE}\n\n\`\`\`\nthe fox;\n\`\`\`\n`, model)).toBeUndefined();
  });

  it("fails open: a model that fails to score yields undefined, never an exception", async () => {
    // Windows of 4,096 tokens are more than the tiny model's 512 positions, so its run fails.
    const broken = await loadProseModel(join(root, "model"), { maxTokens: 4096 });
    await expect(broken.scoreWords(PROSE)).rejects.toThrow();
    expect(await proseScores(PROSE, broken)).toBeUndefined();
  });
});

describe("the async pipeline with a prose model", () => {
  const conversation = (text: string) => [
    { role: "user", content: "what did the fox do" },
    { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "Bash", input: { command: "cat story.txt | fold" } }] },
    { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: text }] },
  ];

  it("compresses a prose tool output by the model's word scores, and extractively without a model", async () => {
    const { compressMessagesAsync } = await import("../../src/pipeline/compress-messages.js");
    const withModel = await compressMessagesAsync(conversation(PROSE), { store: tempStoreFor(root), proseModel: model });
    const without = await compressMessagesAsync(conversation(PROSE), { store: tempStoreFor(root, "b") });
    expect(withModel.units[0]!.status).toBe("compressed");
    expect(withModel.units[0]!.text).toMatch(/words omitted: prose model kept/);
    expect(without.units[0]!.status).toBe("compressed");
    expect(without.units[0]!.text).not.toMatch(/prose model/);
  });

  it("never scores a file read: its kept lines stay whole, numbers included", async () => {
    const { compressMessagesAsync } = await import("../../src/pipeline/compress-messages.js");
    const lines = Array.from({ length: 400 }, (_, i) => (i % 2 === 0 ? "the old dog saw a fox by the river near the mill today." : "the dog saw the fox near the old river today."));
    const numbered = lines.map((line, i) => `${String(i + 1).padStart(6)}\t${line}`).join("\n");
    for (const text of [numbered, lines.join("\n")]) {
      const read = [
        { role: "user", content: "what did the fox do" },
        { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "Read", input: { file_path: "/p/story.md" } }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: text }] },
      ];
      const result = await compressMessagesAsync(read, { store: tempStoreFor(root, `read-${text.length}`), proseModel: model });
      const out = result.units[0]!.text;
      expect(out).not.toMatch(/prose model/);
      const original = new Set(text.split("\n"));
      for (const line of out.split("\n")) if (parseMarkers(line).length === 0) expect(original.has(line)).toBe(true);
    }
  });
});

function tempStoreFor(dir: string, name = "a") {
  return Store.open({ path: join(dir, `${name}.db`) });
}
