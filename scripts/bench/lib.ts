// Helpers shared by the benchmark scripts: needle checks, the head+tail baseline, medians.

/**
 * A fact the agent needs. A string must appear verbatim. `near` parts must all appear within
 * `within` characters (default 300) of an occurrence of the first part: for facts in JSON, whose
 * formatting (indented, minified, or a table) a lossless transform may change.
 */
export type Needle = string | { near: string[]; within?: number };

export function checkNeedle(text: string, needle: Needle): boolean {
  if (typeof needle === "string") return text.includes(needle);
  const [first, ...rest] = needle.near;
  if (first === undefined) return true;
  const within = needle.within ?? 300;
  for (let at = text.indexOf(first); at >= 0; at = text.indexOf(first, at + 1)) {
    const window = text.slice(Math.max(0, at - within), at + first.length + within);
    if (rest.every((part) => window.includes(part))) return true;
  }
  return false;
}

export function p50(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * The naive alternative: keep the first and last lines of the text, about half the token budget
 * each, with one line saying how much was cut. Texts with few lines (minified JSON) are cut by
 * characters in the same proportion.
 */
export function headTail(text: string, budgetTokens: number, count: (text: string) => number): string {
  const total = count(text);
  if (budgetTokens >= total) return text;
  const lines = text.split("\n");
  const note = (n: number, unit: string) => `\n[... ${n} ${unit} truncated ...]\n`;
  if (lines.length < 20) {
    const chars = Math.floor((text.length * budgetTokens) / total);
    const half = chars >> 1;
    return text.slice(0, half) + note(text.length - 2 * half, "characters") + text.slice(text.length - half);
  }
  const costs = lines.map((line) => count(line + "\n"));
  const half = budgetTokens / 2;
  let head = 0;
  let used = 0;
  while (head < lines.length && used + (costs[head] as number) <= half) used += costs[head++] as number;
  let tail = 0;
  used = 0;
  while (tail < lines.length - head && used + (costs[lines.length - 1 - tail] as number) <= half) {
    used += costs[lines.length - 1 - tail] as number;
    tail++;
  }
  const cut = lines.length - head - tail;
  return [...lines.slice(0, head), note(cut, "lines").trim(), ...lines.slice(lines.length - tail)].join("\n");
}
