// Gemini CLI chats: ($GEMINI_CLI_HOME else ~)/.gemini/tmp/<sha256 of the project path>/chats/.
// Written from gemini-cli's documented ConversationRecord format (packages/core/src/services/
// chatRecordingTypes.ts), not captured from a pinned binary:
//   - session-*.json (older): one JSON object {sessionId, projectHash, startTime, lastUpdated, messages[]}
//   - session-*.jsonl (newer): a metadata line {sessionId, projectHash, ...}, then message records
//     (a later record with the same id replaces the earlier one), {$rewindTo: id} (drops that message
//     and everything after it) and {$set: {...}} metadata updates; subagents in chats/<parent id>/*.jsonl.
// Messages: {id, timestamp, type: "user"|"gemini"|"info"|"error"|"warning", content, toolCalls?}; a tool
// call: {id, name, args, result (function response parts), status ("success"|"error"|"cancelled"...),
// timestamp, resultDisplay}.
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { readJsonl } from "./read-jsonl.js";
import { arr, defined, EventCollector, homeOf, isObj, listDir, modifiedSince, progress, statsOf, str } from "./read-common.js";
import type { ReadOptions, ReadStats, SessionLog } from "./types.js";

/** A whole-file .json chat larger than this is skipped (it would have to be held whole). */
const MAX_JSON_FILE_BYTES = 256 * 1024 * 1024;

export function geminiProjectHash(project: string): string {
  return createHash("sha256").update(project).digest("hex");
}

export function geminiChatsDir(env: NodeJS.ProcessEnv, project: string): string {
  const base = env.GEMINI_CLI_HOME ?? homeOf(env);
  return join(base, ".gemini", "tmp", geminiProjectHash(project), "chats");
}

type Json = Record<string, unknown>;

interface Chat {
  sessionId?: string;
  projectHash?: string;
  kind?: string;
  messages: Json[];
}

async function loadJson(file: string, stats: ReadStats, onBytes: (n: number) => void): Promise<Chat | undefined> {
  const size = (await stat(file)).size;
  if (size > MAX_JSON_FILE_BYTES) return undefined;
  const text = await readFile(file, "utf8");
  stats.bytes += size;
  onBytes(size);
  const v: unknown = JSON.parse(text);
  if (!isObj(v)) return undefined;
  return defined({ sessionId: str(v.sessionId), projectHash: str(v.projectHash), kind: str(v.kind), messages: arr(v.messages).filter(isObj) });
}

async function loadJsonl(file: string, stats: ReadStats, onBytes: (n: number) => void): Promise<Chat> {
  const chat: Chat = { messages: [] };
  const byId = new Map<string, Json>();
  for await (const r of readJsonl(file, { stats, onBytes })) {
    if (typeof r.$rewindTo === "string") {
      let cut = false;
      for (const id of [...byId.keys()]) {
        if (id === r.$rewindTo) cut = true;
        if (cut) byId.delete(id);
      }
      if (!cut) byId.clear();
    } else if (typeof r.id === "string") {
      byId.set(r.id, r);
    } else if (isObj(r.$set)) {
      if (typeof r.$set.sessionId === "string") chat.sessionId = r.$set.sessionId;
    } else if (typeof r.sessionId === "string") {
      chat.sessionId = r.sessionId;
      chat.projectHash = str(r.projectHash);
      chat.kind = str(r.kind);
    }
  }
  chat.messages = [...byId.values()];
  return chat;
}

/** Text of a PartListUnion: a string, a part, or parts with `text`. */
function partsText(content: unknown): string {
  if (typeof content === "string") return content;
  const parts = Array.isArray(content) ? content : [content];
  return parts.map((p) => (typeof p === "string" ? p : isObj(p) ? (str(p.text) ?? "") : "")).join("");
}

