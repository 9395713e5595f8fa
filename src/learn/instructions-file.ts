// The agent's instruction file (CLAUDE.md, AGENTS.md, GEMINI.md) and the marked block `headroom learn`
// owns inside it. Everything outside the block is kept byte for byte: the file is handled as bytes
// (markers are ASCII), its line ending is reused, and a second run with the same rules changes nothing.
//
// An empty rule set changes nothing either: an existing block stays as it was (a narrow --since or
// deleted transcripts must not erase what earlier runs learned; delete the block by hand to drop it),
// and no file is created.
import { chmodSync, existsSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative } from "node:path";
import { HeadroomError } from "../errors.js";
import type { LearnedRule } from "./mine.js";
import type { LearnAgent } from "./types.js";

export const BLOCK_START = "<!-- headroom:learn:start -->";
export const BLOCK_END = "<!-- headroom:learn:end -->";

const FILES: Record<LearnAgent, string> = { claude: "CLAUDE.md", codex: "AGENTS.md", gemini: "GEMINI.md" };

/**
 * The instruction file for an agent in `project`: `target` when given (relative to the project),
 * else CLAUDE.local.md when it exists, CLAUDE.md, AGENTS.md or GEMINI.md.
 * @example
 * instructionFile("codex", "/home/me/shop"); // "/home/me/shop/AGENTS.md"
 */
export function instructionFile(agent: LearnAgent, project: string, target?: string): string {
  if (target !== undefined) return isAbsolute(target) ? target : join(project, target);
  if (agent === "claude" && existsSync(join(project, "CLAUDE.local.md"))) return join(project, "CLAUDE.local.md");
  return join(project, FILES[agent]);
}

function times(n: number, one: string): string {
  return `${n} ${one}${n === 1 ? "" : "s"}`;
}

/** The block's text, without a final line ending. No dates or counters that change on their own. */
export function renderBlock(rules: readonly LearnedRule[], eol = "\n"): string {
  const lines = [
    BLOCK_START,
    "## Learned from earlier sessions",
    "",
    "Written by `headroom learn` from failures in this project's agent sessions; the next run replaces this block.",
    "",
    ...rules.map((rule) => `- ${rule.text} (${times(rule.evidence, "time")} in ${times(rule.sessions, "session")})`),
    BLOCK_END,
  ];
  return lines.join(eol);
}

// CRLF when most line breaks are CRLF, else LF.
function lineEnding(text: string): string {
  const crlf = text.split("\r\n").length - 1;
  const lf = text.split("\n").length - 1 - crlf;
  return crlf > lf ? "\r\n" : "\n";
}

/**
 * The file's new bytes with the block replaced in place or appended after one blank line; the old
 * bytes when there is nothing to write.
 * @example
 * withBlock(Buffer.from("# Notes\n"), rules).toString(); // "# Notes\n\n<!-- headroom:learn:start -->..."
 */
export function withBlock(before: Buffer, rules: readonly LearnedRule[], path = "the instruction file"): Buffer {
  if (rules.length === 0) return before;
  // latin1 maps each byte to one character, so indices are byte offsets and nothing is re-encoded.
  const text = before.toString("latin1");
  const eol = lineEnding(text);
  const block = Buffer.from(renderBlock(rules, eol), "utf8");
  const start = text.indexOf(BLOCK_START);
  const end = text.indexOf(BLOCK_END);
  if (start < 0 && end < 0) {
    if (before.length === 0) return Buffer.concat([block, Buffer.from(eol)]);
    const ending = text.endsWith(eol + eol) ? "" : text.endsWith(eol) ? eol : eol + eol;
    return Buffer.concat([before, Buffer.from(ending), block, Buffer.from(eol)]);
  }
  if (start < 0 || end < start || text.indexOf(BLOCK_START, start + 1) >= 0 || text.indexOf(BLOCK_END, end + 1) >= 0) {
    throw new HeadroomError(
      "HR_LEARN_BLOCK",
      `${path} has a broken headroom block: it needs exactly one "${BLOCK_START}" line followed by one "${BLOCK_END}" line. Fix or remove the markers, then run again.`,
    );
  }
  return Buffer.concat([before.subarray(0, start), block, before.subarray(end + BLOCK_END.length)]);
}

// Lines without their line ending; a final line ending does not start another line.
function lines(text: string): string[] {
  if (text === "") return [];
  const parts = text.split("\n").map((line) => line.replace(/\r$/, ""));
  if (text.endsWith("\n")) parts.pop();
  return parts;
}

/**
 * A unified diff (one hunk, 3 lines of context) from `before` to `after`.
 * @example
 * unifiedDiff("AGENTS.md", "a\n", "a\nb\n"); // "--- a/AGENTS.md\n+++ b/AGENTS.md\n@@ -1 +1,2 @@\n a\n+b\n"
 */
export function unifiedDiff(name: string, before: string | undefined, after: string, context = 3): string {
  const a = lines(before ?? "");
  const b = lines(after);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  if (head === a.length && head === b.length && (before ?? "") === after) return "";
  const from = Math.max(0, head - context);
  const aTo = Math.min(a.length, a.length - tail + context);
  const bTo = Math.min(b.length, b.length - tail + context);
  const range = (start: number, count: number) => (count === 1 ? `${start + 1}` : `${count === 0 ? start : start + 1},${count}`);
  const out = [before === undefined ? "--- /dev/null" : `--- a/${name}`, `+++ b/${name}`, `@@ -${range(from, aTo - from)} +${range(from, bTo - from)} @@`];
  for (let i = from; i < head; i++) out.push(` ${a[i]}`);
  for (let i = head; i < a.length - tail; i++) out.push(`-${a[i]}`);
  for (let i = head; i < b.length - tail; i++) out.push(`+${b[i]}`);
  for (let i = a.length - tail; i < aTo; i++) out.push(` ${a[i]}`);
  return `${out.join("\n")}\n`;
}

export interface PlannedChange {
  readonly path: string;
  /** The file's bytes now; undefined when it does not exist. */
  readonly before: Buffer | undefined;
  readonly after: Buffer;
  readonly changed: boolean;
  /** Unified diff, paths relative to the project; "" when unchanged. */
  readonly diff: string;
}

/** What writing `rules` into `path` would change. Reads the file, writes nothing. */
export function planChange(path: string, rules: readonly LearnedRule[], project: string): PlannedChange {
  const before = existsSync(path) ? readFileSync(path) : undefined;
  const after = withBlock(before ?? Buffer.alloc(0), rules, path);
  const changed = before === undefined ? after.length > 0 : !after.equals(before);
  const name = relative(project, path) || basename(path);
  const diff = changed ? unifiedDiff(name.startsWith("..") ? path : name, before?.toString("utf8"), after.toString("utf8")) : "";
  return { path, before, after, changed, diff };
}

/** Writes through a temp file in the same directory and a rename, keeping the file's mode. */
export function writeAtomic(path: string, content: Buffer): void {
  const real = existsSync(path) ? realpathSync(path) : path;
  const mode = existsSync(real) ? statSync(real).mode & 0o7777 : undefined;
  const temp = join(dirname(real), `.${basename(real)}.headroom-${process.pid}.tmp`);
  try {
    writeFileSync(temp, content, mode !== undefined ? { mode } : {});
    if (mode !== undefined) chmodSync(temp, mode); // the umask may have narrowed it
    renameSync(temp, real);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new HeadroomError("HR_LEARN_WRITE", `Could not write ${path}: ${(error as Error).message}`, { cause: error });
  }
}
