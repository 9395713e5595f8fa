// Codex rollouts: $CODEX_HOME (else ~/.codex)/sessions/YYYY/MM/DD/rollout-*.jsonl. The first line is
// session_meta (with the cwd the session ran in); then response_item lines carry the model's input
// items: user messages, function_call / function_call_output pairs (by call_id), custom tool calls.
import { join, resolve } from "node:path";
import { readJsonl } from "./read-jsonl.js";
import { arr, defined, EventCollector, homeOf, isObj, listDir, modifiedSince, progress, statsOf, str, textOf } from "./read-common.js";
import type { ReadOptions, ReadStats, SessionLog } from "./types.js";

export function codexSessionsDir(env: NodeJS.ProcessEnv): string {
  return join(env.CODEX_HOME ?? join(homeOf(env), ".codex"), "sessions");
}

const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** rollout-*.jsonl files under sessions/YYYY/MM/DD, oldest first. */
async function rollouts(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const y of (await listDir(root)).filter((e) => e.isDir).sort(byName)) {
    for (const m of (await listDir(join(root, y.name))).filter((e) => e.isDir).sort(byName)) {
      for (const d of (await listDir(join(root, y.name, m.name))).filter((e) => e.isDir).sort(byName)) {
        const dir = join(root, y.name, m.name, d.name);
        for (const f of (await listDir(dir)).sort(byName)) {
          if (f.isFile && f.name.startsWith("rollout-") && f.name.endsWith(".jsonl")) out.push(join(dir, f.name));
        }
      }
    }
  }
  return out;
}

interface PendingCall {
  tool: string;
  command?: string;
  path?: string;
}

function parseArgs(raw: unknown): Record<string, unknown> {
  if (isObj(raw)) return raw;
  if (typeof raw !== "string") return {};
  try {
    const v: unknown = JSON.parse(raw);
    return isObj(v) ? v : {};
  } catch {
    return {};
  }
}

/** The shell command of a call: exec_command {cmd}, shell {command: ["bash","-lc",X]}, local_shell_call. */
function commandOf(args: Record<string, unknown>): string | undefined {
  const cmd = str(args.cmd) ?? str(args.command);
  if (cmd !== undefined) return cmd;
  const argv = arr(args.command).filter((a): a is string => typeof a === "string");
  if (argv.length === 0) return undefined;
  if (argv.length === 3 && /(^|\/)(ba|z)?sh$/.test(argv[0] ?? "") && (argv[1] === "-lc" || argv[1] === "-c")) return argv[2];
  return argv.join(" ");
}

// Headers Codex puts before a command's output (0.169: "Process exited with code N"; older: "Exit code: N").
const EXIT_RE = /^(?:Process exited with code|Exit code:) (-?\d+)$/m;
const OUTPUT_MARK = "\nOutput:\n";

interface Result {
  output: string;
  exitCode?: number;
  failed: boolean;
}

function resultOf(raw: unknown): Result {
  let text: string;
  let failed = false;
  if (typeof raw === "string") text = raw;
  else if (isObj(raw)) {
    // {content, success} (function_call_output payloads written as objects)
    text = textOf(raw.content);
    failed = raw.success === false;
  } else text = textOf(raw);
  // Older rollouts: a JSON string {"output": "...", "metadata": {"exit_code": N}}.
  if (text.startsWith('{"output"')) {
    const j = parseArgs(text);
    if (typeof j.output === "string") {
      const meta = isObj(j.metadata) ? j.metadata : {};
      const code = typeof meta.exit_code === "number" ? meta.exit_code : undefined;
      return defined({ output: j.output, exitCode: code, failed: failed || (code !== undefined && code !== 0) });
    }
  }
  const m = EXIT_RE.exec(text.slice(0, 400));
  if (!m) return { output: text, failed };
  const exitCode = Number(m[1]);
  const at = text.indexOf(OUTPUT_MARK);
  const output = at === -1 ? text : text.slice(at + OUTPUT_MARK.length);
  return { output, exitCode, failed: failed || exitCode !== 0 };
}

