// Shell commands reduced to what the miner compares: the main segment's words, its "head" (binary
// plus subcommand: `npm test`, `npx jest`, `python -m pytest`), the job it does (test, build...) and
// the path-like words it names. Heuristic by design: a command the parser does not understand
// yields no head and so no rule.

/** A simple command from a shell line: `cd`/env prefixes, wrappers and redirections removed. */
export interface ParsedCommand {
  /** The words of the main segment, quotes removed. */
  readonly words: readonly string[];
  /** Binary (basename) and, for multi-tools, the subcommand: `npm test`, `npx jest`, `git log`. */
  readonly head: string;
  /** The binary's basename. */
  readonly binary: string;
  /** The words after the binary, joined: what the command is asked to do. */
  readonly args: string;
  readonly role?: CommandRole;
}

export type CommandRole = "test" | "build" | "lint" | "typecheck" | "install" | "format";

const SEPARATORS = new Set(["&&", "||", ";", "|", "&", "|&"]);
const SKIPPED = new Set(["cd", "pushd", "popd", "export", "set", "source", ".", "true", ":", "unset", "echo", "clear"]);
const WRAPPERS = new Set(["sudo", "time", "env", "nice", "command", "exec", "nohup"]);
const PACKAGE_MANAGERS = new Set(["npm", "pnpm", "yarn", "bun"]);
const RUNNERS = new Set(["npx", "pnpx", "bunx"]);
const WITH_SUBCOMMAND = new Set([
  "go", "cargo", "git", "docker", "dotnet", "mvn", "gradle", "./gradlew", "gradlew", "deno", "uv", "poetry", "bundle",
  "rake", "make", "pip", "pip3", "kubectl", "gh", "composer", "mix", "swift", "rustup", "tsx", "turbo", "nx",
]);
const PYTHONS = /^(python\d?(\.\d+)?|py)$/;

// Splits a shell line into words and separators; quotes group words, a backslash escapes one char.
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote = "";
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote) {
      if (c === quote) quote = "";
      else word += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === "\\" && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (c === " " || c === "\t" || c === "\n") {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else if (c === "&" || c === "|" || c === ";") {
      const two = line.slice(i, i + 2);
      const op = two === "&&" || two === "||" || two === "|&" ? two : c;
      // `2>&1` and `&>` are redirections, not separators.
      if (c === "&" && (word.endsWith(">") || line[i + 1] === ">")) {
        word += c;
        inWord = true;
        continue;
      }
      if (inWord) words.push(word);
      words.push(op);
      word = "";
      inWord = false;
      i += op.length - 1;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

function isRedirection(word: string): boolean {
  return /^\d*(>>?|<)(&\d+)?$/.test(word) || /^\d*(>>?|<|&>)\S+$/.test(word);
}

function basename(word: string): string {
  const at = word.lastIndexOf("/");
  return at >= 0 && at < word.length - 1 ? word.slice(at + 1) : word;
}

// Drops env assignments, wrappers (with their options) and redirections (with their targets).
function mainWords(segment: readonly string[]): string[] {
  let start = 0;
  while (start < segment.length) {
    const word = segment[start] as string;
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(word)) start++;
    else if (WRAPPERS.has(word)) {
      start++;
      while (start < segment.length && (segment[start] as string).startsWith("-")) start++;
    } else if (word === "timeout") start += 2;
    else break;
  }
  const words: string[] = [];
  for (let i = start; i < segment.length; i++) {
    const word = segment[i] as string;
    if (isRedirection(word)) {
      if (/^\d*(>>?|<|&>)$/.test(word)) i++;
      continue;
    }
    words.push(word);
  }
  return words;
}

function firstOperand(words: readonly string[], from: number): string | undefined {
  for (let i = from; i < words.length; i++) {
    const word = words[i] as string;
    if (!word.startsWith("-")) return word;
  }
  return undefined;
}

function headOf(words: readonly string[]): string {
  const binary = basename(words[0] as string);
  if (PACKAGE_MANAGERS.has(binary)) {
    const sub = firstOperand(words, 1);
    if (sub === undefined) return binary;
    if (sub === "run" || sub === "run-script") {
      const script = firstOperand(words, words.indexOf(sub) + 1);
      return script ? `${binary} run ${script}` : `${binary} run`;
    }
    if (sub === "exec" || sub === "dlx" || sub === "x") {
      const tool = firstOperand(words, words.indexOf(sub) + 1);
      return tool ? `${binary} ${sub} ${basename(tool)}` : `${binary} ${sub}`;
    }
    return `${binary} ${sub}`;
  }
  if (RUNNERS.has(binary)) {
    const tool = firstOperand(words, 1);
    return tool ? `${binary} ${tool}` : binary;
  }
  if (PYTHONS.test(binary)) {
    const m = words.indexOf("-m");
    return m > 0 && words[m + 1] ? `${binary} -m ${words[m + 1]}` : binary;
  }
  if (binary === "node" && words.includes("--test")) return "node --test";
  if (WITH_SUBCOMMAND.has(binary)) {
    const sub = firstOperand(words, 1);
    return sub ? `${binary} ${sub}` : binary;
  }
  return binary;
}

const ROLE_PATTERNS: ReadonlyArray<readonly [CommandRole, RegExp]> = [
  ["typecheck", /\b(typecheck|type-check|tsc\b.*--noEmit|mypy|pyright)\b/],
  ["test", /\b(test|tests|jest|vitest|pytest|mocha|ava|rspec|phpunit|karma|jasmine|unittest|spec|playwright)\b/],
  ["lint", /\b(lint|eslint|ruff|flake8|pylint|clippy|biome|golangci-lint)\b/],
  ["format", /\b(fmt|format|prettier|black|gofmt|rustfmt)\b/],
  ["build", /\b(build|tsc|webpack|compile|make|rollup|esbuild)\b/],
];

/** The job a command does, judged from its head (and `tsc --noEmit`). */
export function roleOf(head: string, words: readonly string[] = []): CommandRole | undefined {
  const binary = head.split(" ")[0] ?? "";
  if ((PACKAGE_MANAGERS.has(binary) || /^pip\d?$/.test(binary)) && /^\S+ (install|i|ci|add)$/.test(head)) return "install";
  const text = binary === "tsc" ? words.join(" ") : head;
  for (const [role, pattern] of ROLE_PATTERNS) if (pattern.test(text)) return role;
  return undefined;
}

/** The main simple command of a shell line (the first one that is not `cd`, `export`...). */
export function parseCommand(line: string): ParsedCommand | undefined {
  const all = shellWords(line.trim());
  let segment: string[] = [];
  const segments: string[][] = [];
  for (const word of all) {
    if (SEPARATORS.has(word)) {
      segments.push(segment);
      segment = [];
    } else segment.push(word);
  }
  segments.push(segment);
  for (const raw of segments) {
    const words = mainWords(raw);
    const first = words[0];
    if (first === undefined || SKIPPED.has(first) || first.startsWith("-") || first.startsWith("#")) continue;
    const head = headOf(words);
    const role = roleOf(head, words);
    return { words, head, binary: basename(first), args: words.slice(1).join(" "), ...(role ? { role } : {}) };
  }
  return undefined;
}

/** Words that name files or directories: `src/a.ts`, `./lib`, `README.md` (not flags or URLs). */
export function pathWords(words: readonly string[]): string[] {
  return words.slice(1).filter((word) => {
    if (word.startsWith("-") || word.includes("://") || word.includes("=") || /[*?$`(){}<>]/.test(word)) return false;
    return word.includes("/") || /\.[A-Za-z0-9]{1,8}$/.test(word);
  });
}
