// The async step before compression that runs the optional prose model: it produces the
// context.wordKeepProbabilities the prose-ml compressor reads. Fail-open: any failure, and any text
// the model should not see, yields undefined and the extractive prose path runs instead.
import type { ProseModel } from "../resources/prose-model.js";
import { detectKind } from "./detect.js";

/**
 * Largest text scored (characters). Above it the model's run time (hundreds of 512-token windows)
 * is not worth waiting for in a request; the extractive path handles it.
 */
export const MAX_SCORED_CHARS = 200_000;

// Fenced code inside Markdown prose: dropping words from code breaks it, so the extractive path,
// which keeps code blocks whole, takes such documents.
const FENCE_RE = /^[ \t]*(?:```|~~~)/m;

/**
 * Keep-probabilities for each whitespace word of `text`, or undefined when there is no model, the
 * text is not prose (see detectKind), holds fenced code, is too long, or scoring fails. Never throws.
 * @example const scores = await proseScores(text, model); compressProseWithProbabilities(text, { ...ctx, wordKeepProbabilities: scores })
 */
export async function proseScores(text: string, model: ProseModel | undefined): Promise<readonly number[] | undefined> {
  if (!model || text.length === 0 || text.length > MAX_SCORED_CHARS) return undefined;
  try {
    if (FENCE_RE.test(text) || detectKind(text) !== "prose") return undefined;
    return await model.scoreWords(text);
  } catch {
    return undefined;
  }
}
