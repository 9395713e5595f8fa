// Reads a Hugging Face tokenizer.json and encodes text to ids, remembering which whitespace word of
// the text each token came from (the prose model scores words, not tokens). Two families are
// supported, the two LLMLingua-2 ships: WordPiece with the BERT normalizer and pre-tokenizer (cased
// and uncased), and Unigram with Metaspace (XLM-R). Any other model type is refused by name.
//
// Words are encoded one at a time. For these two families that equals encoding the whole text: both
// pre-tokenizers split at every whitespace, so no token ever spans two words.
import { readFile } from "node:fs/promises";
import { ErrorCodes, HeadroomError } from "../errors.js";
import { normalizerFor, type Normalize } from "./tokenizer-normalize.js";

/** Token ids of a text with the model's special tokens, and for each token its word index (-1: special). */
export interface Encoding {
  readonly ids: number[];
  readonly wordIndex: number[];
}

export interface JsonTokenizer {
  readonly kind: "wordpiece" | "unigram";
  /** Special ids the post-processor puts before and after one sequence ([CLS] / [SEP], <s> / </s>). */
  readonly prefix: readonly number[];
  readonly suffix: readonly number[];
  /** Token ids of one whitespace word, without special tokens. `first` is the text's first word. */
  encodeWord(word: string, first?: boolean): number[];
  /** Every whitespace word of `text`, wrapped in the special tokens. */
  encode(text: string): Encoding;
}

type Json = Record<string, unknown>;

const WORD_RE = /\S+/g;

/**
 * Builds a tokenizer from the parsed contents of a tokenizer.json. `source` names the file in errors.
 * @example parseTokenizerJson(JSON.parse(text), "/models/llmlingua/tokenizer.json").encode("Hello there")
 */
export function parseTokenizerJson(json: unknown, source = "tokenizer.json"): JsonTokenizer {
  const fail = (what: string) =>
    new HeadroomError(ErrorCodes.ProseModelInvalid, `${source}: ${what} (supported: WordPiece with the BERT normalizer, Unigram with Metaspace)`);
  if (!isObject(json) || !isObject(json.model)) throw fail("no \"model\" section; is this a Hugging Face tokenizer.json?");
  const model = json.model;
  const normalize = normalizerFor(json.normalizer ?? null, (type) => fail(`normalizer "${type}" is not supported`));
  const { prefix, suffix } = specialIds(json.post_processor ?? null, fail);
  const encodeWord =
    model.type === "WordPiece"
      ? wordPiece(model, normalize, preTokenizer(json.pre_tokenizer ?? null, "wordpiece", fail), fail)
      : model.type === "Unigram"
        ? unigram(model, normalize, preTokenizer(json.pre_tokenizer ?? null, "unigram", fail), fail)
        : undefined;
  if (!encodeWord) throw fail(`model type "${String(model.type)}" is not supported`);
  const kind = model.type === "WordPiece" ? "wordpiece" : "unigram";
  return {
    kind,
    prefix,
    suffix,
    encodeWord,
    encode(text: string): Encoding {
      const ids = [...prefix];
      const wordIndex = prefix.map(() => -1);
      let w = 0;
      for (const match of text.matchAll(WORD_RE)) {
        for (const id of encodeWord(match[0], w === 0)) {
          ids.push(id);
          wordIndex.push(w);
        }
        w++;
      }
      for (const id of suffix) {
        ids.push(id);
        wordIndex.push(-1);
      }
      return { ids, wordIndex };
    },
  };
}

