// Directory-listing compressor (ls -la, ls -R, find, tree). Directories are kept; in each directory
// the first few files and the query-matching ones are kept verbatim and the rest fold into one marker
// per directory with counts by extension. When that is still over budget, whole subtrees below a
// depth fold into their ancestor's marker. Lossless-only mode has nothing to fold: it returns null.
import { formatMarker } from "../ccr/marker.js";
import { estimateTokens } from "../pipeline/budget.js";
import { parseListing, type ListingEntry, type ParsedListing } from "./listing-parse.js";
import { relevanceScores } from "./search-relevance.js";
import type { CompressContext, CompressResult, Omission } from "./types.js";

const CHARS_PER_TOKEN = 4;
const UNLIMITED = Number.MAX_SAFE_INTEGER;
const TOP_EXTENSIONS = 4;

export const compressListing = (text: string, context: CompressContext): CompressResult | null => {
  if (context.losslessOnly || estimateTokens(text) <= context.budget) return null;
  const parsed = parseListing(text);
  if (!parsed) return null;
  const budgetChars = context.budget * CHARS_PER_TOKEN;
  const facts = analyse(parsed, context);
  let best: CompressResult | null = null;
  for (const config of configurations(facts.maxDepth)) {
    const result = render(parsed, facts, config, context);
    if (!best || result.text.length < best.text.length) best = result;
    if (result.text.length <= budgetChars) {
      best = result;
      break;
    }
  }
  return best && best.text.length < text.length ? best : null;
};

interface FoldConfig {
  /** Files kept per directory (besides query matches). */
  readonly files: number;
  /** Entries deeper than this fold into their ancestor at this depth. */
  readonly depth: number;
  /** Subdirectories kept per directory. */
  readonly dirs: number;
}

// Most detailed first: fewer files per directory, then shallower subtrees, then fewer directories.
function configurations(maxDepth: number): FoldConfig[] {
  const list: FoldConfig[] = [8, 5, 3, 1].map((files) => ({ files, depth: UNLIMITED, dirs: UNLIMITED }));
  for (let depth = maxDepth - 1; depth >= 1; depth--) for (const files of [2, 1, 0]) list.push({ files, depth, dirs: UNLIMITED });
  for (const dirs of [12, 6, 3, 1]) list.push({ files: dirs > 3 ? 1 : 0, depth: 1, dirs });
  return list;
}

interface Facts {
  readonly depth: readonly number[];
  readonly relevant: Uint8Array;
  readonly maxDepth: number;
  /** For structural lines in sections (ls -R): depth of the section's directory. */
  readonly sectionDepth: readonly (number | undefined)[];
}

function segments(key: string): number {
  let count = 1;
  for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) === 0x2f) count++;
  return count;
}

function analyse(parsed: ParsedListing, context: CompressContext): Facts {
  const entryList = parsed.entries.filter((e): e is ListingEntry => e !== undefined);
  let base = UNLIMITED;
  for (const entry of entryList) base = Math.min(base, segments(entry.key) - 1);
  const depth = parsed.entries.map((entry) => (entry ? segments(entry.key) - base : 0));
  const sectionDepth = parsed.sections.map((key, i) => (key !== undefined && !parsed.entries[i] ? segments(key) - base : undefined));
  const relevant = new Uint8Array(parsed.lines.length);
  const scores = relevanceScores(entryList.map((e) => e.key), context.query);
  entryList.forEach((entry, k) => {
    if ((scores[k] ?? 0) > 0) relevant[entry.line] = 1;
  });
  let maxDepth = 0;
  for (const d of depth) maxDepth = Math.max(maxDepth, d);
  return { depth, relevant, maxDepth, sectionDepth };
}

function ancestorAt(key: string, keyDepth: number, depth: number): string {
  let cut = key.length;
  for (let d = keyDepth; d > depth; d--) cut = key.lastIndexOf("/", cut - 1);
  return key.slice(0, Math.max(0, cut));
}

function parentOf(key: string): string {
  const slash = key.lastIndexOf("/");
  return slash < 0 ? "" : key.slice(0, slash);
}

interface Fold {
  first: number;
  indent: string;
  dirs: number;
  files: number;
  length: number;
  lines: number[];
  extensions: Map<string, number>;
}

const COMPOUND_EXTENSIONS = [".d.ts.map", ".d.mts", ".d.cts", ".d.ts", ".js.map", ".mjs.map", ".cjs.map", ".min.js", ".min.css", ".tar.gz", ".test.ts", ".test.js", ".spec.ts", ".spec.js"];

export function extensionOf(name: string): string {
  const lower = name.toLowerCase();
  for (const compound of COMPOUND_EXTENSIONS) if (lower.endsWith(compound) && lower.length > compound.length) return compound;
  const dot = lower.lastIndexOf(".");
  return dot > 0 && dot < lower.length - 1 && lower.length - dot <= 12 ? lower.slice(dot) : "no extension";
}

