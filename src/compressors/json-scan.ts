// Safe JSON parsing for the json compressor: one linear pre-scan bounds nesting depth (so nothing
// after it can recurse unboundedly) and rejects inputs whose re-serialization would change data.
export const MAX_JSON_DEPTH = 200;

export interface ParsedJson {
  readonly value: object;
}

// The router has usually just parsed the same text to detect it: one slot remembers the last parse
// so a tool output is parsed once. Parsed values are never mutated by the compressors (the
// contract suite's determinism check would catch it), so sharing one is safe.
let lastText: string | undefined;
let lastValue: unknown;

/** JSON.parse with a one-entry memo of the last text parsed. Throws like JSON.parse. */
export function parseJsonText(text: string): unknown {
  if (text === lastText) return lastValue;
  const value: unknown = JSON.parse(text);
  lastText = text;
  lastValue = value;
  return value;
}

/** Parses a JSON object or array; null for anything else, too deep, or not safely round-trippable. */
export function parseJsonSafely(text: string, maxDepth = MAX_JSON_DEPTH): ParsedJson | null {
  const members = scanJson(text, maxDepth);
  if (members < 0) return null;
  let value: unknown;
  try {
    value = parseJsonText(text);
  } catch {
    return null;
  }
  if (value === null || typeof value !== "object") return null;
  // Duplicate keys collapse in JSON.parse: re-serializing would silently lose the earlier ones.
  if (countMembers(value, 0, maxDepth) !== members) return null;
  return { value };
}

// Returns the number of object members (":" outside strings), or -1 when the text does not start
// like a JSON container, nests deeper than maxDepth, or holds a number that would not round-trip.
function scanJson(text: string, maxDepth: number): number {
  let i = 0;
  const n = text.length;
  while (i < n && isSpace(text.charCodeAt(i))) i++;
  const first = text.charCodeAt(i);
  if (first !== 0x7b && first !== 0x5b) return -1;
  let depth = 0;
  let members = 0;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // string: skip to the closing quote
      for (i++; i < n; i++) {
        const s = text.charCodeAt(i);
        if (s === 0x5c) i++;
        else if (s === 0x22) break;
      }
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) return -1;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    } else if (c === 0x3a) {
      members++;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      const start = i;
      let digits = 0;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d >= 0x30 && d <= 0x39) digits++;
        else if (d !== 0x2d && d !== 0x2b && d !== 0x2e && d !== 0x65 && d !== 0x45) break;
        i++;
      }
      if (digits > 15) {
        const literal = text.slice(start, i);
        if (String(Number(literal)) !== literal) return -1;
      }
      i--;
    }
  }
  return members;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

// Depth is already bounded by the scan, so this recursion is at most maxDepth deep.
function countMembers(value: unknown, depth: number, maxDepth: number): number {
  if (value === null || typeof value !== "object" || depth > maxDepth) return 0;
  let total = 0;
  if (Array.isArray(value)) {
    for (const item of value) if (item !== null && typeof item === "object") total += countMembers(item, depth + 1, maxDepth);
    return total;
  }
  for (const key in value) {
    total++;
    const child = (value as Record<string, unknown>)[key];
    if (child !== null && typeof child === "object") total += countMembers(child, depth + 1, maxDepth);
  }
  return total;
}
