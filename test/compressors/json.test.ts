import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compressJson } from "../../src/compressors/json.js";
import { decodeJsonTables } from "../../src/compressors/json-table.js";
import type { Query } from "../../src/compressors/types.js";
import { parseMarkers } from "../../src/ccr/marker.js";
import { EMPTY_QUERY, contextFor, runCompressorContract } from "./contract.js";

const FIXTURES = new URL("../fixtures/outputs/json/", import.meta.url);
const fixtures = readdirSync(FIXTURES)
  .filter((name) => name.endsWith(".txt"))
  .sort()
  .map((name) => ({ name, text: readFileSync(new URL(name, FIXTURES), "utf8") }));

function query(entities: string[], terms: string[] = []): Query {
  return { text: [...entities, ...terms].join(" "), terms, entities };
}

// Deterministic GitHub-style issue list (the shape `gh issue list --json ...` and the REST API return).
function issues(count: number): object[] {
  const states = ["open", "open", "open", "closed"];
  const labels = ["bug", "enhancement", "docs", "question"];
  return Array.from({ length: count }, (_, i) => ({
    number: 1000 + i,
    title: `Issue ${1000 + i}: ${["crash when parsing config", "slow startup", "typo in README", "add retry option"][i % 4]}`,
    state: states[i % 4],
    labels: [{ name: labels[i % 4], color: "d73a4a" }],
    user: { login: `user${i % 9}`, id: 5000 + (i % 9) },
    comments: (i * 7) % 11,
    created_at: `2026-01-${String((i % 28) + 1).padStart(2, "0")}T10:00:00Z`,
    body: `Steps to reproduce for issue ${1000 + i}. `.repeat(12) + "Expected it to work.",
  }));
}

function logRows(count: number): object[] {
  return Array.from({ length: count }, (_, i) => ({
    id: i,
    level: i === 57 || i === 133 ? "error" : "info",
    status: i === 88 ? 503 : 200,
    route: `/api/items/${i % 5}`,
    message: i === 57 ? "upstream timed out" : i === 133 ? "database refused connection" : "ok",
    ms: 12 + (i % 7),
  }));
}

// Rows shown in a table block of lossy output, and the rows its markers stand for.
function tableCounts(text: string): { shown: number; omitted: number } {
  const lines = text.split("\n");
  const header = lines.findIndex((line) => line.startsWith("<table 1 "));
  let shown = 0;
  let omitted = 0;
  for (const line of lines.slice(header + 2)) {
    if (line.startsWith("<table ")) break;
    const markers = parseMarkers(line);
    if (markers.length > 0 && line.startsWith("[") && markers[0]?.unit === "rows") omitted += markers[0].count;
    else shown++;
  }
  return { shown, omitted };
}

runCompressorContract(
  "json",
  compressJson,
  [
    ...fixtures.map((f) => ({ name: f.name, text: f.text, rewritesLines: true })),
    { name: "issues", text: JSON.stringify(issues(80), null, 2), rewritesLines: true },
    { name: "log rows", text: JSON.stringify(logRows(200)), rewritesLines: true },
  ],
);

describe("json compressor: lossless", () => {
  for (const fixture of fixtures) {
    it(`round trips ${fixture.name} through the table form`, () => {
      const context = contextFor(fixture.text, { losslessOnly: true });
      const result = compressJson(fixture.text, context);
      expect(result).not.toBeNull();
      expect(result?.omissions).toEqual([]);
      expect(decodeJsonTables(result?.text ?? "")).toEqual(JSON.parse(fixture.text));
    });
  }

  it("renders an array of similar objects as one header and one row per object", () => {
    const data = [
      { id: 1, name: "a,b", tags: ["x", "y"], meta: { ok: true } },
      { id: 2, name: "c\"d", tags: [], meta: null },
      { id: 3, name: "e|f", extra: "only here", tags: ["z"], meta: { ok: false } },
    ];
    const text = JSON.stringify(data, null, 2);
    const result = compressJson(text, contextFor(text, { losslessOnly: true }));
    const lines = result?.text.split("\n") ?? [];
    expect(lines[0]).toBe("<table 1 $ rows=3>");
    expect(lines[1]).toBe('"id","name","tags","meta","extra"');
    expect(lines[3]).toBe('2,"c\\"d",[],null,');
    expect(decodeJsonTables(result?.text ?? "")).toEqual(data);
  });

  it("puts tables found under keys after a skeleton that points at them", () => {
    const data = { total_count: 40, incomplete_results: false, items: issues(40) };
    const text = JSON.stringify(data, null, 2);
    const result = compressJson(text, contextFor(text, { losslessOnly: true }));
    expect(result?.text.split("\n")[0]).toBe('{"total_count":40,"incomplete_results":false,"items":<table 1>}');
    expect(result?.text).toContain("<table 1 $.items rows=40>");
    expect(decodeJsonTables(result?.text ?? "")).toEqual(data);
  });

  it("stops at the lossless form when that fits the budget", () => {
    const text = JSON.stringify(issues(30), null, 2);
    const result = compressJson(text, contextFor(text, { budget: 100_000 }));
    expect(result?.omissions).toEqual([]);
    expect(decodeJsonTables(result?.text ?? "")).toEqual(JSON.parse(text));
  });
});

