// Which tree-sitter grammar reads a piece of code: from the file's extension when a path is known,
// else a cheap guess from the text that answers undefined unless one language clearly wins.
import type { CodeLanguage } from "./types.js";

const BY_EXTENSION: Readonly<Record<string, CodeLanguage>> = {
  py: "python",
  pyi: "python",
  js: "javascript",
  mjs: "javascript",
  cjs: "javascript",
  jsx: "javascript",
  ts: "typescript",
  mts: "typescript",
  cts: "typescript",
  tsx: "tsx",
  go: "go",
  rs: "rust",
  java: "java",
  c: "c",
  h: "c",
  cc: "cpp",
  cpp: "cpp",
  cxx: "cpp",
  hpp: "cpp",
  hh: "cpp",
};

/**
 * The language of a file from its path (extension only, case-insensitive).
 * @example languageFromPath("src/app.tsx") // "tsx"
 */
export function languageFromPath(filePath: string): CodeLanguage | undefined {
  const name = filePath.slice(Math.max(filePath.lastIndexOf("/"), filePath.lastIndexOf("\\")) + 1);
  const dot = name.lastIndexOf(".");
  if (dot <= 0) return undefined;
  return BY_EXTENSION[name.slice(dot + 1).toLowerCase()];
}

// Line-start signals, each worth one vote for its languages. Only shapes that are rare elsewhere.
const SIGNALS: readonly (readonly [RegExp, readonly CodeLanguage[]])[] = [
  [/^\s*def \w+\s*\(.*\)\s*(?:->.*)?:\s*(?:#.*)?$/, ["python"]],
  [/^\s*class \w+(?:\(.*\))?:\s*$/, ["python"]],
  [/^from [\w.]+ import /, ["python"]],
  [/^\s*(?:elif .*|else|try|finally|except.*):\s*$/, ["python"]],
  [/^\s*@\w[\w.]*(?:\(.*\))?\s*$/, ["python", "java", "typescript"]],
  [/^package \w+\s*$/, ["go"]],
  [/^func (?:\([^)]*\) )?\w+\(/, ["go"]],
  [/^import \(\s*$/, ["go"]],
  [/^\s*\w+(?:, \w+)* := /, ["go"]],
  [/^\s*(?:pub(?:\([\w:]+\))? )?(?:async )?(?:unsafe )?fn \w+/, ["rust"]],
  [/^\s*(?:pub )?use [\w:]+(?:::\{.*\})?;/, ["rust"]],
  [/^\s*impl(?:<.*>)? [\w:<>, ]+(?: for [\w:<>, ]+)? \{/, ["rust"]],
  [/^\s*let (?:mut )?\w+(?:: [^=]+)? = .*;$/, ["rust"]],
  [/^\s*#\[[\w:]+/, ["rust"]],
  [/^package [\w.]+;\s*$/, ["java"]],
  [/^import (?:static )?[\w.]+(?:\.\*)?;\s*$/, ["java"]],
  [/^\s*(?:public|private|protected)(?: static)?(?: final)?(?: abstract)? (?:class|interface|enum|record) \w+/, ["java"]],
  [/^\s*(?:public|private|protected) (?:static )?(?:final )?(?:synchronized )?[\w<>[\], ]+ \w+\([^)]*\)\s*(?:throws [\w., ]+)?\{?\s*$/, ["java"]],
  [/^#\s*include\s*[<"]/, ["c", "cpp"]],
  [/^#\s*(?:define|ifndef|ifdef|endif|if|pragma)\b/, ["c", "cpp"]],
  [/\bstd::|^\s*namespace \w+|^\s*template\s*<|^\s*(?:public|private|protected):\s*$|\w::\w+\(|^using namespace /, ["cpp"]],
  [/^(?:static |extern |inline )*(?:const )?(?:unsigned |signed )?(?:void|int|char|long|short|double|float|size_t|bool|struct \w+|\w+_t) \**\w+\([^;]*$/, ["c", "cpp"]],
  [/^\s*(?:const|let|var) \w+ = require\(/, ["javascript"]],
  [/^\s*(?:export )?(?:async )?function\*? ?\w*\s*\(/, ["javascript", "typescript"]],
  [/^\s*(?:export )?(?:const|let|var) [\w{}, [\]]+ = /, ["javascript", "typescript"]],
  [/^import .* from ['"]/, ["javascript", "typescript"]],
  [/^\s*export (?:default )?(?:class|const|function|async)/, ["javascript", "typescript"]],
  [/=> \{?\s*$/, ["javascript", "typescript"]],
  [/^\s*(?:export )?(?:interface|type) \w+(?:<.*>)? (?:=|\{|extends)/, ["typescript"]],
  [/^\s*(?:export )?(?:const )?enum \w+ \{/, ["typescript"]],
  [/^import type |: (?:string|number|boolean|void|unknown|Promise<)/, ["typescript"]],
  [/^\s*(?:public|private|protected|readonly) \w+[?!]?:/, ["typescript"]],
];

const COMMENT_LINE_RE = /^\s*(?:\*|\/\/|\/\*)/;

// JSX: a tag opening or closing on its own, or `return (` followed by a tag.
const JSX_RE = /^\s*<\/?[A-Za-z][\w.]*(?:\s[^<>]*)?\/?>\s*$|^\s*return \(?\s*<[A-Za-z]/;

/** Fewest signal lines before a guess counts, and how far the winner must lead the runner-up. */
const MIN_VOTES = 3;
const LEAD = 2;
const SAMPLE_LINES = 400;

/**
 * A cheap guess at the language of code with no known path: undefined unless one language clearly
 * wins. Use only when the router already said "code"; the compressor still checks that it parses.
 * @example guessLanguage("package main\n\nfunc main() {\n\tx := 1\n}") // "go"
 */
export function guessLanguage(text: string): CodeLanguage | undefined {
  const votes = new Map<CodeLanguage, number>();
  // Lines only TypeScript (or only C++) writes; shared lines vote for both relatives.
  let tsOnly = 0;
  let cppOnly = 0;
  let jsx = 0;
  for (const line of text.split("\n", SAMPLE_LINES)) {
    // Comments say anything ("Returns: string"); only code lines vote.
    if (line.length > 400 || COMMENT_LINE_RE.test(line)) continue;
    if (JSX_RE.test(line)) jsx++;
    for (const [re, languages] of SIGNALS) {
      if (!re.test(line)) continue;
      for (const language of languages) votes.set(language, (votes.get(language) ?? 0) + 1);
      if (languages.length === 1 && languages[0] === "typescript") tsOnly++;
      if (languages.length === 1 && languages[0] === "cpp") cppOnly++;
    }
  }
  // TypeScript is JavaScript plus types, C++ nearly C plus more: the relative wins on its own lines.
  votes.delete(tsOnly > 0 ? "javascript" : "typescript");
  votes.delete(cppOnly > 0 ? "c" : "cpp");
  const ranked = [...votes.entries()].sort((a, b) => b[1] - a[1]);
  const [first, second] = ranked;
  if (!first || first[1] < MIN_VOTES || first[1] - (second?.[1] ?? 0) < LEAD) return undefined;
  const winner = first[0];
  if (winner === "typescript" && jsx >= 2) return "tsx";
  return winner;
}
