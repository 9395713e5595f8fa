// headroom's compression benchmark: real tool outputs (scripts/bench/fixtures/<workload>/), each with
// the query an agent would have and the facts (needles) it needs. See scripts/bench/README.md.
//
//   node --import tsx scripts/bench/compress.ts [--json] [--workload NAME] [--min-ms N] [--no-version]
//
// For each workload: tokens before/after (o200k_base), reduction, needles kept in the compressed text,
// needles reachable after retrieval (through a hash named by a marker in the text), needles kept by a
// head+tail truncation of the same token count, throughput (MB/s) and p50 latency on a ~40 KB input.
// Runs against a temporary HEADROOM_HOME so it never touches the user's store.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { checkNeedle, headTail, p50, type Needle } from "./lib.js";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const FIXTURES = join(ROOT, "scripts/bench/fixtures");
const MODEL = "gpt-4o"; // o200k_base, exact (not an estimate)
const SAMPLE_BYTES = 40 * 1024;

function flag(name: string): boolean {
  return process.argv.includes(name);
}
function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}
const JSON_OUT = flag("--json");
const ONLY = option("--workload");
const MIN_MS = Number(option("--min-ms") ?? 300);

// A private home for the store, set before headroom's modules are loaded.
const HOME = mkdtempSync(join(tmpdir(), "headroom-bench-"));
process.env.HEADROOM_HOME = HOME;

interface ManifestFile {
  file: string;
  command: string;
  query: string;
  kind?: string;
  needles: Needle[];
}
interface Manifest {
  workload: string;
  title: string;
  files: ManifestFile[];
}

interface CompressTextResult {
  text: string;
  kind: string;
  tokensBefore: number;
  tokensAfter: number;
  hashes: string[];
  fallback?: string;
}
type CompressText = (text: string, options?: { query?: string; kind?: never; store?: unknown }) => Promise<CompressTextResult>;
type Retrieve = (store: unknown, hash: string) => { text: string } | undefined;

interface FileResult {
  file: string;
  bytes: number;
  kind: string;
  tokensBefore: number;
  tokensAfter: number;
  reductionPct: number;
  fallback?: string;
  needles: number;
  keptInText: number;
  keptAfterRetrieval: number;
  keptByHeadTail: number;
  missingInText: string[];
  missingAfterRetrieval: string[];
  markers: number;
}

interface WorkloadResult {
  workload: string;
  title: string;
  files: FileResult[];
  tokensBefore: number;
  tokensAfter: number;
  reductionPct: number;
  needles: number;
  keptInTextPct: number;
  keptAfterRetrievalPct: number;
  keptByHeadTailPct: number;
  throughputMBps: number;
  throughputMBpsPipelineOnly?: number;
  sample: { file: string; bytes: number; p50Ms: number; p50MsPipelineOnly?: number };
}

function loadManifests(): Manifest[] {
  return readdirSync(FIXTURES, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(FIXTURES, d.name, "MANIFEST.json")))
    .map((d) => JSON.parse(readFileSync(join(FIXTURES, d.name, "MANIFEST.json"), "utf8")) as Manifest)
    .filter((m) => !ONLY || m.workload === ONLY)
    .sort((a, b) => order(a.workload) - order(b.workload));
}
function order(workload: string): number {
  const i = ["code-search", "sre", "issue-triage", "exploration"].indexOf(workload);
  return i < 0 ? 99 : i;
}

const pct = (part: number, whole: number) => (whole === 0 ? 100 : (100 * part) / whole);

/**
 * A ~40 KB input for the latency figure: the smallest workload file of at least 40 KB, cut at the
 * last line end before 40 KB (JSON files are never cut: a cut would not parse); else the largest file.
 */
function sampleOf(texts: { file: string; text: string }[]): { file: string; text: string } {
  const bySize = [...texts].sort((a, b) => a.text.length - b.text.length);
  const cuttable = bySize.find((t) => t.text.length >= SAMPLE_BYTES && !t.file.endsWith(".json"));
  if (!cuttable) return bySize[bySize.length - 1] as { file: string; text: string };
  const cut = cuttable.text.lastIndexOf("\n", SAMPLE_BYTES);
  const end = cut > SAMPLE_BYTES / 2 ? cut + 1 : SAMPLE_BYTES;
  return { file: `${cuttable.file} (first ${end} bytes)`, text: cuttable.text.slice(0, end) };
}

/** Runs fn repeatedly for at least MIN_MS (and at least `min` times); returns each run's ms. */
async function timeRuns(fn: () => Promise<unknown> | unknown, min = 5): Promise<number[]> {
  const times: number[] = [];
  const start = performance.now();
  while (times.length < min || performance.now() - start < MIN_MS) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
    if (times.length > 10_000) break;
  }
  return times;
}

