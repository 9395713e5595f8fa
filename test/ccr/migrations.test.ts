import BetterSqlite3 from "better-sqlite3";
import { readFileSync, writeFileSync, existsSync, statSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/ccr/db.js";
import { MIGRATIONS, latestVersion, migrate, schemaVersion, type Migration } from "../../src/ccr/migrations.js";
import { Store } from "../../src/ccr/store.js";
import { isHeadroomError } from "../../src/errors.js";
import { useTempDirs } from "./helpers.js";

const tempDir = useTempDirs();

// The next migration after the real ones (a stand-in schema step for these tests).
const migration2: Migration = {
  version: latestVersion() + 1,
  name: "test: ledger",
  up(db) {
    db.exec(`CREATE TABLE ledger (id INTEGER PRIMARY KEY, tokens INTEGER NOT NULL)`);
    db.exec(`ALTER TABLE originals ADD COLUMN note TEXT`);
  },
};

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

describe("migrations", () => {
  it("are numbered 1, 2, ... and a new database reaches the latest version", () => {
    MIGRATIONS.forEach((m, i) => expect(m.version).toBe(i + 1));
    const db = openDatabase({ path: join(tempDir(), "new.db") });
    expect(schemaVersion(db)).toBe(latestVersion());
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("foreign_keys", { simple: true })).toBe(1);
    expect(Number(db.pragma("busy_timeout", { simple: true }))).toBeGreaterThan(0);
    db.close();
  });

  it("upgrade a version-1 database with data, keeping the data", () => {
    const path = join(tempDir(), "old.db");
    const v1 = openDatabase({ path, migrations: MIGRATIONS.slice(0, 1) });
    expect(schemaVersion(v1)).toBe(1);
    v1.close();
    const store = Store.open({ path });
    const hash = store.put("kept across the upgrade\n", { kind: "log" });
    store.memoPut(hash, "full", "kept [1 lines omitted]");
    store.close();

    const db = openDatabase({ path, migrations: [...MIGRATIONS, migration2] });
    expect(schemaVersion(db)).toBe(latestVersion() + 1);
    db.prepare(`INSERT INTO ledger (tokens) VALUES (42)`).run();
    expect(db.prepare(`SELECT COUNT(*) AS n FROM ledger`).get()).toEqual({ n: 1 });
    const row = db.prepare(`SELECT content, bytes, kind, note FROM originals WHERE hash = ?`).get(hash) as {
      content: Buffer;
      bytes: number;
      kind: string;
      note: string | null;
    };
    expect(row.content.toString("utf8")).toBe("kept across the upgrade\n");
    expect(row).toMatchObject({ bytes: 24, kind: "log", note: null });
    expect(db.prepare(`SELECT compressed FROM memo WHERE hash = ?`).get(hash)).toEqual({
      compressed: "kept [1 lines omitted]",
    });
    db.close();
  });

  it("migrate a version-0 database that already holds other tables, keeping them", () => {
    const path = join(tempDir(), "v0.db");
    const raw = new BetterSqlite3(path);
    raw.exec(`CREATE TABLE legacy (k TEXT PRIMARY KEY, v TEXT); INSERT INTO legacy VALUES ('a', 'b');`);
    expect(schemaVersion(raw)).toBe(0);
    raw.close();
    const store = Store.open({ path });
    const hash = store.put("new");
    store.close();
    const db = new BetterSqlite3(path);
    expect(schemaVersion(db)).toBe(latestVersion());
    expect(db.prepare(`SELECT v FROM legacy WHERE k = 'a'`).get()).toEqual({ v: "b" });
    expect(db.prepare(`SELECT COUNT(*) AS n FROM originals WHERE hash = ?`).get(hash)).toEqual({ n: 1 });
    db.close();
  });

  it("roll back a failing migration and leave the version where it was", () => {
    const path = join(tempDir(), "fail.db");
    openDatabase({ path }).close();
    const broken: Migration = {
      version: latestVersion() + 1,
      name: "broken",
      up(db) {
        db.exec(`CREATE TABLE half_done (x)`);
        throw new Error("boom");
      },
    };
    expect(() => openDatabase({ path, migrations: [...MIGRATIONS, broken] })).toThrow(/boom/);
    const db = new BetterSqlite3(path);
    expect(schemaVersion(db)).toBe(latestVersion());
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE name = 'half_done'`).get()).toBeUndefined();
    db.close();
  });

  it("refuse a database from a newer headroom and leave it untouched", () => {
    const path = join(tempDir(), "future.db");
    const raw = new BetterSqlite3(path);
    raw.exec(`CREATE TABLE originals (hash TEXT PRIMARY KEY, something_new BLOB)`);
    raw.pragma(`user_version = ${latestVersion() + 5}`);
    raw.close();
    const before = readFileSync(path);
    const error = catchError(() => Store.open({ path }));
    expect(isHeadroomError(error, "HR_STORE_TOO_NEW")).toBe(true);
    expect((error as Error).message).toMatch(/newer headroom/);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it("reject a list that is out of order", () => {
    const db = new BetterSqlite3(":memory:");
    expect(() => migrate(db, [migration2])).toThrow(/out of order/);
    db.close();
  });
});

describe("openDatabase on a file that is not a database", () => {
  it("gives HR_STORE_CORRUPT for random bytes and leaves the file (and its directory) untouched", () => {
    const dir = tempDir();
    const path = join(dir, "headroom.db");
    const junk = randomBytes(64 * 1024);
    writeFileSync(path, junk, { mode: 0o600 });
    const mtime = statSync(path).mtimeMs;
    const error = catchError(() => Store.open({ path }));
    expect(isHeadroomError(error, "HR_STORE_CORRUPT")).toBe(true);
    expect((error as Error).message).toContain(path);
    expect(readFileSync(path).equals(junk)).toBe(true);
    expect(statSync(path).mtimeMs).toBe(mtime);
    expect(existsSync(`${path}-wal`)).toBe(false);
    expect(existsSync(`${path}-shm`)).toBe(false);
  });

  it("gives HR_STORE_CORRUPT for a SQLite header followed by garbage", () => {
    const path = join(tempDir(), "headroom.db");
    const bytes = Buffer.concat([Buffer.from("SQLite format 3\0", "latin1"), randomBytes(8192)]);
    writeFileSync(path, bytes);
    const error = catchError(() => Store.open({ path }));
    expect(isHeadroomError(error, "HR_STORE_CORRUPT")).toBe(true);
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });
});
