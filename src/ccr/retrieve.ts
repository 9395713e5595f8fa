import { ErrorCodes, HeadroomError } from "../errors.js";
import { HASH_PATTERN } from "./hash.js";
import type { Store } from "./store.js";

/** Lines of context kept around each matching line (like `grep -C 2`). */
export const CONTEXT_LINES = 2;
/** Separator between non-adjacent groups of lines (as grep prints it). */
export const GROUP_SEPARATOR = "--";

/** What a retrieval returns; `matched`/`total` are present only when a query narrowed it. */
export interface Retrieved {
  readonly text: string;
  /** Matching lines (or JSON items). */
  readonly matched?: number;
  /** All lines (or JSON items) of the original. */
  readonly total?: number;
}

/** Options of {@link retrieve}. */
export interface RetrieveOptions {
  /** Words or a phrase to narrow the original to; empty or absent returns the exact original. */
  readonly query?: string;
}

type JsonPath = ReadonlyArray<string>;
const MAX_LISTED_INDICES = 20;

/**
 * Returns an original from the store by its hash, or undefined when it is unknown or expired
 * (callers say "not found or expired").
 *
 * Without a query: the exact original. With a query: only the parts that match it, after a header
 * line in brackets that says how many of how many matched and how to get everything
 * (`headroom retrieve HASH`):
 * - a JSON array, or a JSON object holding a big array (at least half of its text), keeps the array
 *   items whose JSON text contains a query term; the header lists their 0-based indices and path;
 * - anything else keeps matching lines with {@link CONTEXT_LINES} lines of context, each line
 *   prefixed by its 1-based line number in the original: `"123: "` for a matching line,
 *   `"123- "` for a context line; non-adjacent groups are separated by a `--` line.
 *
 * Matching is case-insensitive on any word of the query (2 characters or more) or the whole phrase.
 * Throws HeadroomError HR_BAD_HASH when `hash` is not 16 hex digits.
 */
export function retrieve(
  store: Pick<Store, "get">,
  hash: string,
  options: RetrieveOptions = {},
): Retrieved | undefined {
  const key = normalizeHash(hash);
  const original = store.get(key);
  if (original === undefined) return undefined;
  const terms = queryTerms(options.query ?? "");
  if (terms.length === 0) return { text: original };
  const label = (options.query ?? "").trim();
  return filterJson(original, terms, key, label) ?? filterLines(original, terms, key, label);
}

/** Validates a hash as written by a user or an agent (surrounding spaces and upper case allowed). */
export function normalizeHash(hash: string): string {
  const key = hash.trim().toLowerCase();
  if (!HASH_PATTERN.test(key)) {
    throw new HeadroomError(
      ErrorCodes.BadHash,
      `not a headroom hash: "${hash}". Expected 16 hex digits, as in hash=3f9a1c02b7de4410.`,
    );
  }
  return key;
}

/** Lower-cased terms of a query: the whole phrase, then each distinct word of 2+ characters. */
export function queryTerms(query: string): string[] {
  const phrase = stripWrapping(query.trim().toLowerCase());
  if (phrase === "") return [];
  const words = phrase
    .split(/[\s,;]+/)
    .map(stripWrapping)
    .filter((word) => word.length >= 2);
  return [...new Set([phrase, ...words])];
}

