// Journaled file edits: before an adapter changes a user's file, the original bytes (or the fact
// that the file did not exist) and mode go to a journal in headroom's data dir, fsynced. Undo
// restores byte for byte and deletes the journal. A journal left by a wrapper killed with -9
// (its pid no longer alive) is replayed by `recoverJournals()` at the start of the next run.
// Only the cursor adapter uses this (to register the MCP server in ~/.cursor/mcp.json).
//
// Several wrappers at once share one journal per file: the first journals and edits; a later one
// whose edit finds nothing to do while that journal's owner runs joins it (a holder file next to the
// journal). Whoever leaves while others still run hands the journal on instead of restoring, so the
// file goes back to its original only when the last of them leaves.
import { randomBytes } from "node:crypto";
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";

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
export function editWithJournal(
  dataDir: string,
  path: string,
  edit: (original: Buffer | undefined) => string | undefined,
  pid: number = process.pid,
): () => Promise<void> {
  const existed = existsSync(path);
  const original = existed ? readFileSync(path) : undefined;
  const next = edit(original);
  const dir = join(dataDir, JOURNAL_DIR_NAME);
  if (next === undefined) return joinRunning(dir, path, pid);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const record: JournalRecord = { version: 1, pid, path, existed };
  if (original !== undefined) {
    record.original = original.toString("base64");
    record.mode = statSync(path).mode & 0o7777;
  }
  const journal = join(dir, `${Date.now()}-${pid}-${randomBytes(4).toString("hex")}.json`);
  writeDurable(journal, JSON.stringify(record));
  mkdirSync(dirname(path), { recursive: true });
  writeDurable(path, next, record.mode);
  return leaveOnce(journal, pid);
}

// Nothing to edit because another running wrapper's edit is in place: hold its journal so the file
// stays edited until this run ends too. Nothing to edit for another reason: a no-op undo.
function joinRunning(dir: string, path: string, pid: number): () => Promise<void> {
  const running = readJournals(dir).find(({ record }) => record.path === path && pidAlive(record.pid));
  if (!running) return async () => {};
  writeDurable(holderFile(running.file, pid), String(pid));
  return leaveOnce(running.file, pid);
}

function leaveOnce(journal: string, pid: number): () => Promise<void> {
  let done = false;
  return async () => {
    if (done) return;
    done = true;
    leave(journal, pid);
  };
}

// One participant leaves: restore when nobody else who shares the journal is still running,
// otherwise hand the journal to one of them.
function leave(journal: string, pid: number): void {
  rmSync(holderFile(journal, pid), { force: true });
  let record: JournalRecord;
  try {
    record = JSON.parse(readFileSync(journal, "utf8")) as JournalRecord;
  } catch {
    return; // restored already by the last one out, or by recovery
  }
  const others = participants(journal, record).filter((other) => other !== pid && pidAlive(other));
  if (others.length > 0) {
    if (record.pid === pid) writeDurable(journal, JSON.stringify({ ...record, pid: others[0] }));
    return;
  }
  restore(record);
  removeJournal(journal);
}

const holderFile = (journal: string, pid: number): string => `${journal}.${pid}.holder`;

function participants(journal: string, record: JournalRecord): number[] {
  const prefix = `${basename(journal)}.`;
  const holders = readdirSync(dirname(journal))
    .filter((name) => name.startsWith(prefix) && name.endsWith(".holder"))
    .map((name) => Number(name.slice(prefix.length, -".holder".length)))
    .filter((holder) => Number.isInteger(holder) && holder > 0);
  return [record.pid, ...holders];
}

function removeJournal(journal: string): void {
  const prefix = `${basename(journal)}.`;
  for (const name of readdirSync(dirname(journal))) if (name.startsWith(prefix) && name.endsWith(".holder")) rmSync(join(dirname(journal), name), { force: true });
  rmSync(journal, { force: true });
}

function readJournals(dir: string): { file: string; record: JournalRecord }[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith(".json")).sort();
  } catch {
    return [];
  }
  const out: { file: string; record: JournalRecord }[] = [];
  for (const name of names) {
    try {
      const record = JSON.parse(readFileSync(join(dir, name), "utf8")) as JournalRecord;
      if (record.version === 1 && typeof record.path === "string") out.push({ file: join(dir, name), record });
    } catch {
      // a journal being written right now, or damaged: leave it for a human
    }
  }
  return out;
}

/**
 * Restores every file journaled by a headroom process that is no longer running (killed with -9)
 * and deletes those journals. Returns the restored paths. Safe to call at every start.
 */
export function recoverJournals(dataDir: string): string[] {
  const restored: string[] = [];
  // Newest first, so a file edited twice ends with the oldest original.
  for (const { file, record } of readJournals(join(dataDir, JOURNAL_DIR_NAME)).reverse()) {
    if (participants(file, record).some(pidAlive)) continue;
    restore(record);
    removeJournal(file);
    restored.push(record.path);
  }
  return restored;
}
