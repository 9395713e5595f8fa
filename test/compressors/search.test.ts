import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compressSearch } from "../../src/compressors/search.js";
import type { Query } from "../../src/compressors/types.js";
import { parseMarkers } from "../../src/ccr/marker.js";
import { contextFor, runCompressorContract } from "./contract.js";

const FIXTURES = new URL("../fixtures/outputs/search/", import.meta.url);
const fixtures = readdirSync(FIXTURES)
  .filter((name) => name.endsWith(".txt"))
  .sort()
  .map((name) => ({ name, text: readFileSync(new URL(name, FIXTURES), "utf8") }));
const fixture = (name: string): string => fixtures.find((f) => f.name === name)?.text ?? "";

function query(text: string, entities: string[], terms: string[] = []): Query {
  return { text, terms, entities };
}

// The query a grep tool call brings: the pattern, plus what the human asked.
const optionQuery = query("why does storeOptionsAsProperties throw? grep option", ["storeOptionsAsProperties"], ["option", "storeoptionsasproperties", "throw"]);

runCompressorContract("search", compressSearch, [
  ...fixtures.map((f) => ({ name: f.name, text: f.text })),
  { name: "grep-rn-commander-option.txt with a query", text: fixture("grep-rn-commander-option.txt"), query: optionQuery },
]);

function outputLines(text: string): { kept: string[]; markers: ReturnType<typeof parseMarkers> } {
  const kept: string[] = [];
  const markers: ReturnType<typeof parseMarkers> = [];
  for (const line of text.split("\n")) {
    const found = parseMarkers(line);
    if (found.length > 0) markers.push(...found);
    else kept.push(line);
  }
  return { kept, markers };
}

describe("search compressor", () => {
  it("reduces a 300-line grep output by at least 80% with an empty query", () => {
    for (const name of ["grep-rn-commander-option.txt", "rg-n-undici-buffer.txt"]) {
      const text = fixture(name);
      expect(text.split("\n").length).toBeGreaterThanOrEqual(300);
      const result = compressSearch(text, contextFor(text));
      expect(result?.text.length ?? text.length).toBeLessThan(text.length * 0.2);
    }
  });

  it("keeps the query-relevant lines (needles) and still reduces by at least 90%", () => {
    const text = fixture("grep-rn-commander-option.txt");
    const result = compressSearch(text, contextFor(text, { query: optionQuery }));
    const out = result?.text ?? "";
    for (const line of text.split("\n").filter((l) => l.includes("storeOptionsAsProperties"))) expect(out).toContain(line);
    expect(out.length).toBeLessThan(text.length * 0.1);
  });

  it("accounts for every match: kept matches plus marker counts equal the matches in the input", () => {
    for (const name of ["grep-rn-commander-option.txt", "rg-n-undici-buffer.txt", "grep-rn-createserver.txt", "grep-r-mcp-async-function.txt"]) {
      const text = fixture(name);
      const total = text.split("\n").filter((l) => l !== "").length;
      const result = compressSearch(text, contextFor(text));
      const { kept, markers } = outputLines(result?.text ?? "");
      const omitted = markers.reduce((sum, m) => sum + m.count, 0);
      expect(markers.every((m) => m.unit === (m.count === 1 ? "match" : "matches"))).toBe(true);
      expect(kept.length + omitted).toBe(total);
    }
  });

  it("keeps the first and the last match of each file when the budget allows", () => {
    const files = ["src/a.ts", "src/b.ts", "lib/c.js"];
    const lines = files.flatMap((file) => Array.from({ length: 60 }, (_, i) => `${file}:${i * 3 + 1}:  const value${i} = compute(${i}); // TODO tidy up`));
    const text = lines.join("\n");
    const result = compressSearch(text, contextFor(text, { budget: 400 }));
    const out = result?.text ?? "";
    for (const file of files) {
      expect(out).toContain(`${file}:1:  const value0 = compute(0); // TODO tidy up`);
      expect(out).toContain(`${file}:178:  const value59 = compute(59); // TODO tidy up`);
    }
    expect(result?.omissions).toEqual(files.map(() => ({ count: 58, unit: "matches" })));
  });

  it("folds many files into markers that name the files with their match counts", () => {
    const text = Array.from({ length: 150 }, (_, i) => `pkg/module${i}/index.js:${10 + i}:export function handler${i}(req, res) { return next(req); }`).join("\n");
    const result = compressSearch(text, contextFor(text));
    const out = result?.text ?? "";
    expect(out.length).toBeLessThan(text.length * 0.15);
    expect(out).toMatch(/\[\d+ matches omitted: in \d+ files under pkg\/: module\d+\/index\.js 1, /);
    const { kept, markers } = outputLines(out);
    expect(kept.length + markers.reduce((sum, m) => sum + m.count, 0)).toBe(150);
  });

  it("keeps grep -C context around kept matches and counts omitted context lines", () => {
    const text = fixture("grep-c2-zod-superrefine.txt");
    const result = compressSearch(text, contextFor(text, { query: query("pickomit", ["pickomit.test.ts"]) }));
    const out = result?.text ?? "";
    expect(out).toContain("./src/v4/classic/tests/pickomit.test.ts:145:  const refinedSchema = baseSchema.superRefine((val, ctx) => {");
    expect(out).toContain("./src/v4/classic/tests/pickomit.test.ts-146-");
    expect(out).toMatch(/matches omitted: and \d+ context lines/);
  });

  it("understands ripgrep --heading output", () => {
    const text = fixture("rg-heading-undici-symbol.txt");
    const result = compressSearch(text, contextFor(text));
    const out = result?.text ?? "";
    expect(out.startsWith("node_modules/undici/lib/")).toBe(true);
    expect(out.length).toBeLessThan(text.length * 0.2);
    // a heading is only shown with at least one of its lines after it
    const lines = out.split("\n");
    lines.forEach((line, i) => {
      if (line.startsWith("node_modules/")) expect(lines[i + 1] ?? "").toMatch(/^\d+:/);
    });
  });

  it("in lossless-only mode folds only repeated lines", () => {
    const text = fixture("grep-rn-commander-option.txt");
    expect(compressSearch(text, contextFor(text, { losslessOnly: true }))).toBeNull();
    const repeated = [...Array.from({ length: 5 }, (_, i) => `a.txt:${i + 1}:x`), ...Array.from({ length: 40 }, () => "a.txt:9:same line again and again")].join("\n");
    const result = compressSearch(repeated, contextFor(repeated, { losslessOnly: true }));
    expect(result?.omissions).toEqual([]);
    expect(result?.text).toContain("a.txt:9:same line again and again\n[previous line repeated 39 more times]");
  });

  it("returns null for text that is not search output", () => {
    const prose = "The quick brown fox jumps over the lazy dog.\n".repeat(80);
    const yaml = Array.from({ length: 60 }, (_, i) => `key${i}: value ${i}`).join("\n");
    const json = JSON.stringify({ a: 1, b: [1, 2, 3] }, null, 2).repeat(20);
    for (const text of [prose, yaml, json]) expect(compressSearch(text, contextFor(text))).toBeNull();
  });
});
