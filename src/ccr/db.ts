import BetterSqlite3, { type Database } from "better-sqlite3";
import { chmodSync, closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { ensureDir, resolveHome } from "../config/home.js";
import { ErrorCodes, HeadroomError } from "../errors.js";
import { MIGRATIONS, migrate, refuseNewer, type Migration } from "./migrations.js";

export type { Database } from "better-sqlite3";

/** How long a writer waits for another process's write lock before giving up (ms). */
export const BUSY_TIMEOUT_MS = 10_000;

const SQLITE_HEADER = Buffer.from("SQLite format 3\0", "latin1");
const NOT_A_DATABASE = new Set(["SQLITE_NOTADB", "SQLITE_CORRUPT"]);

/** Options of {@link openDatabase}; defaults suit the real store. */
export interface OpenDatabaseOptions {
  /** Database file; defaults to `resolveHome().dbPath`. */
  readonly path?: string;
  /** Schema steps to apply (tests pass a prefix or an extended list). */
  readonly migrations?: readonly Migration[];
}

function corrupt(path: string, detail: string, cause?: unknown): HeadroomError {
  return new HeadroomError(
    ErrorCodes.StoreCorrupt,
    `headroom store at ${path} is not a readable SQLite database (${detail}). ` +
      `It was left untouched: move it aside or delete it to start a fresh store.`,
    { cause },
  );
}

// Refuse a non-SQLite file before SQLite sees it, so nothing (not even a -wal file) is written next to it.
function checkHeader(path: string): void {
  const size = statSync(path).size;
  if (size === 0) return; // a file we pre-created, or an empty one: SQLite initialises it
  const head = Buffer.alloc(SQLITE_HEADER.length);
  const fd = openSync(path, "r");
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (!head.equals(SQLITE_HEADER)) throw corrupt(path, "the file does not start with the SQLite header");
}

// SQLite gives new files 0644; create it ourselves with 0600 (the -wal/-shm files copy this mode).
function createPrivateFile(path: string): void {
  try {
    closeSync(openSync(path, "wx", 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
}

// Tightens the database and its sidecar files to 0600 when they are ours and looser.
function tightenModes(path: string): void {
  for (const file of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) {
    if (!existsSync(file)) continue;
    const st = statSync(file);
    const ours = typeof process.getuid !== "function" || st.uid === process.getuid();
    if (ours && (st.mode & 0o077) !== 0) chmodSync(file, 0o600);
  }
}

// Switching a new file to WAL needs an exclusive lock, and SQLite reports SQLITE_BUSY for it at once
// instead of calling the busy handler when another process is doing the same: wait and retry here.
function retryWhileBusy(step: () => void): void {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let attempt = 1; ; attempt++) {
    try {
      step();
      return;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if ((code !== "SQLITE_BUSY" && code !== "SQLITE_LOCKED") || Date.now() >= deadline) throw error;
      Atomics.wait(pause, 0, 0, Math.min(5 * attempt, 100));
    }
  }
}

/**
 * Opens (creating if needed) headroom's one SQLite database and brings its schema up to date.
 * The directory is 0700 and the files 0600; WAL mode and a busy timeout let several processes
 * (proxies, MCP servers, CLI) read and write at once; foreign keys are on.
 *
 * Throws HeadroomError `HR_STORE_CORRUPT` when the file is not a SQLite database (the file is left
 * as it is), `HR_STORE_TOO_NEW` when a newer headroom wrote it, `HR_STORE_UNAVAILABLE` when it
 * cannot be created or opened.
 */
export function openDatabase(options: OpenDatabaseOptions = {}): Database {
  const path = options.path ?? resolveHome().dbPath;
  const migrations = options.migrations ?? MIGRATIONS;
  let db: Database | undefined;
  try {
    ensureDir(dirname(path));
    if (existsSync(path)) checkHeader(path);
    else createPrivateFile(path);
    tightenModes(path);
    db = new BetterSqlite3(path, { timeout: BUSY_TIMEOUT_MS });
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    const opened = db;
    retryWhileBusy(() => {
      // Before anything writes (switching to WAL rewrites the header): refuse a newer schema untouched.
      refuseNewer(opened, migrations, path);
      if (opened.pragma("journal_mode", { simple: true }) !== "wal") opened.pragma("journal_mode = WAL");
    });
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    migrate(db, migrations, path);
    tightenModes(path);
    return db;
  } catch (error) {
    db?.close();
    if (error instanceof HeadroomError) throw error;
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string" && NOT_A_DATABASE.has(code)) {
      throw corrupt(path, (error as Error).message, error);
    }
    throw new HeadroomError(
      ErrorCodes.StoreUnavailable,
      `headroom store at ${path} could not be opened: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
