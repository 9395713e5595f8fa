import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isHeadroomError } from "../../src/errors.js";
import { loadTokenizerJson, parseTokenizerJson } from "../../src/resources/tokenizer-json.js";
import { unigramTokenizerJson, wordPieceTokenizerJson } from "../support/tiny-prose-model.js";

// Ids: [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 [MASK]=4, then these from 5 on.
const TOKENS = ["the", "fox", "jump", "##ed", "##s", ".", ",", "un", "##believ", "##able", "cafe", "café", "中", "The", "##😀"];
const id = (token: string) => 5 + TOKENS.indexOf(token);
const UNK = 1;

describe("WordPiece (BERT form)", () => {
  const cased = parseTokenizerJson(wordPieceTokenizerJson(TOKENS));
  const uncased = parseTokenizerJson(wordPieceTokenizerJson(TOKENS, { lowercase: true }));

  it("wraps the words in [CLS] ... [SEP] and maps each token to its whitespace word", () => {
    expect(cased.encode("The fox jumped.")).toEqual({
      ids: [2, 18, 6, 7, 8, 10, 3],
      wordIndex: [-1, 0, 1, 2, 2, 2, -1],
    });
    expect(cased.kind).toBe("wordpiece");
  });

  it("uses ## continuations and splits punctuation off inside a word", () => {
    expect(cased.encode("unbelievable, fox").ids).toEqual([2, id("un"), id("##believ"), id("##able"), id(","), id("fox"), 3]);
    expect(cased.encode("unbelievable, fox").wordIndex).toEqual([-1, 0, 0, 0, 0, 1, -1]);
  });

  it("turns a word with an unmatched rest into one [UNK], keeping its word index", () => {
    // "foxy": "fox" matches but "##y" does not, so the whole piece is unknown.
    expect(cased.encode("foxy fox")).toEqual({ ids: [2, UNK, id("fox"), 3], wordIndex: [-1, 0, 1, -1] });
    expect(cased.encodeWord("x".repeat(101))).toEqual([UNK]);
  });

  it("keeps case and accents when cased, folds both when uncased", () => {
    expect(cased.encodeWord("café")).toEqual([id("café")]);
    expect(cased.encodeWord("FOX")).toEqual([UNK]);
    expect(uncased.encodeWord("Café")).toEqual([id("cafe")]);
    expect(uncased.encodeWord("FOX")).toEqual([id("fox")]);
  });

  it("matches pieces by code point, never splitting a surrogate pair", () => {
    expect(cased.encodeWord("fox😀")).toEqual([id("fox"), id("##😀")]);
    expect(cased.encodeWord("fox😁")).toEqual([UNK]);
  });

  it("spaces CJK ideographs apart and drops control characters", () => {
    expect(cased.encodeWord("中中")).toEqual([id("中"), id("中")]);
    expect(cased.encodeWord("fo\u200bx")).toEqual([id("fox")]);
  });

  it("reads the legacy BertProcessing post-processor", () => {
    const json = { ...wordPieceTokenizerJson(TOKENS), post_processor: { type: "BertProcessing", sep: ["[SEP]", 3], cls: ["[CLS]", 2] } };
    const tokenizer = parseTokenizerJson(json);
    expect([tokenizer.prefix, tokenizer.suffix]).toEqual([[2], [3]]);
  });
});

describe("Unigram with Metaspace (XLM-R form)", () => {
  // Ids: <s>=0 <pad>=1 </s>=2 <unk>=3, then these from 4 on.
  const PIECES: [string, number][] = [
    ["▁the", -1],
    ["▁quick", -3],
    ["▁qu", -2],
    ["ick", -2],
    ["est", -2],
    ["▁un", -1],
    ["able", -1],
    ["▁unable", -5],
    ["▁fi", -2],
    ["sh", -2],
    ["▁", -4],
  ];
  const uid = (piece: string) => 4 + PIECES.findIndex(([p]) => p === piece);
  const tokenizer = parseTokenizerJson(unigramTokenizerJson(PIECES));

  it("prefixes each word with ▁, picks the most probable segmentation and wraps in <s> ... </s>", () => {
    // ▁quick+est (-5) beats ▁qu+ick+est (-6); ▁un+able (-2) beats ▁unable (-5).
    expect(tokenizer.encode("the quickest unable")).toEqual({
      ids: [0, uid("▁the"), uid("▁quick"), uid("est"), uid("▁un"), uid("able"), 2],
      wordIndex: [-1, 0, 1, 1, 2, 2, -1],
    });
    expect(tokenizer.kind).toBe("unigram");
  });

  it("fuses consecutive unknown characters into one <unk>", () => {
    expect(tokenizer.encodeWord("the☃☃")).toEqual([uid("▁the"), 3]);
    expect(tokenizer.encodeWord("☃")).toEqual([uid("▁"), 3]);
  });

  it("applies NFKC before segmenting (the ﬁ ligature becomes fi)", () => {
    expect(tokenizer.encodeWord("ﬁsh")).toEqual([uid("▁fi"), uid("sh")]);
  });

  it("leaves the first word bare when the Metaspace never prepends", () => {
    const json = unigramTokenizerJson(PIECES) as { pre_tokenizer: Record<string, unknown> };
    json.pre_tokenizer = { type: "Metaspace", replacement: "▁", prepend_scheme: "never", split: true };
    const never = parseTokenizerJson(json);
    expect(never.encode("the the").ids.slice(1, -1)).toEqual([3, uid("▁the")]);
  });
});

describe("tokenizer.json errors", () => {
  it("refuses other model types by name", () => {
    const bpe = { ...wordPieceTokenizerJson(TOKENS), model: { type: "BPE", vocab: {}, merges: [] } };
    expect(() => parseTokenizerJson(bpe, "/m/tokenizer.json")).toThrowError(/\/m\/tokenizer\.json: model type "BPE" is not supported/);
    try {
      parseTokenizerJson(bpe);
    } catch (error) {
      expect(isHeadroomError(error, "HR_PROSE_MODEL_INVALID")).toBe(true);
    }
  });

  it("refuses a WordPiece tokenizer without the BERT pre-tokenizer", () => {
    const json = { ...wordPieceTokenizerJson(TOKENS), pre_tokenizer: { type: "ByteLevel" } };
    expect(() => parseTokenizerJson(json)).toThrowError(/pre_tokenizer "ByteLevel" is not supported/);
  });

  it("names the file when it is missing or not JSON", async () => {
    const dir = await mkdtemp(join(tmpdir(), "headroom-tok-"));
    await expect(loadTokenizerJson(join(dir, "tokenizer.json"))).rejects.toThrowError(/tokenizer\.json: cannot read the tokenizer/);
    await writeFile(join(dir, "tokenizer.json"), "{ not json");
    await expect(loadTokenizerJson(join(dir, "tokenizer.json"))).rejects.toMatchObject({
      code: "HR_PROSE_MODEL_INVALID",
      message: expect.stringMatching(/tokenizer\.json: not valid JSON/),
    });
  });
});
