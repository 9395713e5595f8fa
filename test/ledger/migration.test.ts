import BetterSqlite3 from "better-sqlite3";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/ccr/db.js";
import { MIGRATIONS, latestVersion, schemaVersion } from "../../src/ccr/migrations.js";
import { Store } from "../../src/ccr/store.js";
import { Ledger } from "../../src/ledger/ledger.js";
import { entry, useTempDirs } from "./helpers.js";

const tempDir = useTempDirs();

function columns(db: BetterSqlite3.Database, table: string): string[] {
  return (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
}

describe("migration 2 (ledger)", () => {
  it("is the second migration and creates the requests and request_kinds tables with their indexes", () => {
    expect(MIGRATIONS[1]?.version).toBe(2);
    const db = openDatabase({ path: join(tempDir(), "new.db") });
    expect(schemaVersion(db)).toBeGreaterThanOrEqual(2);
    expect(columns(db, "requests")).toEqual([
      "id", "time", "session_key", "agent", "model", "path", "mode", "status", "units_compressed",
      "tokens_before", "tokens_after", "estimate", "usage_input", "usage_cache_creation", "usage_cache_read",
      "usage_output", "added_ms", "upstream_status",
    ]);
    expect(columns(db, "request_kinds")).toEqual(["request_id", "kind", "units", "tokens_before", "tokens_after"]);
    const indexes = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'requests'`).all() as {
      name: string;
    }[]).map((row) => row.name);
    expect(indexes).toEqual(expect.arrayContaining(["requests_time", "requests_agent_time", "requests_session_time"]));
    db.close();
  });

  it("upgrades a version-1 database holding originals and memos, keeping them byte for byte", () => {
    const path = join(tempDir(), "v1.db");
    openDatabase({ path, migrations: MIGRATIONS.slice(0, 1) }).close();
    // Fill the version-1 schema directly (the current Store would migrate the file first).
    const raw = new BetterSqlite3(path);
    expect(schemaVersion(raw)).toBe(1);
    const original = Buffer.from("line 1\nline 2 ünïcode\n", "utf8");
    raw.prepare(`INSERT INTO originals (hash, bytes, kind, created_at, accessed_at, content) VALUES (?, ?, ?, ?, ?, ?)`).run(
      "0123456789abcdef",
      original.length,
      "log",
      Date.now(),
      Date.now(),
      original,
    );
    raw.prepare(`INSERT INTO memo (hash, profile, compressed, created_at) VALUES (?, ?, ?, ?)`).run(
      "0123456789abcdef",
      "full",
      "line 1\n[1 line omitted]",
      Date.now(),
    );
    raw.close();

    const ledger = Ledger.open({ path }); // migrates
    ledger.record(entry());
    expect(ledger.summary().totals.requests).toBe(1);
    ledger.close();

    const db = new BetterSqlite3(path, { readonly: true });
    expect(schemaVersion(db)).toBe(latestVersion());
    const row = db.prepare(`SELECT bytes, kind, content FROM originals WHERE hash = ?`).get("0123456789abcdef") as {
      bytes: number;
      kind: string;
      content: Buffer;
    };
    expect(row.content.equals(original)).toBe(true);
    expect(row).toMatchObject({ bytes: original.length, kind: "log" });
    expect(db.prepare(`SELECT compressed FROM memo WHERE hash = ?`).get("0123456789abcdef")).toEqual({
      compressed: "line 1\n[1 line omitted]",
    });
    db.close();

    const store = Store.open({ path });
    expect(store.get("0123456789abcdef")).toBe("line 1\nline 2 ünïcode\n");
    store.close();
  });

  it("the store and the ledger share one database file", () => {
    const path = join(tempDir(), "shared.db");
    const store = Store.open({ path });
    const ledger = Ledger.open({ path });
    const hash = store.put("output\n", { kind: "log" });
    ledger.record(entry());
    expect(store.get(hash)).toBe("output\n");
    expect(ledger.summary().totals.requests).toBe(1);
    store.close();
    ledger.close();
  });

  it("deleting a request deletes its per-kind rows", () => {
    const path = join(tempDir(), "cascade.db");
    const ledger = Ledger.open({ path });
    ledger.record(entry());
    ledger.close();
    const db = openDatabase({ path });
    db.prepare(`DELETE FROM requests`).run();
    expect(db.prepare(`SELECT COUNT(*) AS n FROM request_kinds`).get()).toEqual({ n: 0 });
    db.close();
  });
});
