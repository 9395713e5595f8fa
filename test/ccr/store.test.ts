import { execFile } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { contentHash } from "../../src/ccr/hash.js";
import { Store, type StoreOptions } from "../../src/ccr/store.js";
import { isHeadroomError } from "../../src/errors.js";
import { modeOf, useTempDirs } from "./helpers.js";

const tempDir = useTempDirs();
const DAY = 24 * 60 * 60 * 1000;

/** A store in a fresh temp dir with a hand-driven clock. */
function openStore(options: Omit<StoreOptions, "now"> = {}) {
  const clock = { t: 1_700_000_000_000 };
  const path = options.path ?? join(tempDir(), "data", "headroom.db");
  const now = () => clock.t;
  const store = Store.open({ ...options, path, now });
  const reopen = () => Store.open({ ...options, path, now });
  return { store, clock, path, reopen };
}

describe("Store round trip", () => {
  it.each([
    ["ascii", "hello\nworld\n"],
    ["emoji and astral characters", "build ✅ done 🚀🧪 — naïve café 漢字 \u{1F468}\u200D\u{1F469}\u200D\u{1F467}"],
    ["CRLF line ends", "line one\r\nline two\r\n\r\nlast"],
    ["NUL and control characters", "a\u0000b\u0000\u0000c\u0001\u001b[31mred\u001b[0m\u007f"],
    ["empty string", ""],
    ["lone trailing spaces and tabs", "  \t \n\t\n  "],
  ])("returns exactly the original: %s", (_name, original) => {
    const { store } = openStore();
    const hash = store.put(original);
    expect(hash).toBe(contentHash(original));
    expect(store.get(hash)).toBe(original);
    expect(Buffer.from(store.get(hash)!, "utf8").equals(Buffer.from(original, "utf8"))).toBe(true);
    store.close();
  });

  it("stores and returns a 5 MB original", () => {
    const { store, reopen } = openStore();
    const line = "2024-05-01T12:00:00Z INFO worker[17] processed batch ✓ with id=";
    let big = "";
    for (let i = 0; big.length < 5 * 1024 * 1024; i++) big += `${line}${i}\n`;
    const hash = store.put(big, { kind: "log" });
    store.close();
    const reopened = reopen();
    expect(reopened.get(hash)).toBe(big);
    expect(reopened.stats().bytes).toBe(Buffer.byteLength(big, "utf8"));
    reopened.close();
  });

  it("is idempotent: the same original twice is one row with one hash", () => {
    const { store } = openStore();
    const a = store.put("same output\n", { kind: "log" });
    const b = store.put("same output\n");
    expect(b).toBe(a);
    expect(store.stats()).toMatchObject({ originals: 1, bytes: 12 });
    store.close();
  });

  it("answers has/get for unknown hashes without inventing anything", () => {
    const { store } = openStore();
    expect(store.has("0123456789abcdef")).toBe(false);
    expect(store.get("0123456789abcdef")).toBeUndefined();
    const hash = store.put("x");
    expect(store.has(hash)).toBe(true);
    store.close();
  });

  it("survives a reopen (persisted on disk)", () => {
    const { store, reopen } = openStore();
    const hash = store.put("persisted");
    store.memoPut(hash, "full", "pers[...]");
    store.close();
    store.close(); // twice is fine
    const again = reopen();
    expect(again.get(hash)).toBe("persisted");
    expect(again.memoGet(hash, "full")).toEqual({ text: "pers[...]" });
    again.close();
  });
});

describe("Store files", () => {
  it("creates the directory 0700 and the database, -wal and -shm files 0600", () => {
    const { store, path } = openStore();
    store.put("private");
    expect(modeOf(statSync(join(path, "..")))).toBe(0o700);
    for (const file of [path, `${path}-wal`, `${path}-shm`]) {
      expect(existsSync(file), file).toBe(true);
      expect(modeOf(statSync(file)), file).toBe(0o600);
    }
    expect(store.path).toBe(path);
    store.close();
  });
});