function versionWallTime(): { p50Ms: number; runs: number } | { error: string } {
  const launcher = join(ROOT, "bin/headroom.js");
  if (!existsSync(join(ROOT, "dist/src/cli/main.js"))) return { error: "dist/src/cli/main.js missing: run `npm run build` first" };
  const times: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t0 = performance.now();
    const child = spawnSync(process.execPath, [launcher, "--version"], { encoding: "utf8", env: { ...process.env, HEADROOM_HOME: HOME } });
    times.push(performance.now() - t0);
    if (child.status !== 0) return { error: `exit ${child.status}: ${child.stderr.trim().split("\n")[0] ?? ""}` };
  }
  return { p50Ms: p50(times), runs: times.length };
}

/** --check-fixtures: every needle is in its original; head+tail at 10% of the tokens, for reference. */
async function checkFixtures(): Promise<number> {
  const { loadCounter } = await import("../../src/tokens/count.js");
  const count = await loadCounter(MODEL);
  let errors = 0;
  for (const manifest of loadManifests()) {
    for (const entry of manifest.files) {
      const text = readFileSync(join(FIXTURES, manifest.workload, entry.file), "utf8");
      const tokens = count(text);
      const baseline = headTail(text, Math.round(tokens * 0.1), count);
      const kept = entry.needles.filter((n) => checkNeedle(baseline, n)).length;
      const missing = entry.needles.filter((n) => !checkNeedle(text, n));
      errors += missing.length;
      console.log(
        `${manifest.workload}/${entry.file}: ${tokens} tokens, ${entry.needles.length} needles, head+tail@10% keeps ${kept}` +
          (missing.length ? `; NOT IN ORIGINAL: ${missing.map((n) => JSON.stringify(n)).join(", ")}` : ""),
      );
    }
  }
  return errors > 0 ? 2 : 0;
}

