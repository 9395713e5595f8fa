// The one signature every compressor shares: pure, synchronous, no I/O, no clock.

/** Content kinds the router can assign. */
export type ContentKind =
  | "json"
  | "search"
  | "log"
  | "diff"
  | "listing"
  | "code"
  | "html"
  | "prose"
  | "text";

export const CONTENT_KINDS: readonly ContentKind[] = [
  "json",
  "search",
  "log",
  "diff",
  "listing",
  "code",
  "html",
  "prose",
  "text",
];

/** What relevance scoring looks for (see DESIGN.md "The query"). */
export interface Query {
  /** Raw query text: the latest human text plus the tool call's arguments. */
  readonly text: string;
  /** Lower-cased word terms (length >= 3, stop words removed). */
  readonly terms: readonly string[];
  /** Exact entities: identifiers, numbers, quoted strings, paths, versions (case kept). */
  readonly entities: readonly string[];
}

export interface CompressContext {
  /** Hash of the whole original tool output; every marker carries it. */
  readonly hash: string;
  readonly query: Query;
  /** Target size of the output, in estimated tokens (see src/pipeline/budget.ts). */
  readonly budget: number;
  /** When true only lossless transforms are allowed (file reads). */
  readonly losslessOnly: boolean;
  /**
   * Line number of this text's first line in the tool output as the agent sees it (in a file read:
   * in the file). Line-keeping compressors name the lines each marker replaces with it, so an agent
   * can re-read exactly those lines.
   */
  readonly firstLine?: number;
  /** Source language of a code unit, when the tool call named a file (see src/pipeline/tool-role.ts). */
  readonly language?: CodeLanguage;
  /**
   * Keep-probabilities from the optional prose model (src/resources/prose-model.ts), one per
   * whitespace-separated word of the text, in order; absent when no model ran.
   */
  readonly wordKeepProbabilities?: readonly number[];
}

/** Languages the code compressor parses with tree-sitter. */
export type CodeLanguage = "python" | "javascript" | "typescript" | "tsx" | "go" | "rust" | "java" | "c" | "cpp";

export const CODE_LANGUAGES: readonly CodeLanguage[] = ["python", "javascript", "typescript", "tsx", "go", "rust", "java", "c", "cpp"];

/** One place where something was left out; `count` items of `unit` were omitted. */
export interface Omission {
  readonly count: number;
  readonly unit: string;
}

export interface CompressResult {
  readonly text: string;
  readonly omissions: readonly Omission[];
}

/** Returns null for "not mine / nothing to gain": the caller keeps the original. */
export type Compressor = (text: string, context: CompressContext) => CompressResult | null;