// Lines the reader uses (event_msg, token counts and world state are not parsed). The oldest
// rollouts had no session_meta, so they never get this far.
const itemLine = (line: string): boolean => line.includes('"response_item"') || line.includes('"turn_context"');

// Codex injects these as user messages; they are not typed by the human.
const INJECTED_USER = /^(# AGENTS\.md instructions|<environment_context>|<user_instructions>|<INSTRUCTIONS>)/;

/** One rollout as a session log; undefined when it belongs to another project or holds nothing in range. */
async function readRollout(file: string, project: string, options: ReadOptions, stats: ReadStats, onBytes: (n: number) => void): Promise<SessionLog | undefined> {
  const name = file.slice(file.lastIndexOf("/") + 1, -".jsonl".length);
  const events = new EventCollector("codex", name, options.since);
  const pending = new Map<string, PendingCall>();
  let first = true;
  let cwd: string | undefined;
  for await (const r of readJsonl(file, { stats, onBytes, want: (line) => first || itemLine(line) })) {
    if (first) {
      first = false;
      // Only sessions that ran in the project; anything else is left after its first line.
      const meta = r.type === "session_meta" && isObj(r.payload) ? r.payload : undefined;
      cwd = meta ? str(meta.cwd) : undefined;
      if (cwd === undefined || resolve(cwd) !== project) return undefined;
      const id = str(meta?.id) ?? str(meta?.session_id);
      if (id !== undefined) events.session = id;
      continue;
    }
    // Current rollouts wrap items in response_item; the oldest wrote bare items.
    const item = r.type === "response_item" ? r.payload : r;
    if (!isObj(item)) continue;
    const time = str(r.timestamp);
    if (r.type === "turn_context" && isObj(r.payload) && typeof r.payload.cwd === "string") {
      cwd = r.payload.cwd;
      continue;
    }
    switch (item.type) {
      case "message": {
        if (item.role !== "user") break;
        for (const c of arr(item.content)) {
          const text = isObj(c) ? str(c.text) : undefined;
          if (text !== undefined && !INJECTED_USER.test(text)) events.user(text, time, cwd);
        }
        break;
      }
      case "function_call":
      case "custom_tool_call":
      case "local_shell_call": {
        const id = str(item.call_id) ?? str(item.id);
        if (id === undefined) break;
        const args = item.type === "local_shell_call" ? (isObj(item.action) ? item.action : {}) : parseArgs(item.arguments);
        const tool = str(item.name) ?? (item.type === "local_shell_call" ? "local_shell" : "?");
        pending.set(id, defined({ tool, command: commandOf(args), path: str(args.path) ?? str(args.file_path) }));
        break;
      }
      case "function_call_output":
      case "custom_tool_call_output": {
        const id = str(item.call_id);
        const call = id === undefined ? undefined : pending.get(id);
        if (!call || id === undefined) break;
        pending.delete(id);
        const res = resultOf(item.output);
        events.tool(defined({ ...call, output: res.output, isError: res.failed, exitCode: res.exitCode, time, cwd }));
        break;
      }
    }
  }
  return events.log(file);
}

/**
 * Codex sessions whose session_meta cwd is `options.project`, one at a time. Unreadable files are
 * skipped and counted in `options.stats.filesSkipped`.
 * @example for await (const s of readCodex({ project: "/home/dev/shop", env: process.env })) console.log(s.session);
 */
export async function* readCodex(options: ReadOptions): AsyncGenerator<SessionLog> {
  const stats = statsOf(options);
  const onBytes = progress(options);
  const project = resolve(options.project);
  for (const file of await rollouts(codexSessionsDir(options.env))) {
    if (!(await modifiedSince(file, options.since))) continue;
    stats.files++;
    let log: SessionLog | undefined;
    try {
      log = await readRollout(file, project, options, stats, onBytes);
    } catch {
      stats.filesSkipped++;
      continue;
    }
    if (log) yield log;
  }
}
