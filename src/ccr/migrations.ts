import type { Database } from "better-sqlite3";
import { ErrorCodes, HeadroomError } from "../errors.js";

/**
 * One schema step. `version` is the PRAGMA user_version the database has after `up` ran; versions
 * are 1, 2, 3... in order. A released migration is never edited: append a new one instead.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  /** Runs inside the migration's transaction; throw to roll back. */
  readonly up: (db: Database) => void;
}

/** The schema, in order. To add migration N, append `{ version: N, name, up }` at the end. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "store of originals and compression memo",
    up(db) {
      db.exec(`
        -- content is the last column: SQLite reads the small columns without walking a big blob's
        -- overflow pages. The (accessed_at, hash, bytes) index covers expiry, the size cap and stats.
        CREATE TABLE originals (
          hash        TEXT PRIMARY KEY,
          bytes       INTEGER NOT NULL,
          kind        TEXT,
          created_at  INTEGER NOT NULL,
          accessed_at INTEGER NOT NULL,
          content     BLOB NOT NULL
        );
        CREATE INDEX originals_lru ON originals(accessed_at, hash, bytes);
        CREATE INDEX originals_created_at ON originals(created_at);
        CREATE TABLE memo (
          hash       TEXT NOT NULL,
          profile    TEXT NOT NULL,
          compressed TEXT NULL, -- NULL = keep the original (nothing was removed)
          created_at INTEGER NOT NULL,
          PRIMARY KEY (hash, profile)
        );
        CREATE INDEX memo_created_at ON memo(created_at);
      `);
    },
  },
  {
    version: 2,
    name: "ledger of proxied requests",
    up(db) {
      db.exec(`
        -- One row per proxied request (src/ledger/types.ts LedgerEntry). time is ms since the epoch;
        -- estimate is 0/1; usage_* are NULL when the provider did not report them.
        CREATE TABLE requests (
          id                   INTEGER PRIMARY KEY,
          time                 INTEGER NOT NULL,
          session_key          TEXT NOT NULL,
          agent                TEXT NOT NULL,
          model                TEXT,
          path                 TEXT NOT NULL,
          mode                 TEXT NOT NULL,
          status               TEXT NOT NULL,
          units_compressed     INTEGER NOT NULL,
          tokens_before        INTEGER NOT NULL,
          tokens_after         INTEGER NOT NULL,
          estimate             INTEGER NOT NULL,
          usage_input          INTEGER,
          usage_cache_creation INTEGER,
          usage_cache_read     INTEGER,
          usage_output         INTEGER,
          added_ms             REAL NOT NULL,
          upstream_status      INTEGER
        );
        CREATE INDEX requests_time ON requests(time);
        CREATE INDEX requests_agent_time ON requests(agent, time);
        CREATE INDEX requests_session_time ON requests(session_key, time);
        -- Tokens of tool outputs per content kind, for each request.
        CREATE TABLE request_kinds (
          request_id    INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
          kind          TEXT NOT NULL,
          units         INTEGER NOT NULL,
          tokens_before INTEGER NOT NULL,
          tokens_after  INTEGER NOT NULL,
          PRIMARY KEY (request_id, kind)
        ) WITHOUT ROWID;
      `);
    },
  },
  {
    version: 3,
    name: "compressions and retrievals",
    up(db) {
      db.exec(`
        -- One row per tool output the first time it was compressed (later turns are memo hits):
        -- what \`headroom show\` lists, so a user can see what was left out and retrieve it.
        CREATE TABLE compressions (
          hash          TEXT PRIMARY KEY,
          time          INTEGER NOT NULL,
          agent         TEXT NOT NULL,
          session_key   TEXT NOT NULL,
          tool          TEXT,
          kind          TEXT NOT NULL,
          tokens_before INTEGER NOT NULL,
          tokens_after  INTEGER NOT NULL,
          markers       INTEGER NOT NULL
        );
        CREATE INDEX compressions_time ON compressions(time);
        -- One row per retrieval served (MCP headroom_retrieve or \`headroom retrieve\`).
        CREATE TABLE retrievals (
          id      INTEGER PRIMARY KEY,
          time    INTEGER NOT NULL,
          hash    TEXT NOT NULL,
          via     TEXT NOT NULL,
          session TEXT,
          found   INTEGER NOT NULL
        );
        CREATE INDEX retrievals_time ON retrievals(time);
      `);
    },
  },
];

/** Highest schema version this build knows. */
export function latestVersion(migrations: readonly Migration[] = MIGRATIONS): number {
  return migrations.at(-1)?.version ?? 0;
}

/** The database's schema version (PRAGMA user_version; 0 for a new file). */
export function schemaVersion(db: Database): number {
  return db.pragma("user_version", { simple: true }) as number;
}

// Catches a mis-ordered list at the first open rather than as a half-migrated database.
function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new Error(`migration list out of order: entry ${i} has version ${m.version}, expected ${i + 1}`);
    }
  });
}

/** Throws HR_STORE_TOO_NEW when `db` was written by a schema newer than `migrations` know. Reads only. */
export function refuseNewer(db: Database, migrations: readonly Migration[] = MIGRATIONS, location = db.name): void {
  const latest = latestVersion(migrations);
  const version = schemaVersion(db);
  if (version > latest) {
    throw new HeadroomError(
      ErrorCodes.StoreTooNew,
      `headroom store at ${location} has schema version ${version}, but this headroom only knows ` +
        `up to ${latest}: it was written by a newer headroom. Upgrade headroom (the store was not changed).`,
    );
  }
}

/**
 * Brings `db` up to the latest schema, one transaction per migration (BEGIN IMMEDIATE, version
 * re-read inside it, so concurrent openers never run a step twice). A database from a newer
 * schema is refused with HR_STORE_TOO_NEW and left untouched.
 */
export function migrate(
  db: Database,
  migrations: readonly Migration[] = MIGRATIONS,
  location = db.name,
): { from: number; to: number } {
  checkOrder(migrations);
  refuseNewer(db, migrations, location);
  const from = schemaVersion(db);
  for (const migration of migrations) {
    if (migration.version <= from) continue;
    db.transaction(() => {
      refuseNewer(db, migrations, location);
      if (schemaVersion(db) >= migration.version) return; // another process got here first
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
  return { from, to: Math.max(from, schemaVersion(db)) };
}
