// Background WAL checkpoints: with them the write-ahead log stays bounded although the store's own
// connection never checkpoints (so no commit in a request's path pays for one), and closing the
// store leaves no log behind.
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Store } from "../../src/ccr/store.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function dbPath(): string {
  const dir = mkdtempSync(join(tmpdir(), "headroom-checkpoint-"));
  dirs.push(dir);
  return join(dir, "store.db");
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const walSize = (path: string) => (existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0);

// 12 bursts of ~1 MB of new originals, with pauses in which a checkpointer can run.
async function writeBursts(store: Store): Promise<void> {
  const filler = "x".repeat(86_000);
  for (let burst = 0; burst < 12; burst++) {
    for (let i = 0; i < 12; i++) store.put(`${burst}-${i} ${filler}`);
    await sleep(250);
  }
}

describe("background checkpoint", () => {
  it("keeps the write-ahead log bounded while the store's connection never checkpoints itself", async () => {
    const path = dbPath();
    const store = Store.open({ path, backgroundCheckpoint: true, checkpointIntervalMs: 50 });
    await writeBursts(store);
    // 12 MB written; each burst's ~1 MB is checkpointed before the next, so the log is reused.
    expect(walSize(path)).toBeLessThan(3 * 1024 * 1024);
    store.close();
  });

  it("without it (and with SQLite's automatic checkpoint off) the same writes grow the log past 10 MB", async () => {
    // The control: proves the bound above comes from the worker, not from SQLite.
    const path = dbPath();
    const store = Store.open({ path, backgroundCheckpoint: true, checkpointIntervalMs: 3_600_000 });
    await writeBursts(store);
    expect(walSize(path)).toBeGreaterThan(10 * 1024 * 1024);
    store.close();
  });

  it("closing the store stops the worker and leaves no log behind", async () => {
    const path = dbPath();
    const store = Store.open({ path, backgroundCheckpoint: true, checkpointIntervalMs: 50 });
    store.put(`one ${"y".repeat(50_000)}`);
    store.close();
    for (let i = 0; i < 40 && existsSync(`${path}-wal`); i++) await sleep(50);
    expect(existsSync(`${path}-wal`)).toBe(false);
    const again = Store.open({ path });
    expect(again.get(again.put(`one ${"y".repeat(50_000)}`))).toBe(`one ${"y".repeat(50_000)}`);
    again.close();
  });
});
