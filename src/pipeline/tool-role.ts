// What a tool call means for compression: a file read (what the agent edits against: lossless only
// until the code issue settles it), a headroom retrieval (never compressed again), or anything else.
import type { ToolCall } from "./locate.js";

export type ToolRole = "file-read" | "retrieval" | "other";

// Read tools of the agents we know (Claude Code Read, Copilot view, Gemini read_file...).
const READ_TOOLS = new Set(["read", "view", "read_file", "readfile", "read_many_files", "str_replace_based_edit_tool", "notebookread"]);
// Shell commands that print a file: cat/head/tail/nl/sed -n/bat, not part of a pipeline.
const SHELL_READ = /^\s*(?:cat|head|tail|nl|bat|less|more|sed\s+-n)\b[^|;&]*$/;
const SHELL_TOOLS = new Set(["bash", "shell", "exec_command", "run_terminal_cmd", "local_shell", "exec", "powershell"]);

export function toolRole(call: ToolCall | undefined): ToolRole {
  if (!call) return "other";
  const name = call.name.toLowerCase();
  if (name.endsWith("headroom_retrieve")) return "retrieval";
  const command = shellCommand(call.arguments);
  if (command !== undefined && /\bheadroom\s+retrieve\b/.test(command)) return "retrieval";
  if (READ_TOOLS.has(name.replace(/^.*__/, ""))) return "file-read";
  if (SHELL_TOOLS.has(name) && command !== undefined && SHELL_READ.test(unwrapShell(command))) {
    return "file-read";
  }
  return "other";
}

// The command string of a shell tool call, whatever the agent calls its argument.
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

// `bash -lc 'cat x'` is a read of x too.
function unwrapShell(command: string): string {
  const match = /^\s*(?:ba|z)?sh\s+-l?c\s+(['"])([\s\S]*)\1\s*$/.exec(command);
  return match ? (match[2] ?? "") : command;
}
