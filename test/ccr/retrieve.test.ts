import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { contentHash } from "../../src/ccr/hash.js";
import { queryTerms, retrieve } from "../../src/ccr/retrieve.js";
import { Store } from "../../src/ccr/store.js";
import { isHeadroomError } from "../../src/errors.js";
import { useTempDirs } from "./helpers.js";

const tempDir = useTempDirs();
let store: Store;

beforeEach(() => {
  store = Store.open({ path: join(tempDir(), "headroom.db") });
});
afterEach(() => store.close());

function log(lines: number, special: Record<number, string>): string {
  const out: string[] = [];
  for (let n = 1; n <= lines; n++) out.push(special[n] ?? `INFO step ${n} ok`);
  return `${out.join("\n")}\n`;
}

describe("retrieve without a query", () => {
  it("returns the exact original", () => {
    const original = "a\r\nb\u0000 🚀\n";
    const hash = store.put(original);
    expect(retrieve(store, hash)).toEqual({ text: original });
    expect(retrieve(store, hash, { query: "   " })).toEqual({ text: original });
  });

  it("returns undefined for an unknown or expired hash", () => {
    expect(retrieve(store, contentHash("never stored"))).toBeUndefined();
  });

  it("accepts upper case and surrounding spaces", () => {
    const hash = store.put("x");
    expect(retrieve(store, ` ${hash.toUpperCase()}\n`)?.text).toBe("x");
  });

  it.each(["", "xyz", "0123456789abcde", "0123456789abcdef0", "hash=0123456789abcdef", "0123456789abcdeg"])(
    "refuses the malformed hash %j with HR_BAD_HASH",
    (bad) => {
      let error: unknown;
      try {
        retrieve(store, bad);
      } catch (caught) {
        error = caught;
      }
      expect(isHeadroomError(error, "HR_BAD_HASH")).toBe(true);
      expect((error as Error).message).toMatch(/16 hex digits/);
    },
  );
});

describe("retrieve with a query on a log", () => {
  const original = log(40, {
    5: "WARN disk almost full",
    6: "ERROR Connection refused by db:5432",
    20: "ERROR timeout after 30s",
    22: "INFO retrying after TIMEOUT",
    39: "FATAL giving up",
  });

  it("keeps matching lines with 2 lines of context, numbered, groups separated by --", () => {
    const hash = store.put(original);
    const found = retrieve(store, hash, { query: "timeout refused" })!;
    expect(found.matched).toBe(3);
    expect(found.total).toBe(40);
    const lines = found.text.split("\n");
    expect(lines[0]).toBe(
      `[3 of 40 lines match "timeout refused", "N:" marks a match, "N-" context · all of it: headroom retrieve ${hash}]`,
    );
    expect(lines.slice(1)).toEqual([
      "4- INFO step 4 ok",
      "5- WARN disk almost full",
      "6: ERROR Connection refused by db:5432",
      "7- INFO step 7 ok",
      "8- INFO step 8 ok",
      "--",
      "18- INFO step 18 ok",
      "19- INFO step 19 ok",
      "20: ERROR timeout after 30s",
      "21- INFO step 21 ok",
      "22: INFO retrying after TIMEOUT",
      "23- INFO step 23 ok",
      "24- INFO step 24 ok",
    ]);
  });

  it("clips context at the start and end of the original and merges adjacent groups", () => {
    const hash = store.put(original);
    const found = retrieve(store, hash, { query: "giving" })!;
    expect(found.text.split("\n").slice(1)).toEqual([
      "37- INFO step 37 ok",
      "38- INFO step 38 ok",
      "39: FATAL giving up",
      "40- INFO step 40 ok",
    ]);
    const first = retrieve(store, store.put("match here\nb\nc\nd\n"), { query: "MATCH" })!;
    expect(first.text.split("\n").slice(1)).toEqual(["1: match here", "2- b", "3- c"]);
  });

  it("matches the whole phrase and ignores one-letter words", () => {
    expect(queryTerms(' "Connection Refused" ')).toEqual(["connection refused", "connection", "refused"]);
    expect(queryTerms("x, y")).toEqual(["x, y"]);
    const hash = store.put(original);
    expect(retrieve(store, hash, { query: "disk a" })!.matched).toBe(1);
  });

  it("says so when nothing matches", () => {
    const hash = store.put(original);
    expect(retrieve(store, hash, { query: "segfault" })).toEqual({
      text: `[0 of 40 lines match "segfault" · all of it: headroom retrieve ${hash}]`,
      matched: 0,
      total: 40,
    });
  });

  it("drops the CR of CRLF lines in the narrowed view", () => {
    const hash = store.put("one\r\ntwo error\r\nthree\r\n");
    expect(retrieve(store, hash, { query: "error" })!.text.split("\n").slice(1)).toEqual([
      "1- one",
      "2: two error",
      "3- three",
    ]);
  });
});

describe("retrieve with a query on JSON", () => {
  const items = Array.from({ length: 30 }, (_, i) => ({
    id: i,
    name: i === 7 ? "Payment Timeout handler" : `item ${i}`,
    tags: i === 21 ? ["flaky", "timeout"] : ["ok"],
  }));

  it("keeps the array items whose JSON contains a term, as valid JSON", () => {
    const original = JSON.stringify(items, null, 2);
    const hash = store.put(original);
    const found = retrieve(store, hash, { query: "timeout" })!;
    expect(found).toMatchObject({ matched: 2, total: 30 });
    const [head, ...body] = found.text.split("\n");
    expect(head).toBe(`[2 of 30 items match "timeout" at $ (indices 7, 21) · all of it: headroom retrieve ${hash}]`);
    expect(JSON.parse(body.join("\n"))).toEqual([items[7], items[21]]);
  });

  it("narrows the big array inside an object and keeps the other fields", () => {
    const doc = { total_count: 30, incomplete_results: false, data: { items } };
    const hash = store.put(JSON.stringify(doc));
    const found = retrieve(store, hash, { query: "flaky" })!;
    const [head, body] = found.text.split("\n");
    expect(head).toContain("1 of 30 items match");
    expect(head).toContain("at $.data.items (indices 21)");
    expect(JSON.parse(body!)).toEqual({ total_count: 30, incomplete_results: false, data: { items: [items[21]] } });
  });

  it("falls back to lines for JSON without a big array and for invalid JSON", () => {
    const small = JSON.stringify({ readme: "timeout ".repeat(50), tags: ["a", "b"] }, null, 2);
    expect(retrieve(store, store.put(small), { query: "timeout" })!.text).toContain('lines match "timeout"');
    const broken = '[{"a": "timeout"},\n{"b": 2}';
    expect(retrieve(store, store.put(broken), { query: "timeout" })!.text).toContain("1: [{");
  });
});
