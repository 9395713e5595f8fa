// Claude Code transcripts: $CLAUDE_CONFIG_DIR (else ~/.claude)/projects/<escaped project>/<session>.jsonl,
// subagent transcripts in <session>/subagents/agent-*.jsonl (older versions: agent-*.jsonl beside
// the sessions). Each line is one record; tool_use blocks (assistant) pair with tool_result blocks
// (user) by id.
import { basename, join, resolve } from "node:path";
import { readJsonl } from "./read-jsonl.js";
import { arr, defined, EventCollector, homeOf, isObj, listDir, modifiedSince, progress, statsOf, str, textOf } from "./read-common.js";
import type { ReadOptions, ReadStats, SessionLog } from "./types.js";

// Claude Code caps a project directory name at 200 characters and appends a hash of the path.
const MAX_DIR_NAME = 200;

/**
 * The directory name Claude Code gives a project: every character but [A-Za-z0-9] becomes "-"
 * (checked with the real binary: "/home/dev/my.shop_v2 x" -> "-home-dev-my-shop-v2-x"). Names
 * over 200 characters are cut and get "-" + a hash of the path.
 * @example escapeProjectDir("/home/dev/shop") // "-home-dev-shop"
 */
export function escapeProjectDir(project: string): string {
  const escaped = project.replace(/[^a-zA-Z0-9]/g, "-");
  if (escaped.length <= MAX_DIR_NAME) return escaped;
  return `${escaped.slice(0, MAX_DIR_NAME)}-${pathHash(project)}`;
}

// The 32-bit string hash Claude Code uses for long project names (verified against 2.1.331).
function pathHash(s: string): string {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = ((h << 5) - h + s.charCodeAt(i)) | 0;
  return Math.abs(h).toString(36);
}

export function claudeProjectsDir(env: NodeJS.ProcessEnv): string {
  return join(env.CLAUDE_CONFIG_DIR ?? join(homeOf(env), ".claude"), "projects");
}

/** Directories that may hold the project's transcripts (a long name's hash suffix may differ by build). */
async function projectDirs(projectsDir: string, project: string): Promise<string[]> {
  const name = escapeProjectDir(project);
  if (name.length <= MAX_DIR_NAME) return [join(projectsDir, name)];
  const prefix = `${name.slice(0, MAX_DIR_NAME)}-`;
  const entries = await listDir(projectsDir);
  return entries.filter((e) => e.isDir && e.name.startsWith(prefix)).map((e) => join(projectsDir, e.name));
}

interface Transcript {
  file: string;
  /** For subagent files: the parent session id (from the directory name), if known. */
  parent?: string;
  sidechain: boolean;
}

async function transcripts(dir: string): Promise<Transcript[]> {
  const out: Transcript[] = [];
  const entries = (await listDir(dir)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.isFile && e.name.endsWith(".jsonl")) {
      out.push({ file: join(dir, e.name), sidechain: e.name.startsWith("agent-") });
    } else if (e.isDir) {
      const sub = join(dir, e.name, "subagents");
      for (const s of (await listDir(sub)).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        if (s.isFile && s.name.endsWith(".jsonl")) out.push({ file: join(sub, s.name), parent: e.name, sidechain: true });
      }
    }
  }
  return out;
}

interface PendingCall {
  tool: string;
  input: Record<string, unknown>;
}

const EXIT_CODE = /^Exit code (-?\d+)/;

// Most bytes of a transcript are records the reader does not use (attachments, prompt snapshots,
// request shapes): they are not parsed.
const conversational = (line: string): boolean => line.includes('"type":"user"') || line.includes('"type":"assistant"');

function pathArg(input: Record<string, unknown>): string | undefined {
  return str(input.file_path) ?? str(input.notebook_path) ?? str(input.path);
}

/** One transcript file as a session log (undefined when it holds no event in range). */
export async function readClaudeFile(t: Transcript, options: ReadOptions, stats: ReadStats, onBytes: (n: number) => void): Promise<SessionLog | undefined> {
  const fileId = basename(t.file, ".jsonl");
  const events = new EventCollector("claude", fileId, options.since);
  const pending = new Map<string, PendingCall>();
  let parent = t.parent;
  let sessionFromLines = false;
  for await (const r of readJsonl(t.file, { stats, onBytes, want: conversational })) {
    const type = r.type;
    if (type !== "user" && type !== "assistant") continue;
    const sessionId = str(r.sessionId);
    if (!sessionFromLines && sessionId !== undefined) {
      sessionFromLines = true;
      // A subagent's lines carry its parent's session id: name it after its own file.
      if (t.sidechain || r.isSidechain === true) {
        parent ??= sessionId;
        events.session = `${sessionId}/${fileId}`;
      } else events.session = sessionId;
    }
    const message = r.message;
    if (!isObj(message)) continue;
    const time = str(r.timestamp);
    const cwd = str(r.cwd);
    if (type === "assistant") {
      for (const b of arr(message.content)) {
        if (isObj(b) && b.type === "tool_use" && typeof b.id === "string") {
          pending.set(b.id, { tool: str(b.name) ?? "?", input: isObj(b.input) ? b.input : {} });
        }
      }
      continue;
    }
    // User lines: typed text, or tool results. Meta lines (caveats, command output) are not typed text.
    const typed = r.isMeta !== true && r.isCompactSummary !== true && r.isVisibleInTranscriptOnly !== true;
    if (typeof message.content === "string") {
      if (typed && !message.content.startsWith("[Request interrupted")) events.user(message.content, time, cwd);
      continue;
    }
    for (const b of arr(message.content)) {
      if (!isObj(b)) continue;
      if (b.type === "text" && typed && typeof b.text === "string" && !b.text.startsWith("[Request interrupted")) {
        events.user(b.text, time, cwd);
      } else if (b.type === "tool_result" && typeof b.tool_use_id === "string") {
        const call = pending.get(b.tool_use_id);
        if (!call) continue;
        pending.delete(b.tool_use_id);
        const output = textOf(b.content);
        const code = EXIT_CODE.exec(output);
        events.tool(
          defined({
            tool: call.tool,
            command: str(call.input.command),
            path: pathArg(call.input),
            output,
            isError: b.is_error === true,
            exitCode: code ? Number(code[1]) : undefined,
            time,
            cwd,
          }),
        );
      }
    }
  }
  return events.log(t.file, parent === undefined ? {} : { parent });
}

/**
 * Claude Code sessions of `options.project`, one at a time. Unreadable files are skipped and
 * counted in `options.stats.filesSkipped`.
 * @example for await (const s of readClaude({ project: "/home/dev/shop", env: process.env })) console.log(s.session);
 */
export async function* readClaude(options: ReadOptions): AsyncGenerator<SessionLog> {
  const stats = statsOf(options);
  const onBytes = progress(options);
  for (const dir of await projectDirs(claudeProjectsDir(options.env), resolve(options.project))) {
    for (const t of await transcripts(dir)) {
      if (!(await modifiedSince(t.file, options.since))) continue;
      stats.files++;
      let log: SessionLog | undefined;
      try {
        log = await readClaudeFile(t, options, stats, onBytes);
      } catch {
        stats.filesSkipped++;
        continue;
      }
      if (log) yield log;
    }
  }
}
