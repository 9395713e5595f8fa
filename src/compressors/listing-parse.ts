// Parses directory listings into entries with a path key, so they can be grouped by directory.
// Formats: `tree` (unicode or ASCII), `ls -l` / `ls -la` / `ls -laR`, `ls -R`, `find` (one path per
// line) and plain `ls -1` names. Lines that are not entries (headers, "total N", summaries) are kept.
export type ListingFormat = "tree" | "long" | "recursive" | "find" | "names";

export interface ListingEntry {
  readonly line: number;
  /** Path with "/" separators; the parent directory is everything before the last "/". */
  readonly key: string;
  readonly name: string;
  readonly isDir: boolean;
  /** Text before the name (tree glyphs), used to indent markers. */
  readonly indent: string;
}

export interface ParsedListing {
  readonly format: ListingFormat;
  readonly lines: readonly string[];
  /** Entry for each line, or undefined for structural lines. */
  readonly entries: readonly (ListingEntry | undefined)[];
  /** For structural lines of `ls -R`-style sections: the section's directory key. */
  readonly sections: readonly (string | undefined)[];
}

const TREE_CONNECTORS = new Set(["├", "└", "|", "`"]);
const INDENT_FIRST = new Set(["│", "|", " ", "\u00a0"]);

function isGap(c: string | undefined): boolean {
  return c === " " || c === "\u00a0";
}

// Depth and name start of a `tree` line, or undefined when the line has no connector.
function treeShape(line: string): { depth: number; start: number } | undefined {
  let i = 0;
  let depth = 0;
  for (;;) {
    const c = line[i];
    if (c !== undefined && TREE_CONNECTORS.has(c) && (line[i + 1] === "─" || line[i + 1] === "-") && (line[i + 2] === "─" || line[i + 2] === "-") && isGap(line[i + 3])) {
      return { depth: depth + 1, start: i + 4 };
    }
    if (c !== undefined && INDENT_FIRST.has(c) && isGap(line[i + 1]) && isGap(line[i + 2]) && isGap(line[i + 3])) {
      i += 4;
      depth++;
      continue;
    }
    return undefined;
  }
}

const LONG_ENTRY = /^[-dlcbpsD?][-rwxsStTlL?]{9}[.+@]?\s+\d+\s/;

// Where the name starts in an `ls -l` line: after the date (month day time|year, or ISO date [time]).
function longNameStart(line: string): number | undefined {
  const tokens: { start: number; end: number }[] = [];
  const re = /\S+/g;
  let match: RegExpExecArray | null;
  while ((match = re.exec(line)) !== null && tokens.length < 12) tokens.push({ start: match.index, end: match.index + match[0].length });
  const text = (k: number) => (tokens[k] ? line.slice(tokens[k].start, tokens[k].end) : "");
  for (let k = 3; k < tokens.length - 1; k++) {
    const token = text(k);
    if (/^\d{4}-\d\d-\d\d/.test(token)) {
      const next = /^\d\d:\d\d/.test(text(k + 1)) ? k + 2 : k + 1;
      return tokens[next]?.start;
    }
    if (/^[A-Z][a-z]{2}$/.test(token) && /^\d{1,2}$/.test(text(k + 1)) && /^(\d{1,2}:\d\d|\d{4})$/.test(text(k + 2))) {
      return tokens[k + 3]?.start;
    }
  }
  return undefined;
}

function stripSymlink(name: string): string {
  const arrow = name.indexOf(" -> ");
  return arrow >= 0 ? name.slice(0, arrow) : name;
}

export function parseListing(text: string): ParsedListing | null {
  const lines = text.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const nonBlank = lines.filter((l) => l.trim() !== "");
  if (nonBlank.length < 3) return null;
  let tree = 0;
  let long = 0;
  let headers = 0;
  let slashed = 0;
  for (const line of nonBlank) {
    if (treeShape(line)) tree++;
    else if (LONG_ENTRY.test(line)) long++;
    else if (line.endsWith(":") && !line.includes(": ")) headers++;
    if (line.includes("/") && !/\s/.test(line.replace(/ /g, ""))) slashed++;
  }
  if (tree >= nonBlank.length * 0.6) return parseTree(lines);
  if (long >= nonBlank.length * 0.6) return parseSections(lines, "long");
  if (headers > 0 && headers < nonBlank.length / 2 && looksLikeNames(nonBlank, true)) return parseSections(lines, "recursive");
  if (slashed >= nonBlank.length * 0.9 && looksLikeNames(nonBlank, false)) return parseFind(lines);
  if (nonBlank.length >= 10 && looksLikeNames(nonBlank, true) && slashed <= nonBlank.length * 0.1) return parseSections(lines, "names");
  return null;
}