// Quotes and brackets around a word or phrase are how people write queries, not part of them.
function stripWrapping(text: string): string {
  return text.replace(/^["'`([{]+/, "").replace(/["'`)\]}]+$/, "");
}

function matches(text: string, terms: readonly string[]): boolean {
  const lower = text.toLowerCase();
  return terms.some((term) => lower.includes(term));
}

function header(matched: number, total: number, unit: string, label: string, hash: string, extra = ""): string {
  return `[${matched} of ${total} ${unit} match "${label}"${extra} · all of it: headroom retrieve ${hash}]`;
}

/** grep -n -C style view of the lines of `text` that match `terms` (see {@link retrieve}). */
export function filterLines(text: string, terms: readonly string[], hash: string, label: string): Retrieved {
  const lines = text.split("\n");
  if (lines.length > 1 && lines.at(-1) === "") lines.pop();
  const hits: number[] = [];
  lines.forEach((line, i) => {
    if (matches(line, terms)) hits.push(i);
  });
  const out = [
    header(hits.length, lines.length, "lines", label, hash, hits.length ? `, "N:" marks a match, "N-" context` : ""),
  ];
  const isHit = new Set(hits);
  let shownUpTo = -1; // last line index already printed
  for (const hit of hits) {
    const from = Math.max(hit - CONTEXT_LINES, shownUpTo + 1);
    const to = Math.min(hit + CONTEXT_LINES, lines.length - 1);
    if (from > to) continue;
    if (shownUpTo >= 0 && from > shownUpTo + 1) out.push(GROUP_SEPARATOR);
    for (let i = from; i <= to; i++) {
      const line = (lines[i] ?? "").replace(/\r$/, "");
      out.push(`${i + 1}${isHit.has(i) ? ":" : "-"} ${line}`);
    }
    shownUpTo = to;
  }
  return { text: out.join("\n"), matched: hits.length, total: lines.length };
}

/**
 * JSON view: the items of the document's array (the root array, or the biggest array inside a root
 * object) whose JSON contains a term. Undefined when `text` is not such a JSON document.
 */
export function filterJson(text: string, terms: readonly string[], hash: string, label: string): Retrieved | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith("[") && !trimmed.startsWith("{")) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(trimmed);
  } catch {
    return undefined;
  }
  const found = Array.isArray(doc) ? { path: [] as JsonPath, items: doc as unknown[] } : biggestArray(doc, []);
  if (!found) return undefined;
  if (!Array.isArray(doc) && JSON.stringify(found.items).length * 2 < JSON.stringify(doc).length) return undefined;

  const kept: unknown[] = [];
  const indices: number[] = [];
  found.items.forEach((item, i) => {
    if (matches(JSON.stringify(item) ?? "null", terms)) {
      kept.push(item);
      indices.push(i);
    }
  });
  const where = found.path.length ? `$.${found.path.join(".")}` : "$";
  const listed = indices.slice(0, MAX_LISTED_INDICES).join(", ") + (indices.length > MAX_LISTED_INDICES ? ", ..." : "");
  const extra = indices.length ? ` at ${where} (indices ${listed})` : ` at ${where}`;
  const top = header(indices.length, found.items.length, "items", label, hash, extra);
  if (indices.length === 0) return { text: top, matched: 0, total: found.items.length };
  const narrowed = Array.isArray(doc) ? kept : replaceAt(doc, found.path, kept);
  const body = trimmed.includes("\n") ? JSON.stringify(narrowed, null, 2) : JSON.stringify(narrowed);
  return { text: `${top}\n${body}`, matched: indices.length, total: found.items.length };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// The array with the most items reachable from `value` through object keys only (depth-limited).
function biggestArray(value: unknown, path: JsonPath, depth = 0): { path: JsonPath; items: unknown[] } | undefined {
  if (!isPlainObject(value) || depth > 3) return undefined;
  let best: { path: JsonPath; items: unknown[] } | undefined;
  for (const [key, child] of Object.entries(value)) {
    const candidate = Array.isArray(child)
      ? { path: [...path, key], items: child as unknown[] }
      : biggestArray(child, [...path, key], depth + 1);
    if (candidate && candidate.items.length >= 2 && (!best || candidate.items.length > best.items.length)) {
      best = candidate;
    }
  }
  return best;
}

function replaceAt(value: unknown, path: JsonPath, replacement: unknown): unknown {
  const [key, ...rest] = path;
  if (key === undefined || !isPlainObject(value)) return replacement;
  return { ...value, [key]: replaceAt(value[key], rest, replacement) };
}
