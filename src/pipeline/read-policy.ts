// How a file read is treated. A read is what an agent edits against (an edit's old text must match
// the file exactly), so compression must never make an edit fail:
//   - "exact": every read is forwarded byte for byte.
//   - "large" (default): a read stays byte for byte when it is ranged (the agent asked for exactly
//     those lines, usually to edit them), small (under `fileReadMinTokens`), a single line, or when
//     nothing left out could be retrieved (no store). A whole read above the threshold is compressed
//     by a compressor that keeps every kept line verbatim with its true line number (code by the
//     path's language, prose for .md/.txt/.rst, else code/prose by detection, else text), each left-
//     out part a marker away; the agent re-reads those lines (a ranged read: exact) before editing them.
// "Exact" means no transform at all, not even a lossless one: minified JSON or folded repeated lines
// would no longer match the file.
import { languageFromPath } from "../compressors/code-language.js";
import { splitLineNumbers } from "../compressors/line-numbers.js";
import type { CodeLanguage, ContentKind } from "../compressors/types.js";
import { detectKind } from "./detect.js";
import type { ToolCall } from "./locate.js";
import { readTarget } from "./read-target.js";

export type FileReadMode = "exact" | "large";

export interface ReadSettings {
  readonly fileReads: FileReadMode;
  /** Under "large", reads below this many estimated tokens (characters / 4) stay exact. */
  readonly fileReadMinTokens: number;
}

export const DEFAULT_READ_SETTINGS: ReadSettings = { fileReads: "large", fileReadMinTokens: 2000 };

export type ReadDecision =
  | {
      readonly exact: true;
      /** Why the read goes out byte for byte (shown as the unit's fallback). */
      readonly reason: string;
    }
  | (LossyRead & {
      /** The compressor for the file part: code, prose or text (all keep kept lines verbatim). */
      readonly kind: ContentKind;
      readonly language?: CodeLanguage;
    });

const PROSE_EXTENSIONS = new Set(["md", "markdown", "mdx", "txt", "rst", "adoc", "org", "text"]);
// Codex exec_command: "Chunk ID: ..\nWall time: ..\nProcess exited with code 0\nOriginal token count: N\nOutput:\n<file>".
const WRAPPER_RE = /^(?:Chunk ID|Command|Exit code|Wall time)\b[^\n]{0,200}\n(?:[^\n]{0,200}\n){0,7}?Output:\n/;

/**
 * The treatment of one tool output whose call is a file read.
 * @example readPolicy({ name: "Read", arguments: { file_path: "/p/a.ts", offset: 120, limit: 40 } }, text, DEFAULT_READ_SETTINGS, true) // { exact: true, reason: "ranged read" }
 */
export function readPolicy(call: ToolCall | undefined, text: string, settings: ReadSettings, retrievable: boolean): ReadDecision {
  const decision = readDecision(call, text, settings, retrievable);
  return decision.exact ? decision : { ...decision, ...readTreatment(decision, text) };
}

/** A read that is compressed: what the memo is keyed by, before any detection runs. */
export interface LossyRead {
  readonly exact: false;
  /** The file the call names, when it names one. */
  readonly path: string | undefined;
  /** Characters of an agent's wrapper before the file (Codex's exec header), kept as they are. */
  readonly headerChars: number;
  /** Memo profile: the policy, so a form made under another setting is never met. */
  readonly profile: string;
}

/**
 * Exact or not, and the memo profile: cheap (no detection), because it runs for every large read of
 * the conversation on every turn, memo hits included. {@link readTreatment} runs on a memo miss only.
 */
export function readDecision(call: ToolCall | undefined, text: string, settings: ReadSettings, retrievable: boolean): { readonly exact: true; readonly reason: string } | LossyRead {
  if (settings.fileReads === "exact") return { exact: true, reason: "file reads are exact (HEADROOM_FILE_READS=exact)" };
  if (!retrievable) return { exact: true, reason: "file read: no store to keep the original" };
  const target = readTarget(call);
  if (target?.ranged) return { exact: true, reason: "file read: ranged (the agent asked for exactly these lines)" };
  const headerChars = WRAPPER_RE.exec(text.slice(0, 1024))?.[0].length ?? 0;
  const bodyChars = text.length - headerChars;
  if (Math.ceil(bodyChars / 4) < settings.fileReadMinTokens) {
    return { exact: true, reason: `file read below ${settings.fileReadMinTokens} tokens` };
  }
  if (text.indexOf("\n", headerChars) < 0) return { exact: true, reason: "file read: a single line" };
  // The treatment is a function of the path and the text, so the policy alone keys the memo.
  return { exact: false, path: target?.path, headerChars, profile: `read-large-${settings.fileReadMinTokens}` };
}

/** Which compressor takes a lossy read's file part (all of them keep kept lines verbatim). */
export function readTreatment(read: LossyRead, text: string): { kind: ContentKind; language?: CodeLanguage } {
  const body = read.headerChars > 0 ? text.slice(read.headerChars) : text;
  const numbered = splitLineNumbers(body);
  const found = kindOf(read.path, body, numbered?.lines);
  // The prose compressor keeps whole lines only on numbered reads; elsewhere it may put a kept
  // sentence on a line of its own, which an edit could not match: the line-keeping text compressor.
  return found.kind === "prose" && !numbered ? { kind: "text" } : found;
}

function kindOf(path: string | undefined, body: string, bareLines: readonly string[] | undefined): { kind: ContentKind; language?: CodeLanguage } {
  if (path !== undefined) {
    const language = languageFromPath(path);
    if (language) return { kind: "code", language };
    const extension = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase();
    if (extension !== undefined && PROSE_EXTENSIONS.has(extension)) return { kind: "prose" };
  }
  // Detection on the bare lines (line numbers would look like a listing). Only kinds whose
  // compressors keep lines verbatim: JSON or log compressors rewrite lines an edit would copy.
  const detected = detectKind(bareLines?.join("\n") ?? body);
  return { kind: detected === "code" || detected === "prose" ? detected : "text" };
}
