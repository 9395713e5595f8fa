// Generates, at test time, a tiny token classifier in the LLMLingua-2 export form: model.onnx
// (inputs input_ids + attention_mask [+ token_type_ids], int64 [batch, seq]; output logits
// [batch, seq, 2], label 1 = keep) beside a tokenizer.json. Each token's logits come from an
// embedding row chosen by the test, so a test knows exactly which words the model keeps. A position
// table of `maxPositions` rows makes a window longer than that fail, as a real BERT would.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { encodeModel, FLOAT, INT64, type NodeSpec, type TensorInit, type ValueInfo } from "./onnx-proto.js";

export const WORDPIECE_SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] as const;
export const UNIGRAM_SPECIALS = ["<s>", "<pad>", "</s>", "<unk>"] as const;

/** A WordPiece tokenizer.json in the form `bert-base-*` exports have (specials first, then `tokens`). */
export function wordPieceTokenizerJson(tokens: readonly string[], options: { lowercase?: boolean } = {}): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  [...WORDPIECE_SPECIALS, ...tokens].forEach((t, i) => (vocab[t] = i));
  const special = (t: string) => ({ id: t, ids: [vocab[t]], tokens: [t] });
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: WORDPIECE_SPECIALS.map((t) => ({ id: vocab[t], content: t, special: true })),
    normalizer: {
      type: "BertNormalizer",
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: options.lowercase ?? false,
    },
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor: {
      type: "TemplateProcessing",
      single: [{ SpecialToken: { id: "[CLS]", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "[SEP]", type_id: 0 } }],
      pair: [],
      special_tokens: { "[CLS]": special("[CLS]"), "[SEP]": special("[SEP]") },
    },
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
    model: {
      type: "WordPiece",
      unk_token: "[UNK]",
      continuing_subword_prefix: "##",
      max_input_chars_per_word: 100,
      vocab,
    },
  };
}

/** A Unigram + Metaspace tokenizer.json in the XLM-R form (specials first, then `pieces` with log-probs). */
export function unigramTokenizerJson(pieces: readonly (readonly [string, number])[]): Record<string, unknown> {
  const vocab = [...UNIGRAM_SPECIALS.map((t) => [t, 0] as const), ...pieces];
  return {
    version: "1.0",
    added_tokens: UNIGRAM_SPECIALS.map((t, id) => ({ id, content: t, special: true })),
    normalizer: { type: "Sequence", normalizers: [{ type: "NFKC" }, { type: "Replace", pattern: { Regex: " {2,}" }, content: " " }] },
    pre_tokenizer: { type: "Metaspace", replacement: "▁", prepend_scheme: "always", split: true },
    post_processor: { type: "RobertaProcessing", sep: ["</s>", 2], cls: ["<s>", 0], trim_offsets: true, add_prefix_space: true },
    decoder: { type: "Metaspace", replacement: "▁", prepend_scheme: "always", split: true },
    model: { type: "Unigram", unk_id: 3, vocab, byte_fallback: false },
  };
}

export interface TinyModelOptions {
  /** Keep probability of each listed token (vocabulary entry); unlisted tokens get `defaultKeep`. */
  readonly keep?: Readonly<Record<string, number>>;
  readonly defaultKeep?: number;
  /** Declare a third input, token_type_ids, as BERT exports do. */
  readonly tokenTypeIds?: boolean;
  /** Rows of the position table: the longest window the model accepts (512 like BERT). */
  readonly maxPositions?: number;
  /** Labels per token (2 like LLMLingua-2; another count makes a model headroom must refuse). */
  readonly labels?: number;
}

const logit = (p: number) => Math.log(p / (1 - p));

