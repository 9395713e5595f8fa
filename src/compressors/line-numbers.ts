// Line-numbered file reads: Claude Code's Read ("12\tcode"), `cat -n` and `nl -ba` ("    12\tcode"),
// older Claude Code ("    12→code"). Compressors that keep whole lines split the numbers off, choose
// lines on the bare text, and put each kept line back with its own prefix, so every kept line keeps
// its true line number.

export interface NumberedLines {
  /** The number prefix of each line, exactly as it was ("12\t", "    12→"). */
  readonly prefixes: readonly string[];
  /** The lines without their prefixes. */
  readonly lines: readonly string[];
  /** The number of the first line (a ranged read starts above 1). */
  readonly first: number;
  /** True when the text ended with a newline (kept out of `lines`). */
  readonly trailingNewline: boolean;
}

const PREFIX_RE = /^( *)(\d+)(\t|→)/;

/**
 * Splits a line-numbered read into prefixes and bare lines; null unless every line carries the next
 * number (a trailing empty line is allowed).
 * @example splitLineNumbers("1\ta\n2\tb")?.lines // ["a", "b"]
 */
export function splitLineNumbers(text: string): NumberedLines | null {
  const trailingNewline = text.endsWith("\n");
  const raw = (trailingNewline ? text.slice(0, -1) : text).split("\n");
  if (raw.length < 2) return null;
  const prefixes: string[] = [];
  const lines: string[] = [];
  let expected = -1;
  let separator = "";
  for (const line of raw) {
    const match = PREFIX_RE.exec(line);
    if (!match) return null;
    const number = Number(match[2]);
    if (expected === -1) {
      expected = number;
      separator = match[3] ?? "";
    } else if (number !== expected || match[3] !== separator) return null;
    expected++;
    prefixes.push(match[0]);
    lines.push(line.slice(match[0].length));
  }
  return { prefixes, lines, first: Number(PREFIX_RE.exec(raw[0] ?? "")?.[2] ?? 1), trailingNewline };
}

/** Puts the kept lines (indexes into `numbered.lines`) back with their prefixes; `markers` maps an index to the marker line written before it. */
export function joinNumbered(numbered: NumberedLines, kept: readonly number[], markers: ReadonlyMap<number, string> = new Map()): string {
  const out: string[] = [];
  for (const index of kept) {
    const marker = markers.get(index);
    if (marker !== undefined) out.push(marker);
    out.push((numbered.prefixes[index] ?? "") + (numbered.lines[index] ?? ""));
  }
  const tail = markers.get(numbered.lines.length);
  if (tail !== undefined) out.push(tail);
  return out.join("\n") + (numbered.trailingNewline ? "\n" : "");
}
