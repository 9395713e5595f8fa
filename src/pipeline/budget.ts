// Budget: how small a compressed tool output should get, in estimated tokens.
//
// - Outputs under MIN_TOKENS are never touched: a marker and the model's retrieval round trip cost
//   more than they would save.
// - Compressors first apply lossless transforms; if the result fits the budget they stop there.
//   Only above it do they select (drop rows, lines, matches), and never drop what they must keep
//   (errors, failures, query matches), so the budget is a target, not a hard cap.
// - budget = max(FLOOR_TOKENS, RATIO x original tokens).

export const MIN_TOKENS = 250;
export const FLOOR_TOKENS = 200;
export const RATIO = 0.1;

/** Cheap estimate used inside compressors (about 4 characters a token); real counts come from src/tokens. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export function budgetFor(estimatedTokens: number): number {
  return Math.max(FLOOR_TOKENS, Math.round(estimatedTokens * RATIO));
}