/** model.onnx bytes for a vocabulary given in id order. */
export function tinyModelBytes(vocab: readonly string[], options: TinyModelOptions = {}): Uint8Array {
  const labels = options.labels ?? 2;
  const emb: number[] = [];
  for (const token of vocab) {
    emb.push(0, logit(options.keep?.[token] ?? options.defaultKeep ?? 0.1));
    for (let extra = 2; extra < labels; extra++) emb.push(0);
  }
  const maxPositions = options.maxPositions ?? 512;
  const ids = (name: string): ValueInfo => ({ name, type: INT64, shape: ["batch", "sequence"] });
  const initializers: TensorInit[] = [
    { name: "embedding", type: FLOAT, dims: [vocab.length, labels], values: emb },
    { name: "positions", type: FLOAT, dims: [maxPositions, labels], values: new Array<number>(maxPositions * labels).fill(0) },
    { name: "zero", type: INT64, dims: [], values: [0] },
    { name: "one", type: INT64, dims: [], values: [1] },
    { name: "last_axis", type: INT64, dims: [1], values: [2] },
    { name: "zero_f", type: FLOAT, dims: [], values: [0] },
  ];
  const nodes: NodeSpec[] = [
    { op: "Gather", inputs: ["embedding", "input_ids"], outputs: ["token_logits"] },
    { op: "Shape", inputs: ["input_ids"], outputs: ["ids_shape"] },
    { op: "Gather", inputs: ["ids_shape", "one"], outputs: ["seq_len"] },
    { op: "Range", inputs: ["zero", "seq_len", "one"], outputs: ["position_ids"] },
    { op: "Gather", inputs: ["positions", "position_ids"], outputs: ["position_logits"] },
    { op: "Add", inputs: ["token_logits", "position_logits"], outputs: ["summed"] },
    { op: "Cast", inputs: ["attention_mask"], outputs: ["mask_f"], intAttributes: { to: FLOAT } },
    { op: "Unsqueeze", inputs: ["mask_f", "last_axis"], outputs: ["mask_3d"] },
  ];
  const inputs = [ids("input_ids"), ids("attention_mask")];
  if (options.tokenTypeIds) {
    inputs.push(ids("token_type_ids"));
    nodes.push(
      { op: "Cast", inputs: ["token_type_ids"], outputs: ["types_f"], intAttributes: { to: FLOAT } },
      { op: "Unsqueeze", inputs: ["types_f", "last_axis"], outputs: ["types_3d"] },
      { op: "Mul", inputs: ["types_3d", "zero_f"], outputs: ["types_zero"] },
      { op: "Add", inputs: ["summed", "types_zero"], outputs: ["summed_typed"] },
      { op: "Mul", inputs: ["summed_typed", "mask_3d"], outputs: ["logits"] },
    );
  } else {
    nodes.push({ op: "Mul", inputs: ["summed", "mask_3d"], outputs: ["logits"] });
  }
  return encodeModel({
    nodes,
    initializers,
    inputs,
    outputs: [{ name: "logits", type: FLOAT, shape: ["batch", "sequence", labels] }],
  });
}

/** Writes model.onnx + tokenizer.json (WordPiece) into `dir` and returns `dir`. */
export async function writeTinyWordPieceModel(
  dir: string,
  tokens: readonly string[],
  options: TinyModelOptions & { lowercase?: boolean } = {},
): Promise<string> {
  await mkdir(dir, { recursive: true });
  const vocab = [...WORDPIECE_SPECIALS, ...tokens];
  await writeFile(join(dir, "model.onnx"), tinyModelBytes(vocab, options));
  await writeFile(join(dir, "tokenizer.json"), JSON.stringify(wordPieceTokenizerJson(tokens, options)));
  return dir;
}

/** Writes model.onnx + tokenizer.json (Unigram, XLM-R form) into `dir` and returns `dir`. */
export async function writeTinyUnigramModel(
  dir: string,
  pieces: readonly (readonly [string, number])[],
  options: TinyModelOptions = {},
): Promise<string> {
  await mkdir(dir, { recursive: true });
  const vocab = [...UNIGRAM_SPECIALS, ...pieces.map(([p]) => p)];
  await writeFile(join(dir, "model.onnx"), tinyModelBytes(vocab, options));
  await writeFile(join(dir, "tokenizer.json"), JSON.stringify(unigramTokenizerJson(pieces)));
  return dir;
}
