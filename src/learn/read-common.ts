// What the three session-log readers share: bounded result text, user text without the wrappers
// agents inject, directory listing that never throws, and an event collector that numbers events
// and applies --since.
import { readdir, stat } from "node:fs/promises";
import type { LearnAgent, ReadOptions, ReadStats, SessionLog, ToolEvent, TranscriptEvent } from "./types.js";
import { createReadStats } from "./read-jsonl.js";

/** Result text kept per tool event (head and tail). */
export const MAX_OUTPUT_CHARS = 4000;

/** Cut text to `max` characters, keeping its head and tail around a marker. */
export function clipOutput(text: string, max = MAX_OUTPUT_CHARS): string {
  if (text.length <= max) return text;
  const marker = `\n[... ${text.length - max} characters cut ...]\n`;
  const keep = Math.max(0, max - marker.length);
  const head = Math.ceil(keep / 2);
  return text.slice(0, head) + marker + text.slice(text.length - (keep - head));
}

// Blocks agents add to what the user typed (Claude Code, Codex, Gemini CLI).
const WRAPPER_TAGS = [
  "system-reminder",
  "environment_context",
  "current_datetime",
  "user_instructions",
  "local-command-caveat",
  "local-command-stdout",
  "local-command-stderr",
  "command-name",
  "command-message",
  "command-args",
  "turn_aborted",
  "user_shell_command",
];
const WRAPPER_RE = new RegExp(`<(${WRAPPER_TAGS.join("|")})(?:\\s[^>]*)?>[\\s\\S]*?</\\1>`, "g");

/** The text a human typed: injected wrapper blocks removed, trimmed ("" when nothing is left). */
export function userText(text: string): string {
  if (!text.includes("<")) return text.trim();
  return text.replace(WRAPPER_RE, "").trim();
}

/** Entries of a directory, [] when it cannot be read. */
export async function listDir(dir: string): Promise<{ name: string; isDir: boolean; isFile: boolean }[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.map((e) => ({ name: e.name, isDir: e.isDirectory(), isFile: e.isFile() }));
  } catch {
    return [];
  }
}

/** Whether a file was modified at or after `since` (always true without `since`; false when it cannot be read). */
export async function modifiedSince(file: string, since: number | undefined): Promise<boolean> {
  if (since === undefined) return true;
  try {
    return (await stat(file)).mtimeMs >= since;
  } catch {
    return false;
  }
}

export function homeOf(env: NodeJS.ProcessEnv): string {
  return env.HOME ?? env.USERPROFILE ?? "";
}

/** The stats a reader fills: the caller's, or a private one. */
export function statsOf(options: ReadOptions): ReadStats {
  return options.stats ?? createReadStats();
}

/** Progress callback turning chunk sizes into a running total. */
export function progress(options: ReadOptions): (n: number) => void {
  const report = options.onProgress;
  if (!report) return () => {};
  let total = 0;
  return (n) => {
    total += n;
    report(total);
  };
}

type Draft<E> = E extends TranscriptEvent ? Omit<E, "agent" | "session" | "index"> : never;

/** Collects one session's events in transcript order, numbering them and dropping those before `since`. */
export class EventCollector {
  readonly events: TranscriptEvent[] = [];
  constructor(
    readonly agent: LearnAgent,
    public session: string,
    private readonly since: number | undefined,
  ) {}

  add(draft: Draft<TranscriptEvent>): void {
    if (this.since !== undefined && draft.time !== undefined) {
      const t = Date.parse(draft.time);
      if (!Number.isNaN(t) && t < this.since) return;
    }
    this.events.push({ ...draft, agent: this.agent, session: this.session, index: this.events.length } as TranscriptEvent);
  }

  tool(draft: Omit<ToolEvent, "agent" | "session" | "index" | "kind">): void {
    this.add({ kind: "tool", ...draft, output: clipOutput(draft.output) });
  }

  user(text: string, time: string | undefined, cwd: string | undefined): void {
    const clean = userText(text);
    if (clean.length === 0) return;
    this.add(defined({ kind: "user" as const, text: clean, time, cwd }));
  }

  /** The session log, or undefined when no event is left. */
  log(file: string, extra: Partial<Pick<SessionLog, "parent">> = {}): SessionLog | undefined {
    if (this.events.length === 0) return undefined;
    // Session ids can be learnt after the first events (Codex's session_meta comes first; Claude's lines all carry it).
    const events = this.events.map((e) => (e.session === this.session ? e : { ...e, session: this.session }));
    return { agent: this.agent, session: this.session, file, events, ...extra };
  }
}

/** Only defined values, so optional fields stay absent (not `undefined`). */
export function defined<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

export const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
export const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Text of a content value: a string, or an array of {type:"text"|"input_text"|"output_text", text}. */
export function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  const parts: string[] = [];
  for (const b of arr(content)) {
    if (isObj(b) && typeof b.text === "string") parts.push(b.text);
  }
  return parts.join("\n");
}
