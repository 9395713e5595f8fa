// The query relevance scoring uses (DESIGN.md "The query"): the latest text the human wrote, with
// agent-injected wrappers stripped, plus the arguments of the tool call that produced the output.
import type { Query } from "../compressors/types.js";

// Wrappers agents put around or beside the human's words; their contents are not the human's ask.
const WRAPPER_TAGS = [
  "system-reminder",
  "environment_context",
  "current_datetime",
  "user_instructions",
  "user_shell_command",
  "command-name",
  "command-message",
  "command-args",
  "local-command-stdout",
  "reminder",
  "context",
];
const WRAPPER_PATTERN = new RegExp(`<(${WRAPPER_TAGS.join("|")})(?:\\s[^>]*)?>[\\s\\S]*?</\\1>`, "g");

const STOP_WORDS = new Set(
  (
    "the and for are but not you all any can had her was one our out has him his how its may new now " +
    "see two who did get let put say she too use that this with from have they will what when where " +
    "which while would there their then than them these those into onto over under about after before " +
    "could should been being does doing done just like make made more most much only other some such " +
    "very why your yours also each here please show tell find look file files line lines output run code"
  ).split(" "),
);

const MAX_QUERY_CHARS = 4_000;

export function stripWrappers(text: string): string {
  return text.replace(WRAPPER_PATTERN, " ").trim();
}

/** Builds the scoring terms and exact entities from free text. Deterministic, order of first appearance. */
export function buildQuery(text: string): Query {
  const clipped = text.length > MAX_QUERY_CHARS ? text.slice(-MAX_QUERY_CHARS) : text;
  const terms = unique(
    (clipped.match(/[A-Za-z0-9_][A-Za-z0-9_.-]*[A-Za-z0-9_]/g) ?? [])
      .flatMap((word) => [word, ...word.split(/[._-]+/), ...word.split(/(?<=[a-z0-9])(?=[A-Z])/)])
      .map((word) => word.toLowerCase())
      .filter((word) => word.length >= 3 && !STOP_WORDS.has(word)),
  );
  return { text: clipped, terms, entities: extractEntities(clipped) };
}

// Entities are matched exactly (case kept): quoted strings, paths, identifiers, numbers, versions.
export function extractEntities(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/"([^"\n]{2,80})"|'([^'\n]{2,80})'|`([^`\n]{2,80})`/g)) {
    found.push(match[1] ?? match[2] ?? match[3] ?? "");
  }
  for (const token of text.match(/[A-Za-z0-9_./@:#-]+/g) ?? []) {
    const word = token.replace(/^[.:#-]+|[.:,-]+$/g, "");
    if (word.length < 2) continue;
    const isPath = /[/\\]/.test(word) || /\.[a-z]{1,5}$/i.test(word);
    const isNumber = /^#?\d{2,}$/.test(word);
    const isVersion = /^v?\d+\.\d+(\.\d+)?/.test(word);
    const isIdentifier = /[a-z][A-Z]|_|[A-Za-z]\d|\d[A-Za-z]/.test(word) && word.length >= 3;
    if (isPath || isNumber || isVersion || isIdentifier) found.push(word.replace(/^#/, ""));
  }
  return unique(found.filter((entity) => entity.trim().length >= 2));
}

/** Joins the human's latest words and a tool call's arguments into one query. */
export function queryFor(humanText: string, toolArguments?: unknown): Query {
  const parts = [stripWrappers(humanText)];
  const args = argumentText(toolArguments);
  if (args) parts.push(args);
  return buildQuery(parts.filter(Boolean).join("\n"));
}

// Tool arguments arrive as an object (Anthropic), a JSON string (OpenAI) or free text (custom tools).
function argumentText(args: unknown): string {
  if (args === undefined || args === null) return "";
  if (typeof args === "string") {
    try {
      return argumentText(JSON.parse(args) as unknown);
    } catch {
      return args;
    }
  }
  if (typeof args === "object") {
    const values: string[] = [];
    for (const value of Object.values(args as Record<string, unknown>)) {
      if (typeof value === "string" || typeof value === "number") values.push(String(value));
      else if (Array.isArray(value)) values.push(value.filter((v) => typeof v === "string").join(" "));
    }
    return values.join(" ");
  }
  return String(args);
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
