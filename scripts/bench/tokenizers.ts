// Tokenizer choice: js-tiktoken vs gpt-tokenizer on o200k_base and cl100k_base.
//
//   node --import tsx scripts/bench/tokenizers.ts [--json] [--load-runs N] [--count-runs N] [--files N]
//
// Measures, for each library and encoding:
//   - load: time from first import to first count, in a fresh child process (p50 over --load-runs),
//     plus the child's whole wall time (spawn to exit) for context;
//   - count (same text): p50 count time of one ~40 KB real text, repeated (warm caches);
//   - count (varied): p50 over distinct ~40 KB real texts (no text seen twice: what a proxy sees);
//   - agreement: whether both libraries give identical counts on every file of a corpus of real
//     texts (node_modules sources and docs, package JSON, system logs, the bench fixtures).
// Special tokens such as "<|endoftext|>" inside a text are counted as ordinary text by both (that is
// how a tool output containing them is billed), so neither library throws on them.

import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

type Lib = "js-tiktoken" | "gpt-tokenizer";
type Encoding = "o200k_base" | "cl100k_base";
type Counter = (text: string) => number;

const LIBS: readonly Lib[] = ["js-tiktoken", "gpt-tokenizer"];
const ENCODINGS: readonly Encoding[] = ["o200k_base", "cl100k_base"];
const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  const value = at >= 0 ? Number(process.argv[at + 1]) : NaN;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}
const JSON_OUT = process.argv.includes("--json");
const LOAD_RUNS = arg("--load-runs", 7);
const COUNT_RUNS = arg("--count-runs", 60);
const FILES = arg("--files", 200);

// --- loading -------------------------------------------------------------------------------------

/** ESM source, run in a child, that loads one library's encoding and counts one short string. */
function loaderSource(lib: Lib, encoding: Encoding): string {
  const body =
    lib === "gpt-tokenizer"
      ? `const m = await import("gpt-tokenizer/encoding/${encoding}");
         const n = m.countTokens("hello world", { disallowedSpecial: new Set() });`
      : `const { Tiktoken } = await import("js-tiktoken/lite");
         const ranks = (await import("js-tiktoken/ranks/${encoding}")).default;
         const enc = new Tiktoken(ranks);
         const n = enc.encode("hello world", [], []).length;`;
  return `const t0 = performance.now();
${body}
const t1 = performance.now();
process.stdout.write(JSON.stringify({ loadMs: t1 - t0, n }));`;
}

interface LoadSample {
  loadMs: number;
  wallMs: number;
}

function measureLoad(lib: Lib, encoding: Encoding): LoadSample {
  const start = performance.now();
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", loaderSource(lib, encoding)], {
    cwd: ROOT,
    encoding: "utf8",
  });
  const wallMs = performance.now() - start;
  if (child.status !== 0) throw new Error(`${lib} ${encoding} failed to load: ${child.stderr}`);
  const parsed = JSON.parse(child.stdout) as { loadMs: number; n: number };
  if (parsed.n !== 2) throw new Error(`${lib} ${encoding}: unexpected count ${parsed.n} for "hello world"`);
  return { loadMs: parsed.loadMs, wallMs };
}

/** Also measures a bare `node -e` so the spawn overhead inside wall times is visible. */
function measureBareNode(): number {
  const start = performance.now();
  spawnSync(process.execPath, ["--input-type=module", "-e", "0"], { cwd: ROOT });
  return performance.now() - start;
}

async function loadCounter(lib: Lib, encoding: Encoding): Promise<Counter> {
  if (lib === "gpt-tokenizer") {
    const mod =
      encoding === "o200k_base"
        ? await import("gpt-tokenizer/encoding/o200k_base")
        : await import("gpt-tokenizer/encoding/cl100k_base");
    const options = { disallowedSpecial: new Set<string>() };
    return (text) => mod.countTokens(text, options);
  }
  const { Tiktoken } = await import("js-tiktoken/lite");
  const ranks =
    encoding === "o200k_base"
      ? (await import("js-tiktoken/ranks/o200k_base")).default
      : (await import("js-tiktoken/ranks/cl100k_base")).default;
  const enc = new Tiktoken(ranks);
  return (text) => enc.encode(text, [], []).length;
}

// --- corpus --------------------------------------------------------------------------------------

interface CorpusFile {
  path: string;
  text: string;
}

function walk(dir: string, out: string[], limit: number, accept: (path: string) => boolean): void {
  if (out.length >= limit) return;
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return;
  }
  for (const name of entries) {
    if (out.length >= limit) return;
    const path = join(dir, name);
    let info;
    try {
      info = statSync(path);
    } catch {
      continue;
    }
    if (info.isDirectory()) walk(path, out, limit, accept);
    else if (info.isFile() && info.size > 200 && info.size < 400_000 && accept(path)) out.push(path);
  }
}

/** Deterministic spread: every k-th file, so the corpus covers many packages, not the first few. */
function spread<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items];
  const step = items.length / n;
  return Array.from({ length: n }, (_, i) => items[Math.floor(i * step)] as T);
}

