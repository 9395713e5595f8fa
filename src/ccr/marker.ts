// The one marker format. Every omission in a compressed output is replaced by exactly one marker:
//
//   [412 lines omitted: 3 distinct, 0 errors · headroom_retrieve hash=3f9a1c02b7de4410]
//
// The first marker of an output also names the shell route:
//
//   [412 lines omitted: 3 distinct · headroom_retrieve hash=3f9a1c02b7de4410 · or: headroom retrieve 3f9a1c02b7de4410]
//
// grep: `omitted.*hash=[0-9a-f]{16}` finds them all; the hash is the whole original output's hash.

export interface MarkerSpec {
  readonly count: number;
  /** Plural noun for what was left out: "lines", "rows", "matches", "files", "bodies", "keys"... */
  readonly unit: string;
  /** Short detail after the colon, e.g. "3 distinct, 0 errors". */
  readonly detail?: string;
  readonly hash: string;
}

export interface ParsedMarker {
  readonly count: number;
  readonly unit: string;
  readonly detail: string | undefined;
  readonly hash: string;
  readonly index: number;
  readonly length: number;
}

const SHELL_HINT = (hash: string) => ` · or: headroom retrieve ${hash}`;

export const MARKER_PATTERN =
  /\[(\d+) ([a-z][a-z -]*?) omitted(?:: ([^\]\n]*?))? · headroom_retrieve hash=([0-9a-f]{16})(?: · or: headroom retrieve [0-9a-f]{16})?\]/g;

export function formatMarker(spec: MarkerSpec): string {
  const detail = spec.detail ? `: ${spec.detail}` : "";
  return `[${spec.count} ${spec.unit} omitted${detail} · headroom_retrieve hash=${spec.hash}]`;
}

/** Finds every marker in a text, in order. */
export function parseMarkers(text: string): ParsedMarker[] {
  const found: ParsedMarker[] = [];
  for (const match of text.matchAll(MARKER_PATTERN)) {
    found.push({
      count: Number(match[1]),
      unit: match[2] ?? "",
      detail: match[3],
      hash: match[4] ?? "",
      index: match.index ?? 0,
      length: match[0].length,
    });
  }
  return found;
}

/** Adds the shell route to the first marker that carries `hash` (done once per output, by the pipeline). */
export function withShellHint(text: string, hash: string): string {
  const plain = ` · headroom_retrieve hash=${hash}]`;
  const at = text.indexOf(plain);
  if (at < 0) return text;
  const end = at + plain.length - 1;
  return text.slice(0, end) + SHELL_HINT(hash) + text.slice(end);
}

/** True when the text contains at least one marker (of any hash). */
export function hasMarker(text: string): boolean {
  MARKER_PATTERN.lastIndex = 0;
  const found = MARKER_PATTERN.test(text);
  MARKER_PATTERN.lastIndex = 0;
  return found;
}

// Lossless fold of consecutive identical lines: the line is kept once, then this note. It needs no
// hash because nothing is lost: the note says exactly how to rebuild the run.
export const REPEAT_PATTERN = /^\[previous line repeated (\d+) more times?\]$/;

export function formatRepeat(times: number): string {
  return `[previous line repeated ${times} more ${times === 1 ? "time" : "times"}]`;
}
