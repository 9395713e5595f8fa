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
const NOMINAL_MARKER = "x".repeat(66);

export const compressListing = (text: string, context: CompressContext): CompressResult | null => {
  if (context.losslessOnly || estimateTokens(text) <= context.budget) return null;
  const parsed = parseListing(text);
  if (!parsed) return null;
  const budgetChars = context.budget * CHARS_PER_TOKEN;
  const facts = analyse(parsed, context);
  // Sizes are estimated first (no strings built); a configuration is rendered only when it may fit.
  let best: { text: string; omissions: readonly Omission[] } | null = null;
  const configs = configurations(facts.maxDepth);
  for (const [n, config] of configs.entries()) {
    const last = n === configs.length - 1;
    if (!last && render(parsed, facts, config, context, true).size > budgetChars * 1.1) continue;
    const rendered = render(parsed, facts, config, context, false);
    if (!best || rendered.text.length < best.text.length) best = rendered;
    if (rendered.text.length <= budgetChars * 1.1) break;
  }
  const result = best as { text: string; omissions: readonly Omission[] };
  return result.text.length < text.length ? { text: result.text, omissions: result.omissions } : null;
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
  /** For each entry line, the ids of its ancestors by depth (index 0 = the listing's root). */
  readonly ancestors: readonly (Int32Array | undefined)[];
  /** Id of the entry's own path (used when a folded directory's contents follow it), or -1. */
  readonly ownId: Int32Array;
  /** For structural lines in sections (ls -R): the section's directory id and depth, else -1. */
  readonly sectionId: Int32Array;
  readonly sectionDepth: Int32Array;
  readonly extension: readonly string[];
  readonly relevant: Uint8Array;
  readonly maxDepth: number;
  readonly dirCount: number;
}

function segments(key: string): number {
  let count = 1;
  for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) === 0x2f) count++;
  return count;
}

// Interns every directory path once so each configuration works on integer ids, not strings.
function analyse(parsed: ParsedListing, context: CompressContext): Facts {
  const { entries, sections, lines } = parsed;
  const entryList = entries.filter((e): e is ListingEntry => e !== undefined);
  let base = UNLIMITED;
  for (const entry of entryList) base = Math.min(base, segments(entry.key) - 1);
  const ids = new Map<string, number>();
  const intern = (key: string): number => {
    let id = ids.get(key);
    if (id === undefined) {
      id = ids.size;
      ids.set(key, id);
    }
    return id;
  };
  const depth = new Array<number>(lines.length).fill(0);
  const ancestors: (Int32Array | undefined)[] = new Array(lines.length).fill(undefined);
  const ownId = new Int32Array(lines.length).fill(-1);
  const sectionId = new Int32Array(lines.length).fill(-1);
  const sectionDepth = new Int32Array(lines.length).fill(-1);
  const extension = new Array<string>(lines.length).fill("");
  let maxDepth = 0;
  entries.forEach((entry, i) => {
    if (!entry) {
      const section = sections[i];
      if (section !== undefined) {
        sectionId[i] = intern(section);
        sectionDepth[i] = segments(section) - base;
      }
      return;
    }
    const d = segments(entry.key) - base;
    depth[i] = d;
    maxDepth = Math.max(maxDepth, d);
    const chain = new Int32Array(d);
    let cut = entry.key.length;
    for (let k = d - 1; k >= 0; k--) {
      cut = entry.key.lastIndexOf("/", cut - 1);
      chain[k] = intern(entry.key.slice(0, Math.max(0, cut)));
    }
    ancestors[i] = chain;
    if (entry.isDir) ownId[i] = intern(entry.key);
    else extension[i] = extensionOf(entry.name);
  });
  const relevant = new Uint8Array(lines.length);
  const scores = relevanceScores(entryList.map((e) => e.key), context.query);
  entryList.forEach((entry, k) => {
    if ((scores[k] ?? 0) > 0) relevant[entry.line] = 1;
  });
  return { depth, ancestors, ownId, sectionId, sectionDepth, extension, relevant, maxDepth, dirCount: ids.size };
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
  const dot = lower.lastIndexOf(".");
  if (dot <= 0) return "no extension";
  for (const compound of COMPOUND_EXTENSIONS) if (lower.endsWith(compound) && lower.length > compound.length) return compound;
  // Marker details must not hold brackets, the separator dot or line breaks.
  return dot < lower.length - 1 && lower.length - dot <= 12 ? lower.slice(dot).replace(/[[\]·\r\n]/g, "_") : "no extension";
}