describe("json compressor: what it refuses", () => {
  it("returns null for nesting 10,000 levels deep without throwing", () => {
    const arrays = "[".repeat(10_000) + "]".repeat(10_000);
    const objects = '{"a":'.repeat(10_000) + "1" + "}".repeat(10_000);
    expect(compressJson(arrays, contextFor(arrays))).toBeNull();
    expect(compressJson(objects, contextFor(objects))).toBeNull();
  });

  it("returns null for text that only looks like JSON", () => {
    for (const text of [
      '{"a": 1, "b": [1, 2, 3],}',
      '[{"a": 1}, {"a": 2}',
      '{"a": 1}\n{"a": 2}\n{"a": 3}',
      "{key: 'value', other: 2}",
      "[INFO] build started\n[INFO] done",
      '"just a string"',
      "12345",
    ]) {
      expect(compressJson(text.repeat(1), contextFor(text))).toBeNull();
    }
  });

  it("returns null when re-serializing would change data (duplicate keys, big integers)", () => {
    const duplicate = `[${Array.from({ length: 50 }, (_, i) => `{"id": ${i}, "id": ${i + 1}, "name": "row ${i}"}`).join(",\n")}]`;
    const bigInt = `[${Array.from({ length: 50 }, (_, i) => `{"id": 12345678901234567${i + 10}, "name": "row ${i}"}`).join(",\n")}]`;
    expect(compressJson(duplicate, contextFor(duplicate))).toBeNull();
    expect(compressJson(bigInt, contextFor(bigInt))).toBeNull();
  });

  it("keeps floats that round-trip exactly", () => {
    const text = JSON.stringify(Array.from({ length: 40 }, (_, i) => ({ i, duration: 0.1 + i * 1.6825829999999655 })), null, 2);
    const result = compressJson(text, contextFor(text, { losslessOnly: true }));
    expect(decodeJsonTables(result?.text ?? "")).toEqual(JSON.parse(text));
  });
});

describe("json compressor: lossy row selection", () => {
  it("always keeps error rows, the first and the last row, and counts every dropped row", () => {
    const text = JSON.stringify(logRows(200), null, 2);
    const result = compressJson(text, contextFor(text));
    const out = result?.text ?? "";
    expect(out).toContain('57,"error",200,"/api/items/2","upstream timed out"');
    expect(out).toContain('133,"error",200,"/api/items/3","database refused connection"');
    expect(out).toContain('88,"info",503,');
    expect(out).toContain('\n0,"info",200,');
    expect(out).toContain('\n199,"info",200,');
    const { shown, omitted } = tableCounts(out);
    expect(shown + omitted).toBe(200);
    expect(omitted).toBeGreaterThan(100);
    expect(result?.omissions.reduce((sum, o) => sum + (o.unit === "rows" ? o.count : 0), 0)).toBe(omitted);
  });

  it("keeps rows matching the query's entities", () => {
    const text = JSON.stringify(issues(120), null, 2);
    const result = compressJson(text, contextFor(text, { query: query(["1077", "1093"]) }));
    expect(result?.text).toMatch(/\n1077,"Issue 1077/);
    expect(result?.text).toMatch(/\n1093,"Issue 1093/);
    expect(result?.text).not.toMatch(/\n1050,"Issue 1050/);
  });

  it("keeps anomalies: a rare categorical value and a numeric outlier", () => {
    const rows = Array.from({ length: 150 }, (_, i) => ({
      id: i,
      region: i === 70 ? "ap-south-2" : ["us-east-1", "eu-west-1"][i % 2],
      latency: i === 101 ? 9800 : 40 + (i % 9),
    }));
    const text = JSON.stringify(rows, null, 2);
    const result = compressJson(text, contextFor(text));
    expect(result?.text).toContain('\n70,"ap-south-2",');
    expect(result?.text).toContain("\n101,");
    expect(result?.text).toContain(",9800");
  });

  it("keeps the failing tests of a real vitest JSON report whole", () => {
    const fixture = fixtures.find((f) => f.name === "vitest-json-reporter-failures.txt");
    const text = fixture?.text ?? "";
    const result = compressJson(text, contextFor(text));
    for (const name of ["arithmetic adds 17 + 17", "arithmetic adds 42 + 42", "strings pads 23"]) expect(result?.text).toContain(name);
    expect(result?.text).toContain("AssertionError: expected 34 to be 51");
    expect(result?.text.length).toBeLessThan(text.length * 0.3);
  });

  it("cuts long strings only with a marker and never drops a key", () => {
    const text = JSON.stringify(issues(60), null, 2);
    const result = compressJson(text, contextFor(text));
    const out = result?.text ?? "";
    expect(out).toMatch(/Steps to reproduce for issue 1000\. .*…\[\d+ chars omitted · headroom_retrieve hash=[0-9a-f]{16}\]"/);
    expect(out.split("\n")[1]).toBe('"number","title","state","labels","user","comments","created_at","body"');
  });

  it("reduces a GitHub-style issue list by at least 70%", () => {
    for (const count of [30, 100]) {
      const text = JSON.stringify(issues(count), null, 2);
      const result = compressJson(text, contextFor(text, { query: EMPTY_QUERY }));
      expect(result?.text.length ?? text.length).toBeLessThan(text.length * 0.3);
    }
  });
});
