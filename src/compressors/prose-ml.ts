// Prose by model scores (LLMLingua-2 form): the optional prose model has already given every
// whitespace word a keep-probability (context.wordKeepProbabilities, computed on the async path
// before compression); this keeps the most probable words, in their original order, within the
// budget, and appends one marker that counts the dropped words and carries the hash.
//
// No words are force-kept: the model was trained to keep numbers, names and negations, and
// anything it dropped comes back through the marker. Line and paragraph breaks between kept words
// survive, so the text keeps its shape.
import { formatMarker } from "../ccr/marker.js";
import type { Compressor, CompressResult } from "./types.js";

/** What the prose model scores one probability for: each maximal run of non-whitespace characters. */
export const PROSE_WORD_RE = /\S+/g;

/**
 * The whitespace-separated words of a text, in order (the unit of context.wordKeepProbabilities).
 * @example proseWords(" two\nwords ") // ["two", "words"]
 */
export function proseWords(text: string): string[] {
  return text.match(PROSE_WORD_RE) ?? [];
}

interface Word {
  readonly start: number;
  readonly end: number;
}

/**
 * Keeps the words the prose model rates most worth keeping. Returns null without probabilities,
 * when they do not match the text's words, for lossless-only units, and when nothing is saved.
 * @example compressProseWithProbabilities(text, { ...context, wordKeepProbabilities: scores })
 */
export const compressProseWithProbabilities: Compressor = (text, context): CompressResult | null => {
  const probabilities = context.wordKeepProbabilities;
  if (!probabilities || context.losslessOnly) return null;
  const words: Word[] = [];
  for (const match of text.matchAll(PROSE_WORD_RE)) {
    const start = match.index ?? 0;
    words.push({ start, end: start + match[0].length });
  }
  if (words.length === 0 || words.length !== probabilities.length || !probabilities.every(Number.isFinite)) return null;

  // Room for words: the budget in characters (about 4 a token) less the marker's own length.
  const markerRoom = formatMarker({ count: words.length, unit: "words", detail: detail(words.length, words.length), hash: context.hash }).length + 1;
  const room = context.budget * 4 - markerRoom;
  const order = words.map((_, i) => i).sort((a, b) => (probabilities[b] ?? 0) - (probabilities[a] ?? 0) || a - b);
  // Words are charged one separator each; kept indentation and paragraph breaks can cost more, so
  // an overshoot shrinks the room by as much and the selection runs again (twice at most).
  let limit = room;
  let keep = select(words, order, limit);
  let out = join(text, words, keep.mask);
  for (let pass = 0; pass < 2 && out.length > room; pass++) {
    limit -= out.length - room;
    keep = select(words, order, limit);
    out = join(text, words, keep.mask);
  }
  const kept = keep.count;
  if (kept === words.length) return null;

  const dropped = words.length - kept;
  const marker = formatMarker({ count: dropped, unit: "words", detail: detail(kept, words.length), hash: context.hash });
  const result = out.length > 0 ? `${out}\n${marker}` : marker;
  if (result.length >= text.length) return null;
  return { text: result, omissions: [{ count: dropped, unit: "words" }] };
};

// The most probable words whose lengths, plus one separator each, fit `room` characters.
function select(words: readonly Word[], order: readonly number[], room: number): { mask: Uint8Array; count: number } {
  const mask = new Uint8Array(words.length);
  let used = 0;
  let count = 0;
  for (const i of order) {
    const w = words[i] as Word;
    const cost = w.end - w.start + 1;
    if (used + cost > room) break;
    mask[i] = 1;
    used += cost;
    count++;
  }
  return { mask, count };
}

function detail(kept: number, total: number): string {
  return `prose model kept ${kept} of ${total}`;
}

// Kept words in order. Neighbours in the original keep the whitespace between them; across a
// dropped stretch the separator is the strongest break it spanned (paragraph, line, space).
function join(text: string, words: readonly Word[], keep: Uint8Array): string {
  let out = "";
  let previous = -1;
  for (let i = 0; i < words.length; i++) {
    if (!keep[i]) continue;
    const w = words[i] as Word;
    if (previous === i - 1 && previous >= 0) out += text.slice((words[previous] as Word).end, w.start);
    else if (previous >= 0) out += breakIn(text.slice((words[previous] as Word).end, w.start));
    out += text.slice(w.start, w.end);
    previous = i;
  }
  return out;
}

function breakIn(span: string): string {
  if (/\n[^\S\n]*\n/.test(span)) return "\n\n";
  return span.includes("\n") ? "\n" : " ";
}