/** Output of a tool call: the function response's output/error, else the display text. */
function resultText(call: Json): string {
  const parts = Array.isArray(call.result) ? call.result : call.result === undefined || call.result === null ? [] : [call.result];
  const out: string[] = [];
  for (const p of parts) {
    const fr = isObj(p) && isObj(p.functionResponse) ? p.functionResponse : undefined;
    const response = fr && isObj(fr.response) ? fr.response : undefined;
    if (response) {
      const text = str(response.output) ?? str(response.error) ?? str(response.llmContent);
      if (text !== undefined) out.push(text);
    } else if (isObj(p) && typeof p.text === "string") out.push(p.text);
  }
  if (out.length > 0) return out.join("\n");
  return str(call.resultDisplay) ?? "";
}

// run_shell_command's result ends with "Exit Code: N" when the command failed.
const EXIT_RE = /^Exit Code: (-?\d+)/m;

function pathArg(args: Json): string | undefined {
  return str(args.file_path) ?? str(args.absolute_path) ?? str(args.path) ?? str(args.dir_path);
}

function toLog(chat: Chat, file: string, parent: string | undefined, since: number | undefined): SessionLog | undefined {
  const session = chat.sessionId ?? basename(file).replace(/\.jsonl?$/, "");
  const events = new EventCollector("gemini", session, since);
  for (const m of chat.messages) {
    const time = str(m.timestamp);
    if (m.type === "user") {
      events.user(partsText(m.content), time, undefined);
    } else if (m.type === "gemini") {
      for (const c of arr(m.toolCalls)) {
        if (!isObj(c)) continue;
        const args = isObj(c.args) ? c.args : {};
        const output = resultText(c);
        const code = EXIT_RE.exec(output);
        const exitCode = code ? Number(code[1]) : undefined;
        events.tool(
          defined({
            tool: str(c.name) ?? "?",
            command: str(args.command),
            path: pathArg(args),
            output,
            isError: c.status === "error" || (exitCode !== undefined && exitCode !== 0),
            exitCode,
            time: str(c.timestamp) ?? time,
          }),
        );
      }
    }
  }
  return events.log(file, parent === undefined ? {} : { parent });
}

async function chatFiles(dir: string): Promise<{ file: string; parent?: string }[]> {
  const out: { file: string; parent?: string }[] = [];
  const isChat = (n: string): boolean => n.endsWith(".json") || n.endsWith(".jsonl");
  const entries = (await listDir(dir)).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    if (e.isFile && e.name.startsWith("session-") && isChat(e.name)) out.push({ file: join(dir, e.name) });
    else if (e.isDir) {
      for (const s of (await listDir(join(dir, e.name))).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        if (s.isFile && isChat(s.name)) out.push({ file: join(dir, e.name, s.name), parent: e.name });
      }
    }
  }
  // A resumed .json chat is migrated to .jsonl beside it: read only the newer file.
  const names = new Set(out.map((f) => f.file));
  return out.filter((f) => !(f.file.endsWith(".json") && names.has(`${f.file}l`)));
}

/**
 * Gemini CLI chats of `options.project`, one at a time. Unreadable files are skipped and counted.
 * @example for await (const s of readGemini({ project: "/home/dev/shop", env: process.env })) console.log(s.session);
 */
export async function* readGemini(options: ReadOptions): AsyncGenerator<SessionLog> {
  const stats = statsOf(options);
  const onBytes = progress(options);
  const project = resolve(options.project);
  const hash = geminiProjectHash(project);
  for (const { file, parent } of await chatFiles(geminiChatsDir(options.env, project))) {
    if (!(await modifiedSince(file, options.since))) continue;
    stats.files++;
    let log: SessionLog | undefined;
    try {
      const chat = file.endsWith(".jsonl") ? await loadJsonl(file, stats, onBytes) : await loadJson(file, stats, onBytes);
      if (!chat || (chat.projectHash !== undefined && chat.projectHash !== hash)) {
        stats.filesSkipped++;
        continue;
      }
      log = toLog(chat, file, parent, options.since);
    } catch {
      stats.filesSkipped++;
      continue;
    }
    if (log) yield log;
  }
}