function buildCorpus(n: number): CorpusFile[] {
  const paths: string[] = [];
  const nm = join(ROOT, "node_modules");
  const kinds: [RegExp, number][] = [
    [/\.(m?js|cjs)$/, 0.4],
    [/\.d\.ts$/, 0.15],
    [/\.md$/, 0.15],
    [/\.json$/, 0.15],
  ];
  const all: string[] = [];
  walk(nm, all, 20_000, (p) => kinds.some(([re]) => re.test(p)));
  for (const [re, share] of kinds) paths.push(...spread(all.filter((p) => re.test(p)), Math.round(n * share)));
  // Logs and other real text on this machine.
  const logs: string[] = [];
  walk("/var/log", logs, 50, (p) => /\.log$/.test(p));
  paths.push(...spread(logs, Math.round(n * 0.05)));
  const fixtures: string[] = [];
  walk(join(ROOT, "scripts/bench/fixtures"), fixtures, 1000, (p) => !p.endsWith("MANIFEST.json"));
  paths.push(...spread(fixtures, n - paths.length));
  // Top up from the rest of node_modules when logs or fixtures were fewer than their share.
  const chosen = new Set(paths);
  for (const path of spread(all, all.length)) {
    if (chosen.size >= n) break;
    if (!chosen.has(path) && all.indexOf(path) % 7 === 3) chosen.add(path);
  }
  const files: CorpusFile[] = [];
  for (const path of [...chosen].slice(0, n)) {
    const text = readFileSync(path, "utf8");
    if (text.includes("\u0000")) continue;
    files.push({ path: path.startsWith(ROOT) ? relative(ROOT, path) : path, text });
  }
  return files;
}

/** ~40 KB real text: concatenated corpus files, cut on a line boundary. */
function fortyKb(corpus: readonly CorpusFile[], offset: number): string {
  let text = "";
  for (let i = 0; text.length < 40_000 && i < corpus.length; i++) {
    text += (corpus[(offset + i) % corpus.length] as CorpusFile).text + "\n";
  }
  const cut = text.lastIndexOf("\n", 40_960);
  return text.slice(0, cut > 30_000 ? cut : 40_960);
}

// --- stats ---------------------------------------------------------------------------------------

function p50(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function timeIt(fn: () => unknown): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

// --- main ----------------------------------------------------------------------------------------

interface Row {
  lib: Lib;
  encoding: Encoding;
  loadP50Ms: number;
  loadWallP50Ms: number;
  countSameP50Ms: number;
  countVariedP50Ms: number;
  firstCountMs: number;
  tokens40k: number;
}

async function main(): Promise<void> {
  const corpus = buildCorpus(FILES);
  const sample = fortyKb(corpus, 0);
  const bareNode = p50(Array.from({ length: LOAD_RUNS }, measureBareNode));

  const rows: Row[] = [];
  const counters = new Map<string, Counter>();
  for (const encoding of ENCODINGS) {
    for (const lib of LIBS) {
      const loads = Array.from({ length: LOAD_RUNS }, () => measureLoad(lib, encoding));
      const counter = await loadCounter(lib, encoding);
      counters.set(`${lib}:${encoding}`, counter);
      const firstCountMs = timeIt(() => counter(fortyKb(corpus, 97)));
      const tokens40k = counter(sample);
      for (let i = 0; i < 5; i++) counter(sample);
      const same = Array.from({ length: COUNT_RUNS }, () => timeIt(() => counter(sample)));
      const variedTexts = Array.from({ length: COUNT_RUNS }, (_, i) => fortyKb(corpus, 3 + i * 7));
      const varied = variedTexts.map((text) => timeIt(() => counter(text)));
      rows.push({
        lib,
        encoding,
        loadP50Ms: p50(loads.map((s) => s.loadMs)),
        loadWallP50Ms: p50(loads.map((s) => s.wallMs)),
        countSameP50Ms: p50(same),
        countVariedP50Ms: p50(varied),
        firstCountMs,
        tokens40k,
      });
    }
  }

  const agreement = ENCODINGS.map((encoding) => {
    const a = counters.get(`js-tiktoken:${encoding}`) as Counter;
    const b = counters.get(`gpt-tokenizer:${encoding}`) as Counter;
    const mismatches: { path: string; jsTiktoken: number; gptTokenizer: number }[] = [];
    let tokens = 0;
    for (const file of corpus) {
      const x = a(file.text);
      const y = b(file.text);
      tokens += x;
      if (x !== y) mismatches.push({ path: file.path, jsTiktoken: x, gptTokenizer: y });
    }
    return { encoding, files: corpus.length, tokens, identical: mismatches.length === 0, mismatches };
  });

  if (JSON_OUT) {
    console.log(
      JSON.stringify(
        {
          version: 1,
          node: process.version,
          sampleChars: sample.length,
          loadRuns: LOAD_RUNS,
          countRuns: COUNT_RUNS,
          bareNodeSpawnP50Ms: bareNode,
          rows,
          agreement,
        },
        null,
        2,
      ),
    );
    return;
  }

  const f = (n: number) => n.toFixed(n < 10 ? 2 : 1);
  console.log(`node ${process.version}; sample ${sample.length} chars; load p50 of ${LOAD_RUNS} fresh processes;`);
  console.log(`count p50 of ${COUNT_RUNS} runs; bare \`node -e 0\` spawn p50 ${f(bareNode)} ms\n`);
  const header = ["library", "encoding", "load ms", "child wall ms", "1st count ms", "count ms (same)", "count ms (varied)", "tokens/40KB"];
  const table = rows.map((r) => [
    r.lib,
    r.encoding,
    f(r.loadP50Ms),
    f(r.loadWallP50Ms),
    f(r.firstCountMs),
    f(r.countSameP50Ms),
    f(r.countVariedP50Ms),
    String(r.tokens40k),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of table) console.log(line(row));
  console.log("");
  for (const a of agreement) {
    console.log(
      `${a.encoding}: ${a.files} files, ${a.tokens} tokens: counts ${a.identical ? "identical on every file" : `differ on ${a.mismatches.length} files`}`,
    );
    for (const m of a.mismatches.slice(0, 10)) console.log(`  ${m.path}: js-tiktoken ${m.jsTiktoken}, gpt-tokenizer ${m.gptTokenizer}`);
  }
}

await main();