/** Reads and parses a tokenizer.json file; errors name the file. */
export async function loadTokenizerJson(path: string): Promise<JsonTokenizer> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new HeadroomError(ErrorCodes.ProseModelInvalid, `${path}: cannot read the tokenizer (${(error as Error).message})`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new HeadroomError(ErrorCodes.ProseModelInvalid, `${path}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
  return parseTokenizerJson(json, path);
}

// Pieces of one whitespace word after pre-tokenization (BERT: punctuation and CJK characters apart).
type PreTokenize = (word: string) => string[];

function preTokenizer(spec: unknown, kind: "wordpiece" | "unigram", fail: (what: string) => Error): PreTokenize & { metaspace?: Metaspace } {
  const steps = isObject(spec) && spec.type === "Sequence" && Array.isArray(spec.pretokenizers) ? spec.pretokenizers : [spec];
  let bert = false;
  let metaspace: Metaspace | undefined;
  for (const step of steps) {
    const type = isObject(step) ? step.type : step;
    if (type === "BertPreTokenizer" && kind === "wordpiece") bert = true;
    else if (type === "Metaspace" && kind === "unigram" && isObject(step)) metaspace = metaspaceFrom(step);
    else if (type !== "WhitespaceSplit") throw fail(`pre_tokenizer "${String(type)}" is not supported with this model`);
  }
  if (kind === "wordpiece" && !bert) throw fail("WordPiece needs the BertPreTokenizer");
  if (kind === "unigram" && !metaspace) throw fail("Unigram needs the Metaspace pre_tokenizer");
  const split = (word: string) => word.split(/\s+/).filter((p) => p.length > 0);
  const fn: PreTokenize & { metaspace?: Metaspace } = bert ? (word) => split(word).flatMap(bertPieces) : split;
  if (metaspace) fn.metaspace = metaspace;
  return fn;
}

interface Metaspace {
  readonly replacement: string;
  /** Prefix the text's first word too (always / first), not only words after a space. */
  readonly prefixFirst: boolean;
}

function metaspaceFrom(step: Json): Metaspace {
  const replacement = typeof step.replacement === "string" ? step.replacement : "▁";
  const scheme = step.prepend_scheme ?? (step.add_prefix_space === false ? "never" : "always");
  return { replacement, prefixFirst: scheme !== "never" };
}

// BERT pre-tokenization inside a whitespace-free word: each punctuation character (ASCII symbols
// and Unicode P*) stands alone; CJK characters were already spaced apart by the normalizer.
const BERT_PUNCTUATION_RE = /([!-/:-@[-`{-~]|\p{P})/u;

function bertPieces(word: string): string[] {
  return word.split(BERT_PUNCTUATION_RE).filter((p) => p.length > 0);
}

// Greedy longest-match-first over each pre-token; a pre-token with any unmatched rest is one [UNK].
function wordPiece(model: Json, normalize: Normalize, preTokenize: PreTokenize, fail: (what: string) => Error): (word: string) => number[] {
  if (!isObject(model.vocab)) throw fail("WordPiece model without a vocab");
  const vocab = new Map<string, number>();
  let longest = 1;
  for (const [token, id] of Object.entries(model.vocab)) {
    if (typeof id !== "number") throw fail(`vocab entry "${token}" has no numeric id`);
    vocab.set(token, id);
    longest = Math.max(longest, [...token].length);
  }
  const unkToken = typeof model.unk_token === "string" ? model.unk_token : "[UNK]";
  const unk = vocab.get(unkToken);
  if (unk === undefined) throw fail(`unk_token "${unkToken}" is not in the vocab`);
  const prefix = typeof model.continuing_subword_prefix === "string" ? model.continuing_subword_prefix : "##";
  const maxChars = typeof model.max_input_chars_per_word === "number" ? model.max_input_chars_per_word : 100;
  return (word) => {
    const ids: number[] = [];
    for (const piece of preTokenize(normalize(word))) {
      // Code-unit offsets of the code points, so substrings never split a surrogate pair.
      const at: number[] = [];
      for (let i = 0; i < piece.length; i += (piece.codePointAt(i) ?? 0) > 0xffff ? 2 : 1) at.push(i);
      const count = at.length;
      at.push(piece.length);
      if (count > maxChars) {
        ids.push(unk);
        continue;
      }
      const found: number[] = [];
      let start = 0;
      while (start < count) {
        let id: number | undefined;
        let end = Math.min(count, start + longest);
        for (; end > start; end--) {
          const sub = piece.slice(at[start], at[end]);
          id = vocab.get(start > 0 ? prefix + sub : sub);
          if (id !== undefined) break;
        }
        if (id === undefined) break;
        found.push(id);
        start = end;
      }
      if (start < count) ids.push(unk);
      else ids.push(...found);
    }
    return ids;
  };
}

// Viterbi over the pieces' log-probabilities, as sentencepiece does. A character no piece starts
// with becomes <unk> scored (lowest score - 10); consecutive unknowns fuse into one <unk>.
function unigram(model: Json, normalize: Normalize, preTokenize: PreTokenize & { metaspace?: Metaspace }, fail: (what: string) => Error): (word: string, first?: boolean) => number[] {
  if (!Array.isArray(model.vocab)) throw fail("Unigram model without a vocab list");
  const pieces = new Map<string, { id: number; score: number }>();
  let minScore = 0;
  let longest = 1;
  model.vocab.forEach((entry, id) => {
    if (!Array.isArray(entry) || typeof entry[0] !== "string" || typeof entry[1] !== "number") throw fail(`vocab entry ${id} is not [piece, score]`);
    if (!pieces.has(entry[0])) pieces.set(entry[0], { id, score: entry[1] });
    minScore = Math.min(minScore, entry[1]);
    longest = Math.max(longest, [...entry[0]].length);
  });
  const unk = typeof model.unk_id === "number" ? model.unk_id : undefined;
  if (unk === undefined || unk < 0 || unk >= model.vocab.length) throw fail("Unigram model without a valid unk_id");
  const unkScore = minScore - 10;
  const meta = preTokenize.metaspace as Metaspace;
  return (word, first = false) => {
    const ids: number[] = [];
    preTokenize(normalize(word)).forEach((piece, i) => {
      const marked = first && i === 0 && !meta.prefixFirst ? piece : meta.replacement + piece;
      ids.push(...viterbi([...marked], pieces, longest, unk, unkScore));
    });
    return ids;
  };
}

function viterbi(chars: readonly string[], pieces: Map<string, { id: number; score: number }>, longest: number, unk: number, unkScore: number): number[] {
  const n = chars.length;
  const best = new Float64Array(n + 1).fill(-Infinity);
  const from = new Int32Array(n + 1);
  const idAt = new Int32Array(n + 1);
  best[0] = 0;
  for (let start = 0; start < n; start++) {
    const base = best[start] ?? -Infinity;
    if (base === -Infinity) continue;
    let single = false;
    let sub = "";
    for (let end = start + 1; end <= Math.min(n, start + longest); end++) {
      sub += chars[end - 1];
      const piece = pieces.get(sub);
      if (!piece) continue;
      if (end === start + 1) single = true;
      if (base + piece.score > (best[end] ?? -Infinity)) {
        best[end] = base + piece.score;
        from[end] = start;
        idAt[end] = piece.id;
      }
    }
    if (!single && base + unkScore > (best[start + 1] ?? -Infinity)) {
      best[start + 1] = base + unkScore;
      from[start + 1] = start;
      idAt[start + 1] = unk;
    }
  }
  const ids: number[] = [];
  for (let end = n; end > 0; end = from[end] ?? 0) {
    const id = idAt[end] ?? unk;
    if (!(id === unk && ids[ids.length - 1] === unk)) ids.push(id);
  }
  return ids.reverse();
}

// Special tokens around one sequence, from the post_processor (TemplateProcessing, Bert/RobertaProcessing).
function specialIds(spec: unknown, fail: (what: string) => Error): { prefix: number[]; suffix: number[] } {
  if (spec === null) return { prefix: [], suffix: [] };
  if (!isObject(spec)) throw fail("post_processor is not an object");
  if (spec.type === "Sequence" && Array.isArray(spec.processors)) {
    const found = spec.processors.filter((p) => isObject(p) && p.type !== "ByteLevel");
    return found.length === 0 ? { prefix: [], suffix: [] } : specialIds(found[0], fail);
  }
  if (spec.type === "BertProcessing" || spec.type === "RobertaProcessing") {
    const id = (pair: unknown) => (Array.isArray(pair) && typeof pair[1] === "number" ? pair[1] : undefined);
    const cls = id(spec.cls);
    const sep = id(spec.sep);
    if (cls === undefined || sep === undefined) throw fail(`${spec.type} without cls/sep ids`);
    return { prefix: [cls], suffix: [sep] };
  }
  if (spec.type === "TemplateProcessing" && Array.isArray(spec.single)) {
    const specials = isObject(spec.special_tokens) ? spec.special_tokens : {};
    const prefix: number[] = [];
    const suffix: number[] = [];
    let seen = false;
    for (const item of spec.single) {
      if (isObject(item) && isObject(item.Sequence)) seen = true;
      else if (isObject(item) && isObject(item.SpecialToken)) {
        const entry = specials[String(item.SpecialToken.id)];
        if (!isObject(entry) || !Array.isArray(entry.ids)) throw fail(`special token "${String(item.SpecialToken.id)}" has no ids`);
        (seen ? suffix : prefix).push(...entry.ids.map(Number));
      }
    }
    return { prefix, suffix };
  }
  throw fail(`post_processor "${String(spec.type)}" is not supported`);
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
