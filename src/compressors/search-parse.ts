// Parses grep / ripgrep output into lines tagged with the file they belong to. Supported:
//   path:12:text   (grep -n, rg -n)          path:text        (grep -r without -n)
//   path-12-text   (context lines, -A/-B/-C)  --               (context group separator)
//   ripgrep --heading: a path line, then 12:text / 12-text lines, a blank line between files
// Anything else is an "other" line (errors like "grep: x: Permission denied", "Binary file x matches").
export type SearchLineKind = "match" | "context" | "separator" | "heading" | "blank" | "other";

export interface SearchLine {
  readonly kind: SearchLineKind;
  /** Index into `files`, or -1. */
  readonly file: number;
}

export interface ParsedSearch {
  readonly lines: readonly string[];
  readonly tags: readonly SearchLine[];
  readonly files: readonly string[];
  readonly matches: number;
}

const MAX_PATH = 400;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

// Length of the run of digits at `from` (0 when none).
function digitsAt(line: string, from: number): number {
  let i = from;
  while (i < line.length && isDigit(line.charCodeAt(i))) i++;
  return i - from;
}

// "path:12:" -> the path, when the line has that shape (the first ":" followed by digits and ":").
function numberedMatchPath(line: string): string | undefined {
  const colon = line.indexOf(":");
  if (colon <= 0 || colon > MAX_PATH) return undefined;
  const digits = digitsAt(line, colon + 1);
  if (digits === 0 || line.charCodeAt(colon + 1 + digits) !== 0x3a) return undefined;
  return line.slice(0, colon);
}

// "path:text" without a line number: only when the part before ":" looks like a file path.
function plainMatchPath(line: string): string | undefined {
  const colon = line.indexOf(":");
  if (colon <= 0 || colon > MAX_PATH) return undefined;
  const path = line.slice(0, colon);
  if (/\s/.test(path) || !/[/.]/.test(path) || path.endsWith(".")) return undefined;
  return path;
}

function isContextOf(line: string, path: string): boolean {
  if (!line.startsWith(path) || line.charCodeAt(path.length) !== 0x2d) return false;
  const digits = digitsAt(line, path.length + 1);
  return digits > 0 && line.charCodeAt(path.length + 1 + digits) === 0x2d;
}

// "12:text" or "12-text" (heading style); returns ":" / "-" or undefined.
function lineNumberPrefix(line: string): string | undefined {
  const digits = digitsAt(line, 0);
  if (digits === 0) return undefined;
  const sep = line[digits];
  return sep === ":" || sep === "-" ? sep : undefined;
}

export function parseSearch(text: string): ParsedSearch | null {
  const lines = text.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  let numbered = 0;
  let bare = 0;
  for (const line of lines) {
    if (numberedMatchPath(line) !== undefined) numbered++;
    else if (lineNumberPrefix(line) !== undefined) bare++;
  }
  const parsed = bare > numbered ? parseHeading(lines) : parsePaths(lines);
  const structured = parsed.tags.filter((t) => t.kind !== "other" && t.kind !== "blank").length;
  const nonBlank = parsed.tags.filter((t) => t.kind !== "blank").length;
  if (parsed.matches < 3 || structured < nonBlank * 0.6) return null;
  if (repeatsLocations(parsed)) return null;
  return parsed;
}

// grep and ripgrep print each file:line once. Text where the same "path:12:" prefix comes back again
// and again is something else that happens to have that shape (a log whose timestamps read
// "[24/Nov/2026:22:45:10": "path" "[24/Nov/2026", "line" 22): not search output.
function repeatsLocations(parsed: ParsedSearch): boolean {
  const { lines, tags, files } = parsed;
  const seen = new Map<string, string>();
  let repeats = 0;
  let checked = 0;
  for (let i = 0; i < lines.length; i++) {
    const tag = tags[i];
    if (!tag || tag.kind !== "match") continue;
    const line = lines[i] ?? "";
    const path = files[tag.file] ?? "";
    const from = path.length > 0 && line.startsWith(path) ? path.length + 1 : 0;
    const digits = digitsAt(line, from);
    if (digits === 0) continue; // no line numbers (grep without -n)
    const location = `${tag.file}:${line.slice(from, from + digits)}`;
    checked++;
    const before = seen.get(location);
    if (before === undefined) seen.set(location, line);
    else if (before !== line) repeats++; // the same line printed twice is a repeat, not a clash
  }
  return checked >= 10 && repeats > checked * 0.1;
}

function parsePaths(lines: string[]): ParsedSearch {
  const files: string[] = [];
  const fileIndex = new Map<string, number>();
  const indexOf = (path: string): number => {
    let index = fileIndex.get(path);
    if (index === undefined) {
      index = files.length;
      files.push(path);
      fileIndex.set(path, index);
    }
    return index;
  };
  // Pass 1: match lines. Pass 2: context lines, checked against the nearest match paths around them.
  const matchPath: (string | undefined)[] = lines.map((line) => numberedMatchPath(line));
  const anyNumbered = matchPath.some((p) => p !== undefined);
  if (!anyNumbered) for (let i = 0; i < lines.length; i++) matchPath[i] = plainMatchPath(lines[i] ?? "");
  const nextPath: (string | undefined)[] = new Array(lines.length);
  let upcoming: string | undefined;
  for (let i = lines.length - 1; i >= 0; i--) {
    nextPath[i] = upcoming;
    if (matchPath[i] !== undefined) upcoming = matchPath[i];
  }
  const tags: SearchLine[] = [];
  let matches = 0;
  let previous: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const path = matchPath[i];
    if (path !== undefined) {
      tags.push({ kind: "match", file: indexOf(path) });
      matches++;
      previous = path;
    } else if (line === "--") tags.push({ kind: "separator", file: -1 });
    else if (line === "") tags.push({ kind: "blank", file: -1 });
    else if (anyNumbered && previous !== undefined && isContextOf(line, previous)) tags.push({ kind: "context", file: indexOf(previous) });
    else if (anyNumbered && nextPath[i] !== undefined && isContextOf(line, nextPath[i] as string)) {
      tags.push({ kind: "context", file: indexOf(nextPath[i] as string) });
    } else tags.push({ kind: "other", file: -1 });
  }
  return { lines, tags, files, matches };
}

function parseHeading(lines: string[]): ParsedSearch {
  const files: string[] = [];
  const tags: SearchLine[] = [];
  let current = -1;
  let matches = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const prefix = lineNumberPrefix(line);
    if (line === "") {
      tags.push({ kind: "blank", file: -1 });
      current = -1;
    } else if (line === "--") tags.push({ kind: "separator", file: -1 });
    else if (prefix !== undefined) {
      if (current < 0) {
        // grep -n on one file: no heading at all
        current = files.length;
        files.push("");
      }
      tags.push({ kind: prefix === ":" ? "match" : "context", file: current });
      if (prefix === ":") matches++;
    } else if (lineNumberPrefix(lines[i + 1] ?? "") !== undefined && line.length <= MAX_PATH) {
      current = files.length;
      files.push(line);
      tags.push({ kind: "heading", file: current });
    } else tags.push({ kind: "other", file: -1 });
  }
  return { lines, tags, files, matches };
}
