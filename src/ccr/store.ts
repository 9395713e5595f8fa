import { startCheckpointer, type Checkpointer } from "./checkpointer.js";
import type { Database, Statement } from "better-sqlite3";
import { ErrorCodes, HeadroomError } from "../errors.js";
import { openDatabase } from "./db.js";
import { contentHash } from "./hash.js";

/** Default retention of originals: 7 days since last use (DESIGN.md invariant 6). */
export const DEFAULT_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
/** Default cap on the total size of stored originals: 512 MiB. */
export const DEFAULT_MAX_BYTES = 512 * 1024 * 1024;
/** Default minimum time between two automatic expiries triggered by `put`. */
export const DEFAULT_EXPIRE_INTERVAL_MS = 5 * 60 * 1000;

/** Options of {@link Store.open}. */
export interface StoreOptions {
  /** Database file; defaults to the one in the headroom home (`resolveHome().dbPath`). */
  readonly path?: string;
  /** Originals not read or written for this long are dropped (ms). Default 7 days. */
  readonly retentionMs?: number;
  /** Least recently used originals are evicted beyond this many bytes in total. Default 512 MiB. */
  readonly maxBytes?: number;
  /** Clock in ms since the epoch (tests inject one). Default `Date.now`. */
  readonly now?: () => number;
  /** Minimum time between automatic expiries run by `put` (ms). Default 5 minutes. */
  readonly expireIntervalMs?: number;
  /**
   * Checkpoint the write-ahead log in a worker thread instead of inside the commits that grow it
   * (see checkpointer.ts): for long-running proxies, where a write sits in a request's path.
   */
  readonly backgroundCheckpoint?: boolean;
  /** How often the background checkpointer runs (ms). Default 500. */
  readonly checkpointIntervalMs?: number;
}

/** Counts shown by `headroom stats` and the MCP server. */
export interface StoreStats {
  readonly originals: number;
  /** Total UTF-8 bytes of stored originals. */
  readonly bytes: number;
  readonly memos: number;
  /** created_at of the oldest stored original (ms), absent when there is none. */
  readonly oldestAt?: number;
}

interface Statements {
  readonly insert: Statement<[string, Buffer, number, string | null, number, number]>;
  readonly select: Statement<[string, number], { content: Buffer }>;
  readonly touch: Statement<[number, string, number]>;
  readonly exists: Statement<[string, number], { one: number }>;
  readonly memoSelect: Statement<[string, string], { compressed: string | null }>;
  readonly memoInsert: Statement<[string, string, string | null, number]>;
  readonly expiredHashes: Statement<[number], { hash: string }>;
  readonly overCapHashes: Statement<[number], { hash: string }>;
  readonly deleteOriginal: Statement<[string]>;
  readonly deleteMemosOf: Statement<[string]>;
  readonly deleteStaleMemos: Statement<[number]>;
  readonly deleteAllMemos: Statement<[]>;
  readonly deleteAllOriginals: Statement<[]>;
  readonly createdBefore: Statement<[number], { hash: string }>;
  readonly totalBytes: Statement<[], { bytes: number }>;
  readonly stats: Statement<[], { originals: number; bytes: number; oldest: number | null; memos: number }>;
}

// Prepared once per connection; every call below reuses them.
function prepare(db: Database): Statements {
  return {
    insert: db.prepare(
      `INSERT INTO originals (hash, content, bytes, kind, created_at, accessed_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(hash) DO UPDATE SET accessed_at = MAX(accessed_at, excluded.accessed_at),
                                       kind = COALESCE(kind, excluded.kind)`,
    ),
    // Rows past the retention count as gone even before the next expire() deletes them.
    select: db.prepare(`SELECT content FROM originals WHERE hash = ? AND accessed_at >= ?`),
    touch: db.prepare(`UPDATE originals SET accessed_at = ? WHERE hash = ? AND accessed_at < ?`),
    exists: db.prepare(`SELECT 1 AS one FROM originals WHERE hash = ? AND accessed_at >= ?`),
    memoSelect: db.prepare(`SELECT compressed FROM memo WHERE hash = ? AND profile = ?`),
    memoInsert: db.prepare(
      `INSERT INTO memo (hash, profile, compressed, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(hash, profile) DO NOTHING`,
    ),
    expiredHashes: db.prepare(`SELECT hash FROM originals WHERE accessed_at < ?`),
    // Keeps the most recently used originals whose running total fits the cap; the rest are evicted.
    overCapHashes: db.prepare(
      `SELECT hash FROM (
         SELECT hash, SUM(bytes) OVER (ORDER BY accessed_at DESC, hash DESC) AS running FROM originals
       ) WHERE running > ?`,
    ),
    deleteOriginal: db.prepare(`DELETE FROM originals WHERE hash = ?`),
    deleteMemosOf: db.prepare(`DELETE FROM memo WHERE hash = ?`),
    deleteStaleMemos: db.prepare(
      `DELETE FROM memo WHERE created_at < ?
         AND NOT EXISTS (SELECT 1 FROM originals o WHERE o.hash = memo.hash)`,
    ),
    deleteAllMemos: db.prepare(`DELETE FROM memo`),
    deleteAllOriginals: db.prepare(`DELETE FROM originals`),
    createdBefore: db.prepare(`SELECT hash FROM originals WHERE created_at < ?`),
    totalBytes: db.prepare(`SELECT COALESCE(SUM(bytes), 0) AS bytes FROM originals`),
    stats: db.prepare(
      `SELECT (SELECT COUNT(*) FROM originals) AS originals,
              (SELECT COALESCE(SUM(bytes), 0) FROM originals) AS bytes,
              (SELECT MIN(created_at) FROM originals) AS oldest,
              (SELECT COUNT(*) FROM memo) AS memos`,
    ),
  };
}

