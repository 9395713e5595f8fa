// The search and JSON compressors on the benchmark's real outputs (scripts/bench/fixtures, each
// recorded in its workload's MANIFEST.json with the command, the query and the needles): every
// needle stays in the compressed text itself, and the output fits the reduction the project targets.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compressJson } from "../../src/compressors/json.js";
import { compressSearch } from "../../src/compressors/search.js";
import { parseSearch } from "../../src/compressors/search-parse.js";
import type { Compressor } from "../../src/compressors/types.js";
import { parseMarkers } from "../../src/ccr/marker.js";
import { buildQuery } from "../../src/pipeline/query.js";
import { checkNeedle, type Needle } from "../../scripts/bench/lib.js";
import { contextFor } from "./contract.js";

const FIXTURES = new URL("../../scripts/bench/fixtures/", import.meta.url);

interface ManifestFile {
  readonly file: string;
  readonly query: string;
  readonly needles: Needle[];
}

function manifestFile(workload: string, file: string): ManifestFile & { text: string } {
  const manifest = JSON.parse(readFileSync(new URL(`${workload}/MANIFEST.json`, FIXTURES), "utf8")) as { files: ManifestFile[] };
  const entry = manifest.files.find((f) => f.file === file);
  if (!entry) throw new Error(`${workload}/${file} is not in the manifest`);
  return { ...entry, text: readFileSync(new URL(`${workload}/${file}`, FIXTURES), "utf8") };
}

const cases: { workload: string; file: string; compressor: Compressor; maxShare: number }[] = [
  { workload: "code-search", file: "grep-rni-timeout-undici-lib.txt", compressor: compressSearch, maxShare: 0.1 },
  { workload: "code-search", file: "grep-rn-process-env-node-modules.txt", compressor: compressSearch, maxShare: 0.1 },
  { workload: "code-search", file: "grep-rn-exports-zod-v4-core.txt", compressor: compressSearch, maxShare: 0.1 },
  { workload: "issue-triage", file: "gh-issue-list.json", compressor: compressJson, maxShare: 0.3 },
  // Mostly nested objects: the skeleton's members are pruned (json-prune.ts).
  { workload: "sre", file: "process-report.json", compressor: compressJson, maxShare: 0.35 },
  { workload: "sre", file: "metrics.json", compressor: compressJson, maxShare: 0.4 },
];

describe("search and JSON compressors on the benchmark outputs", () => {
  for (const { workload, file, compressor, maxShare } of cases) {
    it(`${workload}/${file}: keeps every needle in the text within ${Math.round(maxShare * 100)}% of the size`, () => {
      const { text, query, needles } = manifestFile(workload, file);
      const context = contextFor(text, { query: buildQuery(query) });
      const out = compressor(text, context)?.text ?? "";
      for (const needle of needles) expect(checkNeedle(out, needle), JSON.stringify(needle)).toBe(true);
      expect(out.length).toBeLessThanOrEqual(text.length * maxShare);
      expect(parseMarkers(out).every((m) => m.hash === context.hash)).toBe(true);
    });
  }

  it("prunes a report's skeleton with one marker per object that lost members, naming them", () => {
    const { text, query } = manifestFile("sre", "process-report.json");
    const context = contextFor(text, { query: buildQuery(query) });
    const result = compressJson(text, context);
    const skeleton = result?.text.split("\n")[0] ?? "";
    const keyMarkers = parseMarkers(skeleton).filter((m) => m.unit === "keys" || m.unit === "key");
    expect(keyMarkers.length).toBeGreaterThan(0);
    for (const marker of keyMarkers) expect(marker.detail ?? "").toMatch(/^[^,]+(, [^,]+)*$/);
    expect(parseMarkers(result?.text ?? "").length).toBe(result?.omissions.length);
    // Dropped members are named, and what is kept is the original data.
    expect(skeleton).toContain('"nodejsVersion":"v20.20.2"');
    expect(skeleton).toMatch(/\[\d+ keys omitted: [^\]]*javascriptHeap|"javascriptHeap":\{/);
  });

  it("does not take an nginx access log for grep output (its timestamps read like path:line:)", () => {
    const { text } = manifestFile("sre", "nginx-access.log");
    expect(text.split("\n").slice(0, 50).every((l) => l === "" || /^\S+ - \S+ \[\d+\/\w+\/\d+:\d+:/.test(l))).toBe(true);
    expect(parseSearch(text)).toBeNull();
    expect(compressSearch(text, contextFor(text))).toBeNull();
  });

  it("names every file of a grep output in the text, kept or folded, with match counts adding up", () => {
    const { text, query } = manifestFile("code-search", "grep-rn-process-env-node-modules.txt");
    const out = compressSearch(text, contextFor(text, { query: buildQuery(query) }))?.text ?? "";
    const lines = text.split("\n").filter((l) => l !== "");
    const kept = out.split("\n").filter((l) => parseMarkers(l).length === 0);
    const omitted = parseMarkers(out).reduce((sum, m) => sum + m.count, 0);
    expect(kept.length + omitted).toBe(lines.length);
    const summary = parseMarkers(out).at(-1);
    expect(summary?.detail).toMatch(/^in \d+ files under node_modules\/: /);
    // Files with kept lines are named by those lines; the others by the summary (alone or in a directory group).
    const files = new Set(lines.map((l) => l.slice(0, l.indexOf(":"))));
    for (const file of files) {
      const named = kept.some((l) => l.startsWith(`${file}:`)) || [...file.matchAll(/\//g)].some((m) => summary?.detail?.includes(file.slice("node_modules/".length, (m.index ?? 0) + 1)) ?? false) || (summary?.detail?.includes(file.slice("node_modules/".length)) ?? false);
      expect(named, file).toBe(true);
    }
  });
});
