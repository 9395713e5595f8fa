import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compressListing, extensionOf } from "../../src/compressors/listing.js";
import { parseListing } from "../../src/compressors/listing-parse.js";
import type { Query } from "../../src/compressors/types.js";
import { parseMarkers } from "../../src/ccr/marker.js";
import { contextFor, runCompressorContract } from "./contract.js";

const FIXTURES = new URL("../fixtures/outputs/listing/", import.meta.url);
const fixtures = readdirSync(FIXTURES)
  .filter((name) => name.endsWith(".txt"))
  .sort()
  .map((name) => ({ name, text: readFileSync(new URL(name, FIXTURES), "utf8") }));
const fixture = (name: string): string => fixtures.find((f) => f.name === name)?.text ?? "";

function query(entities: string[], terms: string[] = []): Query {
  return { text: [...entities, ...terms].join(" "), terms, entities };
}

runCompressorContract("listing", compressListing, [
  ...fixtures.map((f) => ({ name: f.name, text: f.text })),
  { name: "ls-lar-undici-lib.txt with a query", text: fixture("ls-lar-undici-lib.txt"), query: query(["api-request.js"]) },
]);

// Entries shown plus the entries the markers stand for must equal the entries of the input.
function accountFor(text: string, compressed: string): void {
  const parsed = parseListing(text);
  const entryLines = new Set<string>();
  let total = 0;
  parsed?.entries.forEach((entry, i) => {
    if (!entry) return;
    total++;
    entryLines.add(parsed.lines[i] ?? "");
  });
  let shown = 0;
  let omitted = 0;
  for (const line of compressed.split("\n")) {
    const markers = parseMarkers(line);
    if (markers.length > 0) omitted += markers.reduce((sum, m) => sum + m.count, 0);
    else if (entryLines.has(line)) shown++;
  }
  expect(shown + omitted).toBe(total);
}

describe("listing compressor", () => {
  for (const name of ["ls-lar-undici-lib.txt", "find-zod-maxdepth3.txt", "tree-mcp-sdk-esm.txt", "ls-la-node-modules.txt", "ls-r-mcp-sdk-cjs.txt"]) {
    it(`reduces ${name} by at least 80% and accounts for every entry`, () => {
      const text = fixture(name);
      const result = compressListing(text, contextFor(text));
      expect(result?.text.length ?? text.length).toBeLessThan(text.length * 0.2);
      accountFor(text, result?.text ?? "");
    });
  }

  it("names the omitted files by extension, largest group first", () => {
    const text = fixture("tree-mcp-sdk-esm.txt");
    const result = compressListing(text, contextFor(text));
    expect(result?.text).toMatch(/\[\d+ (files|entries) omitted: .*\d+ \.d\.ts, \d+ \.d\.ts\.map, \d+ \.js, \d+ \.js\.map/);
  });

  it("keeps directories and the first files of each directory when the budget allows", () => {
    const text = fixture("ls-lar-undici-lib.txt");
    const result = compressListing(text, contextFor(text, { budget: 2000 }));
    const out = result?.text ?? "";
    expect(out).toContain("node_modules/undici/lib/api:");
    expect(out).toContain("drwxr-xr-x  2 root root 4096 Nov 24 22:34 dispatcher");
    expect(out).toContain("-rw-r--r--  1 root root  1071 Nov 24 22:34 abort-signal.js");
    expect(out).toMatch(/\[\d+ files omitted: \d+ \.js · headroom_retrieve hash=[0-9a-f]{16}\]/);
    accountFor(text, out);
  });

  it("keeps entries that match the query", () => {
    const text = fixture("ls-lar-undici-lib.txt");
    const result = compressListing(text, contextFor(text, { query: query(["api-request.js"]) }));
    expect(result?.text).toContain("-rw-r--r--  1 root root  5612 Nov 24 22:34 api-request.js");
    const findText = fixture("find-zod-maxdepth3.txt");
    const found = compressListing(findText, contextFor(findText, { query: query(["errors.ts"]) }));
    for (const line of findText.split("\n").filter((l) => l.endsWith("/errors.ts"))) expect(found?.text).toContain(line);
  });

  it("folds a big flat directory of files into one marker with counts", () => {
    const lines = Array.from({ length: 400 }, (_, i) => `./dist/chunk-${String(i).padStart(3, "0")}.${i % 5 === 0 ? "d.ts" : "js"}`);
    const text = ["./dist", ...lines].join("\n");
    const result = compressListing(text, contextFor(text));
    expect(result?.text).toContain("./dist/chunk-000.d.ts");
    expect(result?.text).toMatch(/\[\d+ files omitted: 3\d\d \.js, \d+ \.d\.ts · headroom_retrieve hash=/);
    accountFor(text, result?.text ?? "");
  });

  it("has nothing lossless to offer and never claims non-listings", () => {
    const text = fixture("find-zod-maxdepth3.txt");
    expect(compressListing(text, contextFor(text, { losslessOnly: true }))).toBeNull();
    const prose = "The quick brown fox jumps over the lazy dog, again and again.\n".repeat(80);
    const grep = Array.from({ length: 80 }, (_, i) => `src/file${i}.ts:${i + 1}:const x = ${i};`).join("\n");
    for (const other of [prose, grep]) expect(compressListing(other, contextFor(other))).toBeNull();
  });

  it("knows compound extensions", () => {
    expect(extensionOf("index.d.ts")).toBe(".d.ts");
    expect(extensionOf("index.d.ts.map")).toBe(".d.ts.map");
    expect(extensionOf("jquery.min.js")).toBe(".min.js");
    expect(extensionOf("Makefile")).toBe("no extension");
    expect(extensionOf(".gitignore")).toBe("no extension");
  });
});
