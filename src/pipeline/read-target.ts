// Which file a read names, and whether the agent asked for the whole file or for some of its lines.
// Read tools: Claude Code Read {file_path, offset, limit}, Copilot view {path, view_range}, Gemini
// read_file {absolute_path, offset, limit}, the Anthropic text editor {command: "view", path,
// view_range}. Shell reads (inside `bash -lc '...'` too): cat / nl / bat / less / more FILE (whole),
// head / tail / sed -n FILE (ranged), and a whole read piped into sed -n / head / tail (ranged).
import type { ToolCall } from "./locate.js";

export interface ReadTarget {
  /** The file read, as the call names it (absolute or relative); undefined when several or none. */
  readonly path: string | undefined;
  /** True when the call asked for some lines only (an offset, a limit, a line range). */
  readonly ranged: boolean;
}

// Read tools of the agents we know, by the name after any MCP prefix ("mcp__x__read_file").
const READ_TOOLS = new Set(["read", "view", "read_file", "readfile", "read_many_files", "str_replace_based_edit_tool", "str_replace_editor", "notebookread"]);
const SHELL_TOOLS = new Set(["bash", "shell", "exec_command", "run_terminal_cmd", "local_shell", "exec", "powershell"]);
// Commands that print whole files, and those that print some of their lines.
const WHOLE = new Set(["cat", "nl", "bat", "batcat", "less", "more"]);
const RANGED = new Set(["head", "tail", "sed"]);
// Options of those commands that take a value ("head -n 20", "nl -b a", "bat -r 1:20").
const VALUE_OPTIONS: Record<string, ReadonlySet<string>> = {
  head: new Set(["-n", "-c", "--lines", "--bytes"]),
  tail: new Set(["-n", "-c", "--lines", "--bytes"]),
  nl: new Set(["-b", "-v", "-i", "-w", "-s", "-n", "-l", "-d", "-h", "-f"]),
  bat: new Set(["-r", "--line-range", "-l", "--language", "--style", "--theme", "-H", "--highlight-line"]),
  batcat: new Set(["-r", "--line-range", "-l", "--language", "--style", "--theme", "-H", "--highlight-line"]),
  sed: new Set(["-e", "--expression"]),
};

/**
 * The file a tool call reads and whether the read is ranged; undefined when the call is not a read.
 * @example readTarget({ name: "Read", arguments: { file_path: "/p/a.ts", offset: 40, limit: 20 } }) // { path: "/p/a.ts", ranged: true }
 */
export function readTarget(call: ToolCall | undefined): ReadTarget | undefined {
  if (!call) return undefined;
  const name = call.name.toLowerCase().replace(/^.*__/, "");
  if (READ_TOOLS.has(name)) return toolTarget(name, argsObject(call.arguments));
  if (!SHELL_TOOLS.has(name)) return undefined;
  const command = shellCommand(call.arguments);
  return command === undefined ? undefined : shellTarget(unwrapShell(command));
}

function toolTarget(name: string, args: Record<string, unknown>): ReadTarget {
  const path = [args.file_path, args.path, args.absolute_path, args.notebook_path].find((value): value is string => typeof value === "string");
  if (name === "read_many_files") return { path: undefined, ranged: false };
  return { path, ranged: isRange(args.view_range) || isPositive(args.limit) || (isPositive(args.offset) && Number(args.offset) > 1) };
}

// [1, -1] (Copilot: "reads through EOF") is the whole file.
function isRange(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0 && !(value[0] === 1 && (value[1] === -1 || value[1] === undefined));
}

function isPositive(value: unknown): boolean {
  return typeof value === "number" ? value > 0 : typeof value === "string" && Number(value) > 0;
}

// A pipeline of one read, optionally narrowed by sed -n / head / tail.
function shellTarget(command: string): ReadTarget | undefined {
  const stages = splitPipeline(command);
  // A command this parser cannot read that starts like a ranged read (sed -n "$a,${b}p" f) is one:
  // exact is the safe answer for what an agent may edit against.
  if (!stages) return startsRanged(command) ? { path: undefined, ranged: true } : undefined;
  if (stages.length === 0 || stages.length > 2) return undefined;
  const first = readStage(stages[0]!);
  if (!first) return undefined;
  if (stages.length === 1) return first;
  const narrowing = stages[1]!;
  const program = narrowing[0];
  if (program === undefined || !RANGED.has(program) || operands(narrowing).length > (program === "sed" ? 1 : 0)) return undefined;
  if (program === "sed" && !isSedQuiet(narrowing)) return undefined;
  return { path: first.path, ranged: true };
}