/**
 * The reversible store (CCR): originals of compressed tool outputs keyed by their content hash, and
 * the compression memo that makes a tool output compress to the same bytes on every turn.
 *
 * Lifetimes: an original lives `retentionMs` after it was last put or read (memo reads and writes
 * count as uses), and least recently used originals are evicted while the total exceeds `maxBytes`.
 * A memo row lives at least as long as its original: it is dropped once its own `created_at` is
 * older than the retention AND no original with its hash is stored. So memos go with originals that
 * expire by age, outlive originals evicted for size until they are old themselves (the conversation
 * still holds those bytes, so keeping them keeps the prompt cache), and memos stored without an
 * original (NULL text, lossless rewrites) expire by their own age. Safe across processes.
 */
export class Store {
  /** Path of the database file. */
  readonly path: string;
  private readonly db: Database;
  private readonly sql: Statements;
  private readonly now: () => number;
  private readonly retentionMs: number;
  private readonly maxBytes: number;
  private readonly expireIntervalMs: number;
  private lastExpireAt = 0;
  private checkpointer: Checkpointer | undefined;
  private bytesSinceExpire = 0;

  private constructor(db: Database, path: string, options: StoreOptions) {
    this.db = db;
    this.path = path;
    this.now = options.now ?? Date.now;
    this.retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.expireIntervalMs = options.expireIntervalMs ?? DEFAULT_EXPIRE_INTERVAL_MS;
    this.sql = prepare(db);
  }

  /**
   * Opens (creating and migrating as needed) the store and drops what has expired.
   * Throws HeadroomError HR_STORE_CORRUPT, HR_STORE_TOO_NEW or HR_STORE_UNAVAILABLE (see openDatabase).
   */
  static open(options: StoreOptions = {}): Store {
    const db = openDatabase(options.path === undefined ? {} : { path: options.path });
    const store = new Store(db, db.name, options);
    try {
      store.expire();
    } catch (error) {
      db.close();
      throw error;
    }
    if (options.backgroundCheckpoint) {
      db.pragma("wal_autocheckpoint = 0");
      store.checkpointer = startCheckpointer(db.name, options.checkpointIntervalMs);
    }
    return store;
  }

  /** Stores `original` (its UTF-8 bytes) under its content hash and returns the hash. Idempotent. */
  put(original: string, meta: { kind?: string } = {}): string {
    const content = Buffer.from(original, "utf8");
    const hash = contentHash(content);
    const at = this.now();
    this.sql.insert.run(hash, content, content.length, meta.kind ?? null, at, at);
    this.bytesSinceExpire += content.length;
    this.maybeExpire(at);
    return hash;
  }

  /** The exact original for `hash`, or undefined when unknown or expired. Counts as a use (LRU). */
  get(hash: string): string | undefined {
    const at = this.now();
    const row = this.sql.select.get(hash, at - this.retentionMs);
    if (!row) return undefined;
    this.sql.touch.run(at, hash, at);
    return row.content.toString("utf8");
  }

  /** True when an original is stored for `hash` (does not count as a use). */
  has(hash: string): boolean {
    return this.sql.exists.get(hash, this.now() - this.retentionMs) !== undefined;
  }