// Applies one configuration. With `estimate` set it only sums lengths (markers at a nominal size).
function render(parsed: ParsedListing, facts: Facts, config: FoldConfig, context: CompressContext, estimate: boolean): CompressResult & { size: number } {
  const { lines, entries } = parsed;
  const maxDepth = config.depth;
  const keep = new Uint8Array(lines.length);
  const folds: Fold[] = [];
  const foldOf = new Int32Array(facts.dirCount).fill(-1);
  const filesSeen = new Int32Array(facts.dirCount);
  const dirsSeen = new Int32Array(facts.dirCount);
  // A folded directory's own contents go to the marker it was folded into.
  const redirect = new Int32Array(facts.dirCount).fill(-1);
  const hasKept = new Uint8Array(facts.dirCount);
  entries.forEach((entry, i) => {
    const chain = facts.ancestors[i];
    if (!entry || !chain) return;
    const d = facts.depth[i] ?? 0;
    const parent = chain[d - 1] ?? -1;
    let owner = -1;
    if (facts.relevant[i]) owner = -1;
    else if (d > maxDepth) owner = chain[maxDepth] ?? -1;
    else {
      const counts = entry.isDir ? dirsSeen : filesSeen;
      const seen = ++counts[parent]!;
      if (seen > (entry.isDir ? config.dirs : config.files)) owner = parent;
    }
    if (owner >= 0 && redirect[owner]! >= 0) owner = redirect[owner]!;
    const own = facts.ownId[i] ?? -1;
    if (owner >= 0 && own >= 0) redirect[own] = owner;
    if (owner < 0) {
      keep[i] = 1;
      if (parent >= 0) hasKept[parent] = 1;
      return;
    }
    let index = foldOf[owner]!;
    if (index < 0) {
      index = folds.length;
      foldOf[owner] = index;
      folds.push({ first: i, indent: entry.indent, dirs: 0, files: 0, length: 0, lines: [], extensions: new Map() });
    }
    const fold = folds[index]!;
    fold.lines.push(i);
    fold.length += (lines[i]?.length ?? 0) + 1;
    if (estimate) return;
    if (entry.isDir) fold.dirs++;
    else {
      fold.files++;
      const ext = facts.extension[i] ?? "";
      fold.extensions.set(ext, (fold.extensions.get(ext) ?? 0) + 1);
    }
  });
  // Markers by position; a fold shorter than its marker is shown instead.
  const markerAt = new Map<number, { text: string; count: number; unit: string }>();
  for (const fold of folds) {
    const marker = estimate ? { text: NOMINAL_MARKER, count: 0, unit: "" } : markerFor(fold, context.hash);
    if (fold.length <= marker.text.length) {
      for (const i of fold.lines) keep[i] = 1;
      continue;
    }
    markerAt.set(fold.first, marker);
  }
  // Structural lines: kept unless they belong to a section whose entries all folded away.
  lines.forEach((line, i) => {
    if (entries[i] || line === "") return; // blank lines are decided below
    const section = facts.sectionId[i] ?? -1;
    if (section < 0) keep[i] = 1;
    else if (hasKept[section] || ((facts.sectionDepth[i] ?? 0) <= maxDepth && redirect[section]! < 0)) keep[i] = 1;
  });
  if (estimate) {
    let size = 0;
    keep.forEach((kept, i) => {
      if (kept) size += (lines[i]?.length ?? 0) + 1;
    });
    return { text: "", omissions: [], size: size + markerAt.size * (NOMINAL_MARKER.length + 1) };
  }
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
  const text = out.join("\n");
  return { text, omissions, size: text.length };
}

const plural = (count: number, one: string, many: string): string => (count === 1 ? one : many);

// "[212 files omitted: 180 .js, 32 .d.ts · ...]" or "[40 entries omitted: 6 dirs, 34 files: ... · ...]"
function markerFor(fold: Fold, hash: string): { text: string; count: number; unit: string } {
  const ranked = [...fold.extensions.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const shown = ranked.slice(0, TOP_EXTENSIONS).map(([ext, count]) => `${count} ${ext}`);
  const rest = ranked.slice(TOP_EXTENSIONS).reduce((sum, [, count]) => sum + count, 0);
  if (rest > 0) shown.push(`${rest} other`);
  const byExtension = shown.join(", ");
  const count = fold.dirs + fold.files;
  if (fold.dirs === 0) {
    const unit = plural(count, "file", "files");
    return { text: fold.indent + formatMarker({ count, unit, detail: byExtension, hash }), count, unit };
  }
  if (fold.files === 0) {
    const unit = plural(count, "dir", "dirs");
    return { text: fold.indent + formatMarker({ count, unit, hash }), count, unit };
  }
  const detail = `${fold.dirs} ${plural(fold.dirs, "dir", "dirs")}, ${fold.files} ${plural(fold.files, "file", "files")}${byExtension ? `: ${byExtension}` : ""}`;
  return { text: fold.indent + formatMarker({ count, unit: "entries", detail, hash }), count, unit: "entries" };
}
