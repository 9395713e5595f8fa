// Is a tool event a failure, and of what kind: a binary that is not installed, a path that does not
// exist, or any other error. Only the head of the output is searched for messages, so a file that
// merely contains "not found" is not taken for an error.
import type { ToolEvent } from "./types.js";
import { parseCommand } from "./mine-command.js";

export type FailureCause = "command-not-found" | "missing-path" | "error";

export interface Failure {
  readonly cause: FailureCause;
  /** The binary that was not found. */
  readonly binary?: string;
  /** The path that did not exist, as the output or the tool call names it. */
  readonly path?: string;
  /** One line saying why, from the output (or the exit code). */
  readonly reason: string;
}

const HEAD_CHARS = 1_500;

const NOT_FOUND: readonly RegExp[] = [
  /command not found: ([\w.+@/-]+)/,
  /(?:^|[\s:])([\w.+@/-]+): command not found/m,
  /^(?:\/bin\/|\/usr\/bin\/)?(?:ba|z|da|k)?sh: (?:\d+: |line \d+: )?([\w.+@/-]+): not found/m,
  /'([\w.+@/-]+)' is not recognized as an internal or external command/,
  /^env: '?([\w.+@/-]+)'?: No such file or directory/m,
  /spawn ([\w.+@/-]+) ENOENT/,
  /The term '([\w.+@/-]+)' is not recognized/,
];

const MISSING_PATH: readonly RegExp[] = [
  /cannot access '([^']+)': No such file or directory/,
  /can't open file '([^']+)'/,
  /ENOENT: no such file or directory, \w+ '([^']+)'/,
  /(?:^|[\s'"])([^\s:'"]+)'?: No such file or directory/m,
  /(?:File|Path|Directory) (?:does not exist|not found):? '?([^\s',]+[^\s',.])/,
  /No such file or directory[^\n]*?: '([^']+)'/,
];

// The line of the output that names the problem, else the first non-empty one.
function reasonLine(head: string, exitCode: number | undefined): string {
  // Claude Code starts a failed command's result with "Exit code N": the next lines say more.
  // Gemini CLI wraps output in "Command: / Directory: / Output: / Exit Code:" fields.
  const lines = head
    .split(/\r?\n/)
    .map((line) => line.trim().replace(/^(Output|stderr|stdout):\s*/i, ""))
    .filter((line) => line.length > 0 && !/^exit code:? \d+$/i.test(line) && !/^(Command|Directory|Signal|Background PIDs|Process Group PGID):|^Error: \(none\)$/i.test(line));
  const line =
    lines.find((l) => /not found|No such file|ENOENT|not recognized|does not exist|could not determine executable|no rule to make/i.test(l)) ??
    lines.find((l) => /error|fail|denied|invalid|unknown|cannot|can't/i.test(l)) ??
    lines[0];
  if (line === undefined) return exitCode !== undefined ? `exit code ${exitCode}` : "error";
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

/** True when the agent marked the event an error, the exit code says so, or its output does. */
export function isFailure(event: ToolEvent): boolean {
  if (event.isError) return true;
  if (event.exitCode !== undefined) return event.exitCode !== 0;
  // No exit code and no error flag: trust only unambiguous messages at the very start.
  const start = event.output.slice(0, 300);
  return /command not found|No such file or directory|ENOENT|^[^\n]*\bnot found\b/i.test(start) && event.path === undefined;
}

/** What kind of failure `event` is, or undefined when it succeeded. */
export function classifyFailure(event: ToolEvent): Failure | undefined {
  if (!isFailure(event)) return undefined;
  const head = event.output.slice(0, HEAD_CHARS);
  const reason = reasonLine(head, event.exitCode);
  const parsed = event.command !== undefined ? parseCommand(event.command) : undefined;
  for (const pattern of NOT_FOUND) {
    const match = pattern.exec(head);
    if (match?.[1]) return { cause: "command-not-found", binary: match[1].split("/").pop() ?? match[1], reason };
  }
  if (parsed && /could not determine executable to run/.test(head)) {
    return { cause: "command-not-found", binary: parsed.head.split(" ").pop() ?? parsed.binary, reason };
  }
  if (parsed && event.exitCode === 127) return { cause: "command-not-found", binary: parsed.binary, reason };
  if (event.path !== undefined && /does not exist|not found|no such file|ENOENT|cannot find/i.test(head)) {
    return { cause: "missing-path", path: event.path, reason };
  }
  for (const pattern of MISSING_PATH) {
    const match = pattern.exec(head);
    if (match?.[1]) return { cause: "missing-path", path: match[1], reason };
  }
  return { cause: "error", reason };
}
