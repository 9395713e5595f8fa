// What the reader tests share: collecting a reader's sessions, finding one by its first prompt, and
// temp dirs removed after each test.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import type { ReadOptions, SessionLog, SessionReader, ToolEvent, UserEvent } from "../../src/learn/types.js";

export const PROJECT = "/home/dev/shop";
export const LEARN_FIXTURES = join(import.meta.dirname, "..", "fixtures", "learn");

export async function collect(reader: SessionReader, options: ReadOptions): Promise<SessionLog[]> {
  const out: SessionLog[] = [];
  for await (const s of reader(options)) out.push(s);
  return out;
}

export const firstPrompt = (s: SessionLog): string => (s.events.find((e) => e.kind === "user") as UserEvent | undefined)?.text ?? "";
export const tools = (s: SessionLog): ToolEvent[] => s.events.filter((e): e is ToolEvent => e.kind === "tool");

export function byPrompt(logs: SessionLog[], prompt: string): SessionLog {
  const s = logs.find((l) => firstPrompt(l) === prompt);
  if (!s) throw new Error(`no session starting with ${prompt}`);
  return s;
}

/** A temp-dir factory for one test file; every dir it made is removed after each test. */
export function tempDirs(prefix: string): () => string {
  const made: string[] = [];
  afterEach(() => {
    for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  return () => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    made.push(d);
    return d;
  };
}