  /**
   * The memoised compressed form of `hash` under `profile`: `{ text: null }` means "keep the
   * original"; undefined means not seen yet. A hit counts as a use of the original.
   */
  memoGet(hash: string, profile: string): { text: string | null } | undefined {
    const row = this.sql.memoSelect.get(hash, profile);
    if (!row) return undefined;
    const at = this.now();
    this.sql.touch.run(at, hash, at);
    return { text: row.compressed };
  }

  /**
   * Records the compressed form of `hash` under `profile` (null = keep the original). The first
   * write wins, so concurrent proxies agree (DESIGN.md invariant 2); returns the memo now in force.
   * Counts as a use of the original, so a memo is never younger than its original's last use.
   * Put the original first when the text has markers, so every marker can be retrieved.
   */
  memoPut(hash: string, profile: string, text: string | null): { text: string | null } {
    const at = this.now();
    const result = this.sql.memoInsert.run(hash, profile, text, at);
    this.sql.touch.run(at, hash, at);
    if (result.changes > 0) return { text };
    return { text: this.sql.memoSelect.get(hash, profile)?.compressed ?? null };
  }

  /**
   * Deletes stored data (`headroom purge`): `all` removes every original and memo;
   * `olderThanMs` removes originals stored more than that long ago, their memos, and memos without
   * an original that are as old. Deleted content is overwritten on disk. Returns originals removed.
   */
  purge(options: { all?: boolean; olderThanMs?: number }): { removed: number } {
    const { all, olderThanMs } = options;
    if (!all && (olderThanMs === undefined || !(olderThanMs >= 0))) {
      throw new HeadroomError(ErrorCodes.BadArgument, "purge needs `all: true` or a non-negative `olderThanMs`");
    }
    this.db.pragma("secure_delete = ON");
    try {
      const removed = this.db
        .transaction(() => {
          if (all) {
            this.sql.deleteAllMemos.run();
            return this.sql.deleteAllOriginals.run().changes;
          }
          const cutoff = this.now() - (olderThanMs ?? 0);
          const hashes = this.sql.createdBefore.all(cutoff).map((r) => r.hash);
          this.dropOriginals(hashes, true);
          this.sql.deleteStaleMemos.run(cutoff);
          return hashes.length;
        })
        .immediate();
      // Move the deletions out of the WAL into the (now overwritten) main file.
      this.db.pragma("wal_checkpoint(TRUNCATE)");
      return { removed };
    } finally {
      this.db.pragma("secure_delete = OFF");
    }
  }

  /**
   * Drops originals unused for longer than the retention, evicts least recently used originals
   * until the total fits `maxBytes`, and drops memos as described on the class. Runs on open and,
   * from `put`, at most once per expire interval (or after a burst of writes). Returns originals removed.
   */
  expire(): { removed: number } {
    const at = this.now();
    this.lastExpireAt = at;
    this.bytesSinceExpire = 0;
    const cutoff = at - this.retentionMs;
    const removed = this.db
      .transaction(() => {
        const old = this.sql.expiredHashes.all(cutoff).map((r) => r.hash);
        this.dropOriginals(old, false);
        let evicted: string[] = [];
        if (this.sql.totalBytes.get()!.bytes > this.maxBytes) {
          evicted = this.sql.overCapHashes.all(this.maxBytes).map((r) => r.hash);
          this.dropOriginals(evicted, false);
        }
        this.sql.deleteStaleMemos.run(cutoff);
        return old.length + evicted.length;
      })
      .immediate();
    return { removed };
  }

  /** Counts of stored originals and memos. */
  stats(): StoreStats {
    const row = this.sql.stats.get()!;
    return {
      originals: row.originals,
      bytes: row.bytes,
      memos: row.memos,
      ...(row.oldest === null ? {} : { oldestAt: row.oldest }),
    };
  }

  /** Closes the database connection (and stops the background checkpointer). Safe to call twice. */
  close(): void {
    void this.checkpointer?.stop();
    this.checkpointer = undefined;
    if (this.db.open) this.db.close();
  }

  // Memos of a dropped original stay until they are old too (cache safety), unless purging.
  private dropOriginals(hashes: readonly string[], withMemos: boolean): void {
    for (const hash of hashes) {
      this.sql.deleteOriginal.run(hash);
      if (withMemos) this.sql.deleteMemosOf.run(hash);
    }
  }

  // Cheap check on every put; the real work happens every few minutes or after many new bytes.
  private maybeExpire(at: number): void {
    const due = at - this.lastExpireAt >= this.expireIntervalMs || at < this.lastExpireAt;
    if (due || this.bytesSinceExpire > this.maxBytes / 8) this.expire();
  }
}