describe("Store memo", () => {
  it("distinguishes unseen, keep-original (null) and compressed, per profile", () => {
    const { store } = openStore();
    const hash = contentHash("some output");
    expect(store.memoGet(hash, "full")).toBeUndefined();
    store.memoPut(hash, "lossless", null);
    expect(store.memoGet(hash, "lossless")).toEqual({ text: null });
    expect(store.memoGet(hash, "full")).toBeUndefined();
    store.close();
  });

  it("keeps the first compressed form (first write wins) so every turn gets the same bytes", () => {
    const { store } = openStore();
    const hash = store.put("original text");
    expect(store.memoPut(hash, "full", "first")).toEqual({ text: "first" });
    expect(store.memoPut(hash, "full", "second")).toEqual({ text: "first" });
    expect(store.memoGet(hash, "full")).toEqual({ text: "first" });
    store.close();
  });

  it("lives as long as its original, even when the memo row itself is old", () => {
    const { store, clock } = openStore();
    const hash = store.put("kept alive by use");
    store.memoPut(hash, "full", "kept [..]");
    // Used every 3 days for 3 weeks: the original stays, and so does its memo.
    for (let day = 3; day <= 21; day += 3) {
      clock.t += 3 * DAY;
      expect(store.memoGet(hash, "full")).toEqual({ text: "kept [..]" });
      store.expire();
      expect(store.has(hash)).toBe(true);
    }
    // Then unused past the retention: both go.
    clock.t += 8 * DAY;
    store.expire();
    expect(store.has(hash)).toBe(false);
    expect(store.memoGet(hash, "full")).toBeUndefined();
    store.close();
  });

  it("expires a NULL memo (no original stored) by its own age", () => {
    const { store, clock } = openStore();
    const hash = contentHash("nothing removed");
    store.memoPut(hash, "full", null);
    clock.t += 6 * DAY;
    store.expire();
    expect(store.memoGet(hash, "full")).toEqual({ text: null });
    clock.t += 2 * DAY;
    store.expire();
    expect(store.memoGet(hash, "full")).toBeUndefined();
    store.close();
  });
});

describe("Store retention and size cap", () => {
  it("drops originals unused for longer than the retention (injected clock)", () => {
    const { store, clock } = openStore({ retentionMs: 7 * DAY });
    const old = store.put("old");
    clock.t += 4 * DAY;
    const fresh = store.put("fresh");
    clock.t += 4 * DAY; // old: 8 days unused, fresh: 4 days
    expect(store.expire()).toEqual({ removed: 1 });
    expect(store.get(old)).toBeUndefined();
    expect(store.get(fresh)).toBe("fresh");
    store.close();
  });

  it("treats an original past the retention as gone even before expire() runs", () => {
    const { store, clock } = openStore({ retentionMs: 7 * DAY, expireIntervalMs: 30 * DAY });
    const hash = store.put("about to expire");
    clock.t += 7 * DAY + 1;
    expect(store.has(hash)).toBe(false);
    expect(store.get(hash)).toBeUndefined();
    store.close();
  });

  it("counts a read as a use", () => {
    const { store, clock } = openStore({ retentionMs: 7 * DAY });
    const hash = store.put("read often");
    clock.t += 5 * DAY;
    expect(store.get(hash)).toBe("read often");
    clock.t += 5 * DAY;
    store.expire();
    expect(store.has(hash)).toBe(true);
    store.close();
  });

  it("expires on open", () => {
    const { store, clock, path } = openStore();
    const hash = store.put("stale");
    store.close();
    const reopened = Store.open({ path, now: () => clock.t + 8 * DAY });
    expect(reopened.has(hash)).toBe(false);
    reopened.close();
  });

  it("expires during puts at most once per interval", () => {
    const { store, clock } = openStore({ retentionMs: DAY, expireIntervalMs: 60_000 });
    const first = store.put("first");
    clock.t += 2 * DAY; // first is now expired, but nothing has run yet
    store.put("trigger"); // interval passed: this put runs expire
    expect(store.has(first)).toBe(false);
    const second = store.put("second");
    clock.t += 2 * DAY;
    store.put("again");
    expect(store.has(second)).toBe(false);
    store.close();
  });

  it("does not expire again within the interval", () => {
    const { store, clock } = openStore({ retentionMs: 1_000, expireIntervalMs: 60_000 });
    clock.t += 1; // open ran expire at t0
    const a = store.put("a");
    clock.t += 5_000; // a is past retention, but only 5 s since the last expire: its row stays
    store.put("b");
    expect(store.has(a)).toBe(false); // though it already reads as gone
    expect(store.stats().originals).toBe(2);
    clock.t += 60_000;
    store.put("c"); // a, b deleted, c stays
    expect(store.stats().originals).toBe(1);
    store.close();
  });

  it("evicts least recently used originals beyond the size cap; a recently read one survives", () => {
    const { store, clock } = openStore({ maxBytes: 3_000, expireIntervalMs: 60 * 60 * 1000 });
    const hashes: string[] = [];
    const putNext = () => {
      clock.t += 1_000;
      hashes.push(store.put(`${hashes.length}`.repeat(1_000)));
    };
    putNext();
    putNext();
    putNext(); // 3000 bytes: exactly at the cap, nothing evicted
    expect(store.stats()).toMatchObject({ originals: 3, bytes: 3_000 });
    clock.t += 1_000;
    expect(store.get(hashes[0]!)).toBe("0".repeat(1_000)); // oldest put, but read most recently
    putNext(); // each put of 1000 bytes is a burst (> cap / 8): it runs expire right away
    putNext();
    expect(store.stats().bytes).toBeLessThanOrEqual(3_000);
    expect(hashes.map((h) => store.has(h))).toEqual([true, false, false, true, true]);
    store.close();
  });

  it("evicts during a burst of puts without waiting for the interval", () => {
    const { store, clock } = openStore({ maxBytes: 8_000, expireIntervalMs: 60 * 60 * 1000 });
    for (let i = 0; i < 40; i++) {
      clock.t += 1;
      store.put(`${i}:`.padEnd(1_000, "x"));
    }
    expect(store.stats().bytes).toBeLessThanOrEqual(8_000 + 8_000 / 8 + 1_000);
    store.close();
  });

  it("keeps memos of originals evicted for size until they are old themselves", () => {
    const { store, clock } = openStore({ maxBytes: 1_500, retentionMs: 7 * DAY });
    const a = store.put("a".repeat(1_000));
    store.memoPut(a, "full", "a[...]");
    clock.t += 1_000;
    store.put("b".repeat(1_000));
    store.expire();
    expect(store.has(a)).toBe(false);
    expect(store.memoGet(a, "full")).toEqual({ text: "a[...]" });
    clock.t += 8 * DAY;
    store.expire();
    expect(store.memoGet(a, "full")).toBeUndefined();
    store.close();
  });
});