async function main(): Promise<number> {
  if (flag("--check-fixtures")) return checkFixtures();
  // Loaded after HEADROOM_HOME is set. These are the pipeline's public contract (src/index.ts) and
  // the store/retrieval modules behind it.
  const lib = (await import("../../src/index.js")) as unknown as { compressText: CompressText };
  const { Store } = (await import("../../src/ccr/store.js")) as unknown as {
    Store: { open(options: { path: string }): { close(): void } };
  };
  const { retrieve } = (await import("../../src/ccr/retrieve.js")) as unknown as { retrieve: Retrieve };
  const { parseMarkers } = await import("../../src/ccr/marker.js");
  const { loadCounter } = await import("../../src/tokens/count.js");
  let compressUnit: ((text: string, options: { query: unknown }) => unknown) | undefined;
  let buildQuery: ((text: string) => unknown) | undefined;
  try {
    compressUnit = ((await import("../../src/pipeline/compress-unit.js")) as { compressUnit: typeof compressUnit }).compressUnit;
    buildQuery = ((await import("../../src/pipeline/query.js")) as { buildQuery: typeof buildQuery }).buildQuery;
  } catch {
    compressUnit = undefined;
  }

  const store = Store.open({ path: join(HOME, "bench.db") });
  const count = await loadCounter(MODEL);
  const fixtureErrors: string[] = [];
  const results: WorkloadResult[] = [];

  for (const manifest of loadManifests()) {
    const dir = join(FIXTURES, manifest.workload);
    const files: FileResult[] = [];
    const texts: { file: string; text: string; query: string }[] = [];
    let bytes = 0;
    for (const entry of manifest.files) {
      const text = readFileSync(join(dir, entry.file), "utf8");
      texts.push({ file: entry.file, text, query: entry.query });
      bytes += Buffer.byteLength(text);
      for (const needle of entry.needles) {
        if (!checkNeedle(text, needle)) fixtureErrors.push(`${manifest.workload}/${entry.file}: needle not in the original: ${JSON.stringify(needle)}`);
      }
      const options = { query: entry.query, store, ...(entry.kind ? { kind: entry.kind as never } : {}) };
      const result = await lib.compressText(text, options);
      const markerHashes = new Set(parseMarkers(result.text).map((m) => m.hash));
      const retrieved = new Map<string, string>();
      for (const hash of result.hashes) {
        if (!markerHashes.has(hash)) continue; // only what the agent can see a way to
        const original = retrieve(store, hash);
        if (original) retrieved.set(hash, original.text);
      }
      const baseline = headTail(text, result.tokensAfter, count);
      const missingInText: string[] = [];
      const missingAfterRetrieval: string[] = [];
      let keptByHeadTail = 0;
      for (const needle of entry.needles) {
        const label = typeof needle === "string" ? needle : needle.near.join(" … ");
        const inText = checkNeedle(result.text, needle);
        if (!inText) missingInText.push(label);
        if (!inText && ![...retrieved.values()].some((original) => checkNeedle(original, needle))) missingAfterRetrieval.push(label);
        if (checkNeedle(baseline, needle)) keptByHeadTail++;
      }
      const n = entry.needles.length;
      files.push({
        file: entry.file,
        bytes: Buffer.byteLength(text),
        kind: result.kind,
        tokensBefore: result.tokensBefore,
        tokensAfter: result.tokensAfter,
        reductionPct: pct(result.tokensBefore - result.tokensAfter, result.tokensBefore),
        ...(result.fallback ? { fallback: result.fallback } : {}),
        needles: n,
        keptInText: n - missingInText.length,
        keptAfterRetrieval: n - missingAfterRetrieval.length,
        keptByHeadTail,
        missingInText,
        missingAfterRetrieval,
        markers: parseMarkers(result.text).length,
      });
    }

    // Throughput: every file of the workload, compressText end to end (detect, compress, store, count).
    const runs = await timeRuns(async () => {
      for (const t of texts) await lib.compressText(t.text, { query: t.query, store });
    }, 3);
    const throughputMBps = bytes / 1e6 / (p50(runs) / 1000);
    let throughputMBpsPipelineOnly: number | undefined;
    if (compressUnit && buildQuery) {
      const unit = compressUnit;
      const prepared = texts.map((t) => ({ text: t.text, query: (buildQuery as (q: string) => unknown)(t.query) }));
      const unitRuns = await timeRuns(() => {
        for (const t of prepared) unit(t.text, { query: t.query });
      }, 3);
      throughputMBpsPipelineOnly = bytes / 1e6 / (p50(unitRuns) / 1000);
    }

    const sample = sampleOf(texts);
    const sampleQuery = texts.find((t) => sample.file.startsWith(t.file))?.query ?? "";
    const sampleRuns = await timeRuns(() => lib.compressText(sample.text, { query: sampleQuery, store }), 20);
    let p50MsPipelineOnly: number | undefined;
    if (compressUnit && buildQuery) {
      const unit = compressUnit;
      const query = buildQuery(sampleQuery);
      p50MsPipelineOnly = p50(await timeRuns(() => unit(sample.text, { query }), 20));
    }

    const sum = (f: (r: FileResult) => number) => files.reduce((acc, r) => acc + f(r), 0);
    const needles = sum((r) => r.needles);
    results.push({
      workload: manifest.workload,
      title: manifest.title,
      files,
      tokensBefore: sum((r) => r.tokensBefore),
      tokensAfter: sum((r) => r.tokensAfter),
      reductionPct: pct(sum((r) => r.tokensBefore - r.tokensAfter), sum((r) => r.tokensBefore)),
      needles,
      keptInTextPct: pct(sum((r) => r.keptInText), needles),
      keptAfterRetrievalPct: pct(sum((r) => r.keptAfterRetrieval), needles),
      keptByHeadTailPct: pct(sum((r) => r.keptByHeadTail), needles),
      throughputMBps,
      ...(throughputMBpsPipelineOnly !== undefined ? { throughputMBpsPipelineOnly } : {}),
      sample: {
        file: sample.file,
        bytes: Buffer.byteLength(sample.text),
        p50Ms: p50(sampleRuns),
        ...(p50MsPipelineOnly !== undefined ? { p50MsPipelineOnly } : {}),
      },
    });
  }

  // Throughput by detected kind (targets are stated for JSON and logs): end to end and pipeline only.
  const byKind = new Map<string, { bytes: number; ms: number; unitMs: number }>();
  const manifests = loadManifests();
  for (const w of results) {
    for (const f of w.files) {
      const text = readFileSync(join(FIXTURES, w.workload, f.file), "utf8");
      const query = manifests.find((m) => m.workload === w.workload)?.files.find((x) => x.file === f.file)?.query ?? "";
      const ms = p50(await timeRuns(() => lib.compressText(text, { query, store }), 3));
      let unitMs = NaN;
      if (compressUnit && buildQuery) {
        const unit = compressUnit;
        const q = buildQuery(query);
        unitMs = p50(await timeRuns(() => unit(text, { query: q }), 3));
      }
      const k = byKind.get(f.kind) ?? { bytes: 0, ms: 0, unitMs: 0 };
      k.bytes += f.bytes;
      k.ms += ms;
      k.unitMs += unitMs;
      byKind.set(f.kind, k);
    }
  }
  const throughputByKind = Object.fromEntries(
    [...byKind]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([kind, k]) => [
        kind,
        { bytes: k.bytes, MBps: k.bytes / 1e6 / (k.ms / 1000), MBpsPipelineOnly: k.bytes / 1e6 / (k.unitMs / 1000) },
      ]),
  );

  const version = flag("--no-version") ? undefined : versionWallTime();
  store.close();

  if (JSON_OUT) {
    console.log(
      JSON.stringify(
        { version: 1, tokenizer: { model: MODEL, encoding: "o200k_base", estimate: false }, node: process.version, workloads: results, throughputByKind, versionCommand: version, fixtureErrors },
        null,
        2,
      ),
    );
  } else {
    print(results, throughputByKind, version, fixtureErrors);
  }
  return fixtureErrors.length > 0 ? 2 : 0;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