function readStage(words: readonly string[]): ReadTarget | undefined {
  const program = words[0];
  if (program === undefined) return undefined;
  const files = operands(words);
  if (WHOLE.has(program)) {
    if (files.length === 0) return undefined;
    const ranged = (program === "bat" || program === "batcat") && words.some((word) => word === "-r" || word.startsWith("--line-range"));
    return { path: files.length === 1 ? files[0] : undefined, ranged };
  }
  if (program === "head" || program === "tail") return files.length === 0 ? undefined : { path: files.length === 1 ? files[0] : undefined, ranged: true };
  // Any `sed -n` prints some lines (by number, by pattern): ranged, so exact.
  if (program === "sed" && isSedQuiet(words)) {
    // The first operand is the script ("1,200p"), the rest are files.
    const rest = files.slice(words.includes("-e") || words.includes("--expression") ? 0 : 1);
    return rest.length === 0 ? undefined : { path: rest.length === 1 ? rest[0] : undefined, ranged: true };
  }
  return undefined;
}

// `sed -n '10,40p'`, `sed -n '/^func/,/^}/p'`: prints some lines, edits nothing.
function isSedQuiet(words: readonly string[]): boolean {
  const quiet = words.some((word) => word === "--quiet" || word === "--silent" || /^-[A-Za-z]*n[A-Za-z]*$/.test(word));
  return quiet && !words.some((word) => word.startsWith("--in-place") || /^-[A-Za-z]*i/.test(word));
}

// The first word of a command the pipeline parser gave up on: head, tail, or sed -n (not -i).
function startsRanged(command: string): boolean {
  const words = command.trim().split(/\s+/);
  const program = words[0];
  return program === "head" || program === "tail" || (program === "sed" && isSedQuiet(words));
}

// Non-option words after the program (option values skipped; `--` ends options).
function operands(words: readonly string[]): string[] {
  const program = words[0] ?? "";
  const takesValue = VALUE_OPTIONS[program] ?? new Set<string>();
  const out: string[] = [];
  let optionsEnded = false;
  for (let i = 1; i < words.length; i++) {
    const word = words[i]!;
    if (optionsEnded || !word.startsWith("-") || word === "-") {
      out.push(word);
      continue;
    }
    if (word === "--") optionsEnded = true;
    else if (takesValue.has(word)) i++;
  }
  return out;
}

// Shell words by stage, quotes removed; undefined for anything but a plain pipeline (;, &&, $(...),
// backquotes, redirection into files): such a command may print more than one file.
function splitPipeline(command: string): string[][] | undefined {
  const stages: string[][] = [[]];
  let word: string | undefined;
  const end = () => {
    if (word !== undefined) stages[stages.length - 1]!.push(word);
    word = undefined;
  };
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (c === "'") {
      const close = command.indexOf("'", i + 1);
      if (close < 0) return undefined;
      word = (word ?? "") + command.slice(i + 1, close);
      i = close;
    } else if (c === '"') {
      let j = i + 1;
      let value = "";
      for (; j < command.length && command[j] !== '"'; j++) {
        if (command[j] === "$" || command[j] === "`") return undefined;
        if (command[j] === "\\" && j + 1 < command.length) j++;
        value += command[j];
      }
      if (j >= command.length) return undefined;
      word = (word ?? "") + value;
      i = j;
    } else if (c === "\\" && i + 1 < command.length) {
      word = (word ?? "") + command[++i];
    } else if (c === " " || c === "\t" || c === "\n") {
      end();
    } else if (c === "|" && command[i + 1] !== "|") {
      end();
      stages.push([]);
    } else if (c === "2" && command.startsWith("2>/dev/null", i) && word === undefined) {
      i += "2>/dev/null".length - 1;
    } else if (";&<>`$()|".includes(c)) {
      return undefined;
    } else {
      word = (word ?? "") + c;
    }
  }
  end();
  return stages.every((stage) => stage.length > 0) ? stages : undefined;
}

function argsObject(args: unknown): Record<string, unknown> {
  let value = args;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return {};
    }
  }
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The command string of a shell tool call, whatever the agent calls its argument. */
export function shellCommand(args: unknown): string | undefined {
  let value = args;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      // Codex "code mode" sends a script: tools.exec_command({ cmd: "..." })
      const embedded = /\bcmd:\s*"((?:[^"\\]|\\.)*)"/.exec(value as string);
      return embedded ? (JSON.parse(`"${embedded[1]}"`) as string) : (value as string);
    }
  }
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const command = record.command ?? record.cmd ?? record.script;
  if (typeof command === "string") return command;
  if (Array.isArray(command)) {
    const parts = command.filter((part): part is string => typeof part === "string");
    // ["bash", "-lc", "cat x"]: the script is the third part
    if (parts.length === 3 && /^-l?c$/.test(parts[1] ?? "")) return parts[2];
    return parts.join(" ");
  }
  return undefined;
}

/** `bash -lc 'cat x'` is a read of x too. */
export function unwrapShell(command: string): string {
  const match = /^\s*(?:ba|z)?sh\s+-l?c\s+(['"])([\s\S]*)\1\s*$/.exec(command);
  return (match ? (match[2] ?? "") : command).trim();
}