// Paths and file names: no leading whitespace, no grep-like "x:12:" shape, no sentences.
function looksLikeNames(lines: readonly string[], allowHeaders: boolean): boolean {
  let bad = 0;
  for (const line of lines) {
    if (/^\s/.test(line) || /:\d+[:-]/.test(line) || line.length > 400 || line.split(" ").length > 4) bad++;
    else if (!allowHeaders && line.endsWith(":")) bad++;
  }
  return bad <= lines.length * 0.05;
}

function parseTree(lines: string[]): ParsedListing {
  const entries: (ListingEntry | undefined)[] = [];
  const stack: string[] = [""];
  const shapes = lines.map((line) => treeShape(line));
  shapes.forEach((shape, i) => {
    const line = lines[i] ?? "";
    if (!shape) {
      entries.push(undefined);
      return;
    }
    const name = stripSymlink(line.slice(shape.start)).replace(/\/$/, "");
    stack.length = shape.depth;
    const key = `${stack.join("/")}/${name}`;
    stack.push(name);
    const next = shapes[i + 1];
    const isDir = line.endsWith("/") || (next !== undefined && next.depth > shape.depth);
    entries.push({ line: i, key, name, isDir, indent: line.slice(0, shape.start) });
  });
  return { format: "tree", lines, entries, sections: lines.map(() => undefined) };
}

// `ls -l`, `ls -laR`, `ls -R` and `ls -1`: entries belong to the section header above them.
function parseSections(lines: string[], format: ListingFormat): ParsedListing {
  const headerAt = new Set<number>();
  const headerKeys = new Set<string>();
  lines.forEach((line, i) => {
    const previous = lines[i - 1];
    if (line.endsWith(":") && !LONG_ENTRY.test(line) && (i === 0 || previous === "")) {
      headerAt.add(i);
      headerKeys.add(line.slice(0, -1).replace(/\/$/, ""));
    }
  });
  const entries: (ListingEntry | undefined)[] = [];
  const sections: (string | undefined)[] = [];
  let section = ".";
  lines.forEach((line, i) => {
    if (headerAt.has(i)) {
      section = line.slice(0, -1).replace(/\/$/, "");
      entries.push(undefined);
      sections.push(section);
      return;
    }
    sections.push(section);
    if (line === "" || /^total \d/.test(line)) {
      entries.push(undefined);
      return;
    }
    if (format === "long") {
      const start = LONG_ENTRY.test(line) ? longNameStart(line) : undefined;
      if (start === undefined) {
        entries.push(undefined);
        return;
      }
      const name = stripSymlink(line.slice(start));
      if (name === "." || name === "..") {
        entries.push(undefined); // part of the section, like its "total" line
        return;
      }
      entries.push({ line: i, key: `${section}/${name}`, name, isDir: line.startsWith("d"), indent: "" });
      return;
    }
    const name = line.replace(/[/*@=|]$/, "");
    const key = `${section}/${name}`;
    entries.push({ line: i, key, name, isDir: line.endsWith("/") || headerKeys.has(key) || headerKeys.has(name), indent: "" });
  });
  return { format, lines, entries, sections };
}

function parseFind(lines: string[]): ParsedListing {
  const parents = new Set<string>();
  for (const line of lines) {
    const slash = line.lastIndexOf("/");
    if (slash > 0) parents.add(line.slice(0, slash));
  }
  const entries = lines.map((line, i): ListingEntry | undefined => {
    if (line === "") return undefined;
    const key = line.replace(/\/$/, "");
    const slash = key.lastIndexOf("/");
    return { line: i, key, name: key.slice(slash + 1), isDir: line.endsWith("/") || parents.has(key), indent: "" };
  });
  return { format: "find", lines, entries, sections: lines.map(() => undefined) };
}
