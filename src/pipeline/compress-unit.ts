// One tool output through detect -> compress -> accept. Pure and synchronous: no store, no clock.
// Every stage may say "not mine" (null) and every failure keeps the original: fail-open.
import type { CodeLanguage, CompressContext, ContentKind, Omission, Query } from "../compressors/types.js";
import { compressorFor } from "../compressors/index.js";
import { contentHash } from "../ccr/hash.js";
import { withShellHint } from "../ccr/marker.js";
import { budgetFor, estimateTokens, MIN_TOKENS } from "./budget.js";
import { splitSections } from "./detect.js";

export interface UnitOptions {
  readonly query: Query;
  readonly losslessOnly?: boolean;
  /** Skip detection and treat the whole text (after the header) as this kind. */
  readonly kind?: ContentKind;
  /** Source language, when the tool call named a file (see read-policy.ts). */
  readonly language?: CodeLanguage;
  /** Keep-probabilities from the prose model, one per whitespace-separated word of the text after the header. */
  readonly wordKeepProbabilities?: readonly number[];
  /** The first this many characters (an agent's wrapper, such as Codex's exec header) are kept as they are. */
  readonly headerChars?: number;
}

export interface UnitOutcome {
  /** The text to send: compressed, or the original when `fallback` is set. */
  readonly text: string;
  readonly hash: string;
  /** Kind of the largest section (what the unit mostly is). */
  readonly kind: ContentKind;
  readonly omissions: readonly Omission[];
  /** Why the original was kept, when it was. */
  readonly fallback?: string;
}

/** Compresses one tool output; returns the original with a reason when that is the better answer. */
export function compressUnit(text: string, options: UnitOptions): UnitOutcome {
  const hash = contentHash(text);
  const keep = (fallback: string, kind: ContentKind = "text"): UnitOutcome => ({ text, hash, kind, omissions: [], fallback });

  const unusable = whyUnusable(text);
  if (unusable) return keep(unusable);
  // The hash (and so every marker) names the whole output; only the body is compressed.
  const header = options.headerChars ? text.slice(0, options.headerChars) : "";
  const body = header ? text.slice(header.length) : text;
  if (estimateTokens(body) < MIN_TOKENS) return keep(`below the minimum size (${MIN_TOKENS} tokens)`);

  const sections = options.kind ? [{ kind: options.kind, text: body }] : splitSections(body);
  const kind = dominantKind(sections);
  const pieces: string[] = [];
  const omissions: Omission[] = [];
  let firstLine = 1;
  for (const section of sections) {
    const whole = section.text === body;
    const result = compressSection(section.text, section.kind, {
      hash,
      query: options.query,
      budget: budgetFor(estimateTokens(section.text)),
      losslessOnly: options.losslessOnly ?? false,
      firstLine,
      ...(options.language ? { language: options.language } : {}),
      // Probabilities are per word of the whole body: they fit a section only when it is the body.
      ...(options.wordKeepProbabilities && whole ? { wordKeepProbabilities: options.wordKeepProbabilities } : {}),
    });
    pieces.push(result ? result.text : section.text);
    if (result) omissions.push(...result.omissions);
    firstLine += lineCount(section.text);
  }

  const joined = header + pieces.join("\n");
  const compressed = omissions.length > 0 ? withShellHint(joined, hash) : joined;
  if (compressed.length >= text.length) return keep("compression did not make it smaller", kind);
  return { text: compressed, hash, kind, omissions };
}

function lineCount(text: string): number {
  let count = 1;
  for (let at = text.indexOf("\n"); at >= 0; at = text.indexOf("\n", at + 1)) count++;
  return count;
}

// A compressor that throws is treated as "not mine" for that section: the section stays original.
function compressSection(text: string, kind: ContentKind, context: CompressContext) {
  if (estimateTokens(text) < MIN_TOKENS / 2) return null;
  try {
    const result = compressorFor(kind)(text, context);
    return result && result.text.length < text.length ? result : null;
  } catch {
    return null;
  }
}

function dominantKind(sections: readonly { kind: ContentKind; text: string }[]): ContentKind {
  let best: { kind: ContentKind; size: number } = { kind: "text", size: -1 };
  for (const section of sections) if (section.text.length > best.size) best = { kind: section.kind, size: section.text.length };
  return best.kind;
}

// Binary content (NUL bytes, many replacement characters from invalid UTF-8) is never compressed.
function whyUnusable(text: string): string | undefined {
  if (text.length === 0) return "empty input";
  const sample = text.length > 65_536 ? text.slice(0, 65_536) : text;
  if (sample.includes("\u0000")) return "binary content (NUL bytes)";
  let replacements = 0;
  for (let i = 0; i < sample.length; i++) if (sample.charCodeAt(i) === 0xfffd) replacements++;
  if (replacements > 8 && replacements > sample.length / 1000) return "not valid UTF-8";
  return undefined;
}
