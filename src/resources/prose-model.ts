// The optional prose model: a token classifier in the LLMLingua-2 form (model.onnx + tokenizer.json
// in one directory, exported with optimum; label 1 = keep), run by onnxruntime-node, an optional peer
// dependency imported only when a model is configured. It turns a text into one keep-probability
// per whitespace word, which the prose-ml compressor then uses synchronously.
//
// A word's probability is the mean of its tokens' keep-probabilities (LLMLingua-2's default
// "mean" token-to-word rule). Long texts are scored in windows of whole words of at most
// `maxTokens` tokens, special tokens included (512 for the BERT and XLM-R models).
import { stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { ErrorCodes, HeadroomError, isHeadroomError } from "../errors.js";
import { PROSE_WORD_RE } from "../compressors/prose-ml.js";
import { loadTokenizerJson, type JsonTokenizer } from "./tokenizer-json.js";

type Ort = typeof import("onnxruntime-node");
type Session = Awaited<ReturnType<Ort["InferenceSession"]["create"]>>;

export const RUNTIME_MODULE = "onnxruntime-node";
export const DEFAULT_MAX_TOKENS = 512;
const KNOWN_INPUTS = new Set(["input_ids", "attention_mask", "token_type_ids"]);

export interface ProseModel {
  readonly dir: string;
  readonly tokenizer: JsonTokenizer;
  /** The model's declared inputs, each of which scoreWords feeds. */
  readonly inputNames: readonly string[];
  readonly maxTokens: number;
  /** One keep-probability in [0, 1] per whitespace word of `text`, in order. */
  scoreWords(text: string): Promise<number[]>;
}

export interface ProseModelOptions {
  /** Longest window in tokens, special tokens included. Default 512. */
  readonly maxTokens?: number;
  /** Module to import as the runtime (tests name a missing one). Default "onnxruntime-node". */
  readonly runtimeModule?: string;
}

const loaded = new Map<string, Promise<ProseModel>>();

/**
 * Loads the model in `dir` once per process (a failure is remembered too, so a broken setup costs
 * one attempt, not one per request). Errors are HeadroomErrors: HR_PROSE_RUNTIME_MISSING when
 * onnxruntime-node cannot be imported, HR_PROSE_MODEL_INVALID for a missing or unusable file.
 * @example const model = await loadProseModel(settings.proseModel); await model.scoreWords(text)
 */
export function loadProseModel(dir: string, options: ProseModelOptions = {}): Promise<ProseModel> {
  const runtime = options.runtimeModule ?? RUNTIME_MODULE;
  const maxTokens = options.maxTokens ?? DEFAULT_MAX_TOKENS;
  const key = `${runtime}\0${maxTokens}\0${resolve(dir)}`;
  let pending = loaded.get(key);
  if (!pending) {
    pending = load(resolve(dir), runtime, maxTokens);
    loaded.set(key, pending);
  }
  return pending;
}

/** What `headroom doctor` reports about the prose model (plain data, JSON-ready). */
export interface ProseModelStatus {
  /** A model directory is configured (HEADROOM_PROSE_MODEL or the config file's proseModel). */
  readonly configured: boolean;
  readonly dir: string | undefined;
  readonly runtime: { readonly importable: boolean; readonly version?: string; readonly error?: string };
  /** Absent when no model is configured. */
  readonly model?: {
    readonly loaded: boolean;
    readonly tokenizer?: "wordpiece" | "unigram";
    readonly inputs?: readonly string[];
    readonly code?: string;
    readonly error?: string;
  };
  /** The path that compresses prose with this setup. */
  readonly active: "model" | "extractive";
}

/**
 * Checks the runtime and, when a directory is configured, loads the model (through the same
 * once-per-process cache the proxy uses). Never throws.
 * @example const status = await proseModelStatus(settings.proseModel); status.active // "extractive"
 */
export async function proseModelStatus(dir: string | undefined, options: ProseModelOptions = {}): Promise<ProseModelStatus> {
  let runtime: ProseModelStatus["runtime"];
  try {
    const ort = await importRuntime(options.runtimeModule);
    runtime = { importable: true, version: ort.env?.versions?.node ?? ort.env?.versions?.common };
  } catch (error) {
    runtime = { importable: false, error: (error as Error).message };
  }
  if (dir === undefined || dir === "") return { configured: false, dir: undefined, runtime, active: "extractive" };
  try {
    const model = await loadProseModel(dir, options);
    const loadedModel = { loaded: true, tokenizer: model.tokenizer.kind, inputs: model.inputNames };
    return { configured: true, dir: model.dir, runtime, model: loadedModel, active: "model" };
  } catch (error) {
    const code = isHeadroomError(error) ? error.code : undefined;
    const failed = { loaded: false, error: (error as Error).message, ...(code ? { code } : {}) };
    return { configured: true, dir: resolve(dir), runtime, model: failed, active: "extractive" };
  }
}

// Imports onnxruntime-node, or throws HR_PROSE_RUNTIME_MISSING saying how to install it.
async function importRuntime(runtimeModule = RUNTIME_MODULE): Promise<Ort> {
  try {
    const mod = (await import(runtimeModule)) as Ort & { default?: Ort };
    return mod.InferenceSession ? mod : (mod.default as Ort);
  } catch (error) {
    // Only the package itself missing means "not installed"; a missing dependency of it is a failed load.
    const missing = (error as { code?: string }).code === "ERR_MODULE_NOT_FOUND" && (error as Error).message.includes(`'${runtimeModule}'`);
    const what = missing
      ? `${runtimeModule} is not installed`
      : `${runtimeModule} is installed but failed to load (${(error as Error).message})`;
    throw new HeadroomError(
      ErrorCodes.ProseRuntimeMissing,
      `${what}. The prose model needs it: install it where headroom is installed ` +
        `(ONNXRUNTIME_NODE_INSTALL=skip npm install -g ${RUNTIME_MODULE}, or without -g in a project). ` +
        "Until then the extractive prose path stays active.",
      { cause: error },
    );
  }
}

async function load(dir: string, runtimeModule: string, maxTokens: number): Promise<ProseModel> {
  const ort = await importRuntime(runtimeModule);
  const modelPath = join(dir, "model.onnx");
  const tokenizerPath = join(dir, "tokenizer.json");
  await requireFile(modelPath, dir);
  await requireFile(tokenizerPath, dir);
  const tokenizer = await loadTokenizerJson(tokenizerPath);
  const room = maxTokens - tokenizer.prefix.length - tokenizer.suffix.length;
  if (room < 1) throw new HeadroomError(ErrorCodes.BadArgument, `maxTokens ${maxTokens} leaves no room between the special tokens`);
  let session: Session;
  try {
    // Severity 4 (fatal only): failures reach the caller as exceptions, and onnxruntime must not
    // write into the terminal `headroom wrap` shares with an agent.
    session = await ort.InferenceSession.create(modelPath, { logSeverityLevel: 4 });
  } catch (error) {
    throw invalid(`${modelPath}: onnxruntime cannot load it (${(error as Error).message})`, error);
  }
  const inputNames = [...session.inputNames];
  const unknown = inputNames.filter((n) => !KNOWN_INPUTS.has(n));
  if (!inputNames.includes("input_ids") || unknown.length > 0) {
    throw invalid(`${modelPath}: expected inputs input_ids, attention_mask [, token_type_ids], found ${inputNames.join(", ")}`);
  }
  const output = session.outputNames.includes("logits") ? "logits" : session.outputNames[0];
  if (output === undefined) throw invalid(`${modelPath}: the model has no output`);

  // Probabilities of keeping each token of one window (special tokens included).
  const runWindow = async (ids: readonly number[]): Promise<Float64Array> => {
    const tensor = (values: readonly number[]) => new ort.Tensor("int64", BigInt64Array.from(values, BigInt), [1, values.length]);
    const feeds: Record<string, InstanceType<Ort["Tensor"]>> = {};
    for (const name of inputNames) {
      feeds[name] = tensor(name === "input_ids" ? ids : name === "attention_mask" ? ids.map(() => 1) : ids.map(() => 0));
    }
    const result = await session.run(feeds, { logSeverityLevel: 4 });
    const logits = result[output];
    const dims = logits?.dims ?? [];
    if (!logits || logits.type !== "float32" || dims.length !== 3 || dims[1] !== ids.length || dims[2] !== 2) {
      const got = logits ? `${logits.type} [${dims.join(", ")}]` : "nothing";
      throw invalid(`${modelPath}: expected float32 logits [1, ${ids.length}, 2] (two labels, 1 = keep), got ${got}`);
    }
    const data = logits.data as Float32Array;
    const probs = new Float64Array(ids.length);
    for (let t = 0; t < ids.length; t++) probs[t] = 1 / (1 + Math.exp((data[2 * t] ?? 0) - (data[2 * t + 1] ?? 0)));
    return probs;
  };

  // A probe run on one word checks the output now rather than on the first request.
  try {
    await runWindow([...tokenizer.prefix, ...(tokenizer.encodeWord("the", true).slice(0, 1)), ...tokenizer.suffix]);
  } catch (error) {
    throw isHeadroomError(error) ? error : invalid(`${modelPath}: a test run failed (${(error as Error).message})`, error);
  }

  return {
    dir,
    tokenizer,
    inputNames,
    maxTokens,
    async scoreWords(text: string): Promise<number[]> {
      const words = text.match(PROSE_WORD_RE) ?? [];
      const sums = new Float64Array(words.length);
      const counts = new Uint32Array(words.length);
      // Windows are tokenized one at a time, so the event loop gets a turn between model runs.
      for (const window of windows(words, (w, i) => tokenizer.encodeWord(w, i === 0).slice(0, room), room)) {
        const probs = await runWindow([...tokenizer.prefix, ...window.ids, ...tokenizer.suffix]);
        window.owner.forEach((w, t) => {
          const p = probs[t + tokenizer.prefix.length] ?? 0;
          sums[w] = (sums[w] ?? 0) + p;
          counts[w] = (counts[w] ?? 0) + 1;
        });
      }
      // A word with no tokens (only characters the normalizer removes) says nothing: probability 0.
      return Array.from(sums, (sum, w) => (counts[w] ? sum / (counts[w] as number) : 0));
    },
  };
}

interface Window {
  /** Token ids, without special tokens. */
  readonly ids: number[];
  /** Word index of each token. */
  readonly owner: number[];
}

// Consecutive runs of whole words whose tokens fit `room`; a longer word was cut to `room` tokens
// by `encode` and gets a window of its own.
function* windows(words: readonly string[], encode: (word: string, index: number) => number[], room: number): Generator<Window> {
  let current: Window = { ids: [], owner: [] };
  for (let w = 0; w < words.length; w++) {
    const ids = encode(words[w] as string, w);
    if (current.ids.length + ids.length > room && current.ids.length > 0) {
      yield current;
      current = { ids: [], owner: [] };
    }
    for (const id of ids) {
      current.ids.push(id);
      current.owner.push(w);
    }
  }
  if (current.ids.length > 0) yield current;
}

async function requireFile(path: string, dir: string): Promise<void> {
  try {
    if ((await stat(path)).isFile()) return;
  } catch (error) {
    throw invalid(
      `${path} not found: the prose model directory ${dir} needs model.onnx and tokenizer.json ` +
        "(an LLMLingua-2 model exported with optimum-cli; see docs/prose-model.md)",
      error,
    );
  }
  throw invalid(`${path} is not a file`);
}

function invalid(message: string, cause?: unknown): HeadroomError {
  return new HeadroomError(ErrorCodes.ProseModelInvalid, message, cause === undefined ? undefined : { cause });
}
