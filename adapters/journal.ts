// Journaled file edits: before an adapter changes a user's file, the original bytes (or the fact
// that the file did not exist) and mode go to a journal in headroom's data dir, fsynced. Undo
// restores byte for byte and deletes the journal. A journal left by a wrapper killed with -9
// (its pid no longer alive) is replayed by `recoverJournals()` at the start of the next run.
// Only the cursor adapter uses this (to register the MCP server in ~/.cursor/mcp.json).
import { randomBytes } from "node:crypto";
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export const JOURNAL_DIR_NAME = "journals";

interface JournalRecord {
  version: 1;
  pid: number;
  path: string;
  existed: boolean;
  /** Original bytes, base64 (only when existed). */
  original?: string;
  mode?: number;
}

function writeDurable(path: string, data: Buffer | string, mode?: number): void {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  const fd = openSync(tmp, "w", mode ?? 0o600);
  try {
    writeFileSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (mode !== undefined) chmodSync(tmp, mode);
  renameSync(tmp, path);
}

function restore(record: JournalRecord): void {
  if (!record.existed) {
    rmSync(record.path, { force: true });
    return;
  }
  writeDurable(record.path, Buffer.from(record.original ?? "", "base64"), record.mode);
}

function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Replaces `path`'s content with `edit(original)` (original is undefined when the file does not
 * exist) after journaling it. Returns an idempotent undo that restores the original bytes.
 * When `edit` returns undefined nothing is written and the undo is a no-op.
 */
export function editWithJournal(dataDir: string, path: string, edit: (original: Buffer | undefined) => string | undefined): () => Promise<void> {
  const existed = existsSync(path);
  const original = existed ? readFileSync(path) : undefined;
  const next = edit(original);
  if (next === undefined) return async () => {};
  const dir = join(dataDir, JOURNAL_DIR_NAME);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const record: JournalRecord = { version: 1, pid: process.pid, path, existed };
  if (original !== undefined) {
    record.original = original.toString("base64");
    record.mode = statSync(path).mode & 0o7777;
  }
  const journal = join(dir, `${Date.now()}-${process.pid}-${randomBytes(4).toString("hex")}.json`);
  writeDurable(journal, JSON.stringify(record));
  mkdirSync(dirname(path), { recursive: true });
  writeDurable(path, next, record.mode);
  let done = false;
  return async () => {
    if (done) return;
    done = true;
    restore(record);
    rmSync(journal, { force: true });
  };
}

/**
 * Restores every file journaled by a headroom process that is no longer running (killed with -9)
 * and deletes those journals. Returns the restored paths. Safe to call at every start.
 */
export function recoverJournals(dataDir: string): string[] {
  const dir = join(dataDir, JOURNAL_DIR_NAME);
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith(".json")).sort();
  } catch {
    return [];
  }
  const restored: string[] = [];
  // Newest first, so a file edited twice ends with the oldest original.
  for (const name of names.reverse()) {
    const file = join(dir, name);
    let record: JournalRecord;
    try {
      record = JSON.parse(readFileSync(file, "utf8")) as JournalRecord;
    } catch {
      continue; // a journal being written right now, or damaged: leave it for a human
    }
    if (record.version !== 1 || typeof record.path !== "string" || pidAlive(record.pid)) continue;
    restore(record);
    rmSync(file, { force: true });
    restored.push(record.path);
  }
  return restored;
}