function print(
  results: WorkloadResult[],
  byKind: Record<string, { bytes: number; MBps: number; MBpsPipelineOnly: number }>,
  version: ReturnType<typeof versionWallTime> | undefined,
  fixtureErrors: string[],
): void {
  const f1 = (n: number) => n.toFixed(1);
  const f2 = (n: number) => n.toFixed(2);
  console.log(`headroom bench: tokens counted with o200k_base (${MODEL}); node ${process.version}\n`);
  console.log(
    table(
      ["workload", "tokens before", "after", "reduction", "needles in text", "after retrieval", "head+tail", "MB/s", "MB/s pipeline", "p50 40KB", "p50 pipeline"],
      results.map((w) => [
        w.workload,
        String(w.tokensBefore),
        String(w.tokensAfter),
        `${f1(w.reductionPct)}%`,
        `${f1(w.keptInTextPct)}%`,
        `${f1(w.keptAfterRetrievalPct)}%`,
        `${f1(w.keptByHeadTailPct)}%`,
        f1(w.throughputMBps),
        w.throughputMBpsPipelineOnly === undefined ? "-" : f1(w.throughputMBpsPipelineOnly),
        `${f2(w.sample.p50Ms)} ms`,
        w.sample.p50MsPipelineOnly === undefined ? "-" : `${f2(w.sample.p50MsPipelineOnly)} ms`,
      ]),
    ),
  );
  console.log("\nper file:");
  console.log(
    table(
      ["file", "kind", "bytes", "before", "after", "reduction", "needles", "in text", "retrieved", "head+tail", "markers"],
      results.flatMap((w) =>
        w.files.map((r) => [
          `${w.workload}/${r.file}`,
          r.kind,
          String(r.bytes),
          String(r.tokensBefore),
          String(r.tokensAfter),
          `${f1(r.reductionPct)}%`,
          String(r.needles),
          String(r.keptInText),
          String(r.keptAfterRetrieval),
          String(r.keptByHeadTail),
          String(r.markers),
        ]),
      ),
    ),
  );
  const notes = results.flatMap((w) =>
    w.files.flatMap((r) => [
      ...(r.fallback ? [`${w.workload}/${r.file}: original kept (${r.fallback})`] : []),
      ...r.missingInText.map((n) => `${w.workload}/${r.file}: needle not in text${r.missingAfterRetrieval.includes(n) ? " NOR after retrieval" : ""}: ${n}`),
    ]),
  );
  if (notes.length) console.log(`\n${notes.join("\n")}`);
  console.log(`\nlatency samples: ${results.map((w) => `${w.workload}: ${w.sample.file} (${w.sample.bytes} B)`).join("; ")}`);
  console.log("MB/s and p50 40KB: compressText end to end (detect, compress, store the original, count tokens before and after);");
  console.log("MB/s pipeline and p50 pipeline: compressUnit only (detect + compress: what a request waits on when counting and storing are off the hot path).");
  console.log("\nthroughput by detected kind, MB/s end to end / pipeline only:");
  for (const [k, v] of Object.entries(byKind)) console.log(`  ${k.padEnd(8)} ${f1(v.MBps).padStart(6)} / ${f1(v.MBpsPipelineOnly).padStart(6)}   (${v.bytes} B)`);
  if (version) {
    console.log("error" in version ? `\nheadroom --version: ${version.error}` : `\nheadroom --version: p50 ${f1(version.p50Ms)} ms wall over ${version.runs} spawns of \`node bin/headroom.js --version\``);
  }
  if (fixtureErrors.length) console.log(`\nFIXTURE ERRORS:\n${fixtureErrors.join("\n")}`);
}

try {
  process.exitCode = await main();
} finally {
  rmSync(HOME, { recursive: true, force: true });
}
