import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadProseModel, proseModelStatus, type ProseModel } from "../../src/resources/prose-model.js";
import { writeTinyUnigramModel, writeTinyWordPieceModel } from "../support/tiny-prose-model.js";

const TOKENS = ["the", "fox", "dog", "jump", "##ed", ".", ",", "river"];
const KEEP = { fox: 0.9, river: 0.8, jump: 0.7, "##ed": 0.3 };
const MISSING_RUNTIME = "onnxruntime-node-not-installed-for-tests";

let root: string;
let bertDir: string;
let model: ProseModel;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "headroom-prose-model-"));
  bertDir = await writeTinyWordPieceModel(join(root, "bert"), TOKENS, { keep: KEEP, defaultKeep: 0.1, tokenTypeIds: true });
  model = await loadProseModel(bertDir);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("loadProseModel", () => {
  it("loads model.onnx + tokenizer.json once per process and feeds every declared input", async () => {
    expect(await loadProseModel(bertDir)).toBe(model);
    expect(model.inputNames).toEqual(["input_ids", "attention_mask", "token_type_ids"]);
    expect(model.tokenizer.kind).toBe("wordpiece");
  });

  it("gives each whitespace word the mean keep-probability of its tokens", async () => {
    const probs = await model.scoreWords("the fox jumped over\nthe river.");
    // over -> [UNK] (0.1); jumped -> jump + ##ed; river. -> river + "."
    const expected = [0.1, 0.9, (0.7 + 0.3) / 2, 0.1, 0.1, (0.8 + 0.1) / 2];
    expect(probs).toHaveLength(expected.length);
    probs.forEach((p, i) => expect(p).toBeCloseTo(expected[i]!, 5));
  });

  it("scores a text far over 512 tokens in windows of whole words", async () => {
    // 1,800 words, 2 tokens each ("fox," / "dog,"): about 3,600 tokens, so at least 8 windows.
    const words = Array.from({ length: 1800 }, (_, i) => (i % 3 === 0 ? "fox," : "dog,"));
    const probs = await model.scoreWords(words.join(" "));
    expect(probs).toHaveLength(words.length);
    probs.forEach((p, i) => expect(p).toBeCloseTo(i % 3 === 0 ? (0.9 + 0.1) / 2 : 0.1, 5));
    // The same text in one window is more than the tiny model's 512 positions accept.
    const unchunked = await loadProseModel(bertDir, { maxTokens: 8192 });
    await expect(unchunked.scoreWords(words.join(" "))).rejects.toThrow();
  });

  it("scores a word longer than a window by its first tokens", async () => {
    const probs = await model.scoreWords(`fox ${"jump".repeat(700)} river`);
    expect(probs).toHaveLength(3);
    expect(probs[0]).toBeCloseTo(0.9, 5);
    expect(probs[1]).toBeCloseTo(0.1, 5); // jumpjump... is one WordPiece [UNK] (over 100 characters)
    expect(probs[2]).toBeCloseTo(0.8, 5);
    const commas = await model.scoreWords(`fox ${",".repeat(1500)}`);
    expect(commas[1]).toBeCloseTo(0.1, 5);
  });

  it("is deterministic", async () => {
    const text = "the fox jumped, the dog jumped over the river. ".repeat(40);
    expect(await model.scoreWords(text)).toEqual(await model.scoreWords(text));
  });

  it("loads a Unigram (XLM-R form) model without token_type_ids", async () => {
    const dir = await writeTinyUnigramModel(join(root, "xlmr"), [["▁fox", -1], ["▁river", -1], ["▁the", -1], ["s", -2]], {
      keep: { "▁fox": 0.9, s: 0.5 },
      defaultKeep: 0.2,
    });
    const xlmr = await loadProseModel(dir);
    expect(xlmr.inputNames).toEqual(["input_ids", "attention_mask"]);
    const probs = await xlmr.scoreWords("the foxs river");
    [0.2, (0.9 + 0.5) / 2, 0.2].forEach((p, i) => expect(probs[i]).toBeCloseTo(p, 5));
  });
});

describe("prose model errors", () => {
  it("says how to install onnxruntime-node when it cannot be imported", async () => {
    await expect(loadProseModel(bertDir, { runtimeModule: MISSING_RUNTIME })).rejects.toMatchObject({
      code: "HR_PROSE_RUNTIME_MISSING",
      message: expect.stringMatching(/not installed.*npm install -g onnxruntime-node.*extractive prose path stays active/s),
    });
  });

  it("names model.onnx or tokenizer.json when one is missing", async () => {
    const noModel = join(root, "no-model");
    await writeTinyWordPieceModel(noModel, TOKENS);
    await rm(join(noModel, "model.onnx"));
    await expect(loadProseModel(noModel)).rejects.toMatchObject({
      code: "HR_PROSE_MODEL_INVALID",
      message: expect.stringContaining(join(noModel, "model.onnx")),
    });
    const noTokenizer = join(root, "no-tokenizer");
    await writeTinyWordPieceModel(noTokenizer, TOKENS);
    await rm(join(noTokenizer, "tokenizer.json"));
    await expect(loadProseModel(noTokenizer)).rejects.toMatchObject({
      code: "HR_PROSE_MODEL_INVALID",
      message: expect.stringContaining(join(noTokenizer, "tokenizer.json")),
    });
  });

  it("names a corrupt model.onnx", async () => {
    const dir = join(root, "corrupt");
    await writeTinyWordPieceModel(dir, TOKENS);
    await writeFile(join(dir, "model.onnx"), Buffer.from("this is not a protobuf model at all"));
    await expect(loadProseModel(dir)).rejects.toMatchObject({
      code: "HR_PROSE_MODEL_INVALID",
      message: expect.stringMatching(/model\.onnx: onnxruntime cannot load it/),
    });
  });

  it("refuses a classifier that does not have the two LLMLingua-2 labels", async () => {
    const dir = await writeTinyWordPieceModel(join(root, "three-labels"), TOKENS, { labels: 3 });
    await expect(loadProseModel(dir)).rejects.toMatchObject({
      code: "HR_PROSE_MODEL_INVALID",
      message: expect.stringMatching(/model\.onnx: expected float32 logits \[1, 3, 2\] \(two labels, 1 = keep\), got float32 \[1, 3, 3\]/),
    });
  });
});

describe("proseModelStatus", () => {
  it("reports the extractive path when no model is configured", async () => {
    const status = await proseModelStatus(undefined);
    expect(status).toMatchObject({ configured: false, active: "extractive", runtime: { importable: true, version: "1.30.0" } });
    expect(status.model).toBeUndefined();
  });

  it("reports the model path when the configured model loads", async () => {
    expect(await proseModelStatus(bertDir)).toMatchObject({
      configured: true,
      dir: bertDir,
      active: "model",
      model: { loaded: true, tokenizer: "wordpiece", inputs: ["input_ids", "attention_mask", "token_type_ids"] },
    });
  });

  it("reports why the model path is not active", async () => {
    expect(await proseModelStatus(join(root, "nowhere"))).toMatchObject({
      configured: true,
      active: "extractive",
      model: { loaded: false, code: "HR_PROSE_MODEL_INVALID" },
    });
    expect(await proseModelStatus(bertDir, { runtimeModule: MISSING_RUNTIME })).toMatchObject({
      active: "extractive",
      runtime: { importable: false },
      model: { loaded: false, code: "HR_PROSE_RUNTIME_MISSING" },
    });
  });
});