describe("Store purge and stats", () => {
  it("reports counts and the oldest original", () => {
    const { store, clock } = openStore();
    expect(store.stats()).toEqual({ originals: 0, bytes: 0, memos: 0 });
    const t0 = clock.t;
    const h = store.put("ab");
    clock.t += 10;
    store.put("cde");
    store.memoPut(h, "full", null);
    expect(store.stats()).toEqual({ originals: 2, bytes: 5, memos: 1, oldestAt: t0 });
    store.close();
  });

  it("purge all removes every original and memo", () => {
    const { store } = openStore();
    const h = store.put("one");
    store.put("two");
    store.memoPut(h, "full", "o[..]");
    store.memoPut(contentHash("x"), "full", null);
    expect(store.purge({ all: true })).toEqual({ removed: 2 });
    expect(store.stats()).toEqual({ originals: 0, bytes: 0, memos: 0 });
    store.close();
  });

  it("purge older-than removes what was stored before the cutoff, with its memos", () => {
    const { store, clock } = openStore();
    const old = store.put("old");
    store.memoPut(old, "full", "o[..]");
    const oldNull = contentHash("old unchanged");
    store.memoPut(oldNull, "full", null);
    clock.t += 3 * DAY;
    const recent = store.put("recent");
    store.memoPut(recent, "full", "r[..]");
    clock.t += DAY;
    expect(store.get(old)).toBe("old"); // a recent read does not protect it: purge is by storage time
    expect(store.purge({ olderThanMs: 2 * DAY })).toEqual({ removed: 1 });
    expect(store.has(old)).toBe(false);
    expect(store.memoGet(old, "full")).toBeUndefined();
    expect(store.memoGet(oldNull, "full")).toBeUndefined();
    expect(store.get(recent)).toBe("recent");
    expect(store.memoGet(recent, "full")).toEqual({ text: "r[..]" });
    store.close();
  });

  it("purge without a target is refused", () => {
    const { store } = openStore();
    let error: unknown;
    try {
      store.purge({});
    } catch (caught) {
      error = caught;
    }
    expect(isHeadroomError(error, "HR_BAD_ARGUMENT")).toBe(true);
    store.close();
  });
});

describe("Store across processes", () => {
  it("two processes put 500 originals each at the same time; all 1000 are readable", async () => {
    const path = join(tempDir(), "shared", "headroom.db");
    const run = promisify(execFile);
    const script = join(import.meta.dirname, "..", "fixtures", "ccr", "writer.ts");
    const startAt = String(Date.now() + 2_500); // both start writing together, after tsx has loaded
    const spawnWriter = (prefix: string) =>
      run(process.execPath, ["--import", "tsx", script, path, prefix, "500", startAt], {
        cwd: join(import.meta.dirname, "..", ".."),
        maxBuffer: 16 * 1024 * 1024,
      });
    const [a, b] = await Promise.all([spawnWriter("alpha"), spawnWriter("beta")]);
    const hashes = [...JSON.parse(a.stdout), ...JSON.parse(b.stdout)] as string[];
    expect(new Set(hashes).size).toBe(1000);
    const store = Store.open({ path });
    expect(store.stats().originals).toBe(1000);
    for (const hash of hashes) expect(store.has(hash)).toBe(true);
    expect(store.get(hashes[0]!)).toBe(`alpha original #0\n\n`);
    expect(store.get(hashes[999]!)).toBe(`beta original #499\n${"x".repeat(499 % 97)}\n`);
    store.close();
  }, 60_000);
});