function render(parsed: ParsedListing, facts: Facts, config: FoldConfig, context: CompressContext): CompressResult {
  const { lines, entries } = parsed;
  const maxDepth = config.depth;
  const keep = new Uint8Array(lines.length);
  const folds = new Map<string, Fold>();
  const filesSeen = new Map<string, number>();
  const dirsSeen = new Map<string, number>();
  // A folded directory's own contents go to the marker it was folded into.
  const redirect = new Map<string, string>();
  const sectionHasKept = new Set<string>();
  entries.forEach((entry, i) => {
    if (!entry) return;
    const d = facts.depth[i] ?? 0;
    let owner: string | undefined;
    if (facts.relevant[i]) owner = undefined;
    else if (d > maxDepth) owner = ancestorAt(entry.key, d, maxDepth);
    else {
      const parent = parentOf(entry.key);
      const counts = entry.isDir ? dirsSeen : filesSeen;
      const seen = (counts.get(parent) ?? 0) + 1;
      counts.set(parent, seen);
      if (seen > (entry.isDir ? config.dirs : config.files)) owner = parent;
    }
    if (owner !== undefined) owner = redirect.get(owner) ?? owner;
    if (owner !== undefined && entry.isDir) redirect.set(entry.key, owner);
    if (owner === undefined) {
      keep[i] = 1;
      sectionHasKept.add(parsed.sections[i] ?? "");
      return;
    }
    let fold = folds.get(owner);
    if (!fold) {
      fold = { first: i, indent: entry.indent, dirs: 0, files: 0, length: 0, lines: [], extensions: new Map() };
      folds.set(owner, fold);
    }
    fold.lines.push(i);
    fold.length += (lines[i]?.length ?? 0) + 1;
    if (entry.isDir) fold.dirs++;
    else {
      fold.files++;
      const ext = extensionOf(entry.name);
      fold.extensions.set(ext, (fold.extensions.get(ext) ?? 0) + 1);
    }
  });
  // Markers by position; a fold shorter than its marker is shown instead.
  const markerAt = new Map<number, { text: string; count: number; unit: string }>();
  for (const fold of folds.values()) {
    const marker = markerFor(fold, context.hash);
    if (fold.length <= marker.text.length) {
      for (const i of fold.lines) keep[i] = 1;
      continue;
    }
    markerAt.set(fold.first, marker);
  }
  // Structural lines: kept unless they head a section whose entries are all folded away.
  lines.forEach((line, i) => {
    if (entries[i]) return;
    const sectionDepth = facts.sectionDepth[i];
    const section = parsed.sections[i];
    if (line === "") return; // decided below
    if (sectionDepth === undefined || section === undefined) keep[i] = 1;
    else if (sectionHasKept.has(section) || (sectionDepth <= maxDepth && !redirect.has(section))) keep[i] = 1;
  });
  const out: string[] = [];
  const omissions: Omission[] = [];
  let lastBlank = true;
  lines.forEach((line, i) => {
    const marker = markerAt.get(i);
    if (marker) {
      out.push(marker.text);
      omissions.push({ count: marker.count, unit: marker.unit });
      lastBlank = false;
    }
    if (keep[i]) {
      out.push(line);
      lastBlank = false;
    } else if (line === "" && !entries[i] && !lastBlank && (keep[i + 1] || markerAt.has(i + 1))) {
      out.push(line);
      lastBlank = true;
    }
  });
  return { text: out.join("\n"), omissions };
}

// "[212 files omitted: 180 .js, 32 .d.ts · ...]" or "[40 entries omitted: 6 dirs, 34 files: ... · ...]"
function markerFor(fold: Fold, hash: string): { text: string; count: number; unit: string } {
  const ranked = [...fold.extensions.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const shown = ranked.slice(0, TOP_EXTENSIONS).map(([ext, count]) => `${count} ${ext}`);
  const rest = ranked.slice(TOP_EXTENSIONS).reduce((sum, [, count]) => sum + count, 0);
  if (rest > 0) shown.push(`${rest} other`);
  const byExtension = shown.join(", ");
  const count = fold.dirs + fold.files;
  if (fold.dirs === 0) {
    const detail = byExtension;
    return { text: fold.indent + formatMarker({ count, unit: "files", detail, hash }), count, unit: "files" };
  }
  if (fold.files === 0) return { text: fold.indent + formatMarker({ count, unit: "dirs", hash }), count, unit: "dirs" };
  const detail = `${fold.dirs} dirs, ${fold.files} files${byExtension ? `: ${byExtension}` : ""}`;
  return { text: fold.indent + formatMarker({ count, unit: "entries", detail, hash }), count, unit: "entries" };
}
