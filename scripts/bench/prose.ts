// Benchmark of the extractive prose compressor on real prose found on this machine at run time:
// README*.md, CHANGELOG*/HISTORY* and LICENSE*/LICENCE*/COPYING* files under node_modules, Debian's
// /usr/share/doc/*/copyright and changelog(.Debian).gz. For each file a question is built from one of
// its own sentences (a sentence from the middle of the document that carries an entity); the bench
// reports the token reduction (o200k_base), how often that answering sentence is kept verbatim, p50
// time per file, and the generic text compressor on the same inputs for comparison.
//
//   node --import tsx scripts/bench/prose.ts [--json] [--max-per-kind N] [--min-bytes N] [--misses N]
//
// Files are deduplicated by content (hundreds of packages ship the same MIT licence), kept between
// --min-bytes (default 3000: smaller files barely exceed the 200-token budget floor) and 1 MB, and
// sampled evenly by path up to --max-per-kind per kind (default 200), so the run is deterministic.

import { createHash } from "node:crypto";
import { existsSync, lstatSync, readdirSync, readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { splitProse, type ProseUnit } from "../../src/compressors/prose-split.js";
import { compressUnit } from "../../src/pipeline/compress-unit.js";
import { splitSections } from "../../src/pipeline/detect.js";
import { buildQuery } from "../../src/pipeline/query.js";
import { loadCounter } from "../../src/tokens/count.js";
import { p50 } from "./lib.js";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const MODEL = "gpt-4o"; // o200k_base, exact (not an estimate)
const MAX_BYTES = 1024 * 1024;

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}
const JSON_OUT = process.argv.includes("--json");
const MAX_PER_KIND = option("--max-per-kind", 200);
const MIN_BYTES = option("--min-bytes", 3000);
const SHOW_MISSES = option("--misses", 8);

type ProseKind = "readme" | "changelog" | "licence";
const KINDS: readonly ProseKind[] = ["readme", "changelog", "licence"];

interface Source {
  readonly path: string;
  readonly kind: ProseKind;
  readonly gzip: boolean;
}

function kindOf(name: string): ProseKind | undefined {
  if (/^readme(?:\.[\w-]+)?\.(?:md|markdown)$/i.test(name)) return "readme";
  if (/^(?:changelog|changes|history)(?:\.md|\.txt)?$/i.test(name)) return "changelog";
  if (/^(?:licen[cs]e|copying)(?:[.-][\w.-]+)?$/i.test(name)) return "licence";
  return undefined;
}

// Every matching file under node_modules (nested ones too), without following symlinks.
function walkNodeModules(dir: string, out: Source[], depth = 0): void {
  if (depth > 12) return;
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return;
  }
  for (const name of entries) {
    const path = join(dir, name);
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) continue;
    if (stat.isDirectory()) {
      if (name !== ".bin" && name !== ".cache") walkNodeModules(path, out, depth + 1);
      continue;
    }
    const kind = kindOf(name);
    if (kind && stat.isFile()) out.push({ path, kind, gzip: false });
  }
}

function findSources(): Source[] {
  const found: Source[] = [];
  walkNodeModules(join(ROOT, "node_modules"), found);
  const docs = "/usr/share/doc";
  if (existsSync(docs)) {
    for (const pkg of readdirSync(docs).sort()) {
      const copyright = join(docs, pkg, "copyright");
      if (existsSync(copyright) && lstatSync(copyright).isFile()) found.push({ path: copyright, kind: "licence", gzip: false });
      for (const name of ["changelog.Debian.gz", "changelog.gz"]) {
        const path = join(docs, pkg, name);
        if (existsSync(path) && lstatSync(path).isFile()) found.push({ path, kind: "changelog", gzip: true });
      }
    }
  }
  return found;
}

function readSource(source: Source): string | undefined {
  try {
    const raw = readFileSync(source.path);
    if (source.gzip && raw.length > MAX_BYTES) return undefined;
    const bytes = source.gzip ? gunzipSync(raw) : raw;
    if (bytes.length < MIN_BYTES || bytes.length > MAX_BYTES || bytes.includes(0)) return undefined;
    return bytes.toString("utf8");
  } catch {
    return undefined;
  }
}

// Evenly spaced picks over the path-sorted list: deterministic, and spread over all packages.
function sample<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  return Array.from({ length: max }, (_, i) => items[Math.floor((i * items.length) / max)] as T);
}

const STOP = new Set(
  "this that with from have will they their there which when where what would should could about into such than then them these those other under also only more most some your been were does each many much".split(" "),
);
// Versions, identifiers, code and numbers of 3+ digits (a day of the month singles nothing out).
const ENTITY_RE = /\bv?\d+\.\d+(?:\.\d+)*\b|\b\d{3,}\b|\b[a-z]+[A-Z]\w*\b|\b\w+_\w+\b|`[^`\s]{3,40}`/;

interface Question {
  readonly answer: string;
  /** Two content words and the entity. */
  readonly withEntity: string;
  /** Three content words, no entity. */
  readonly wordsOnly: string;
}

// A sentence from the middle 60% of the document, with an entity and at least three content words;
// which one is chosen by a hash of the path (deterministic, not always the same position).
function questionFor(path: string, text: string): Question | undefined {
  const units = splitProse(text, "sentences");
  const candidates: Array<{ unit: ProseUnit; entity: string; words: string[] }> = [];
  for (let k = Math.floor(units.length * 0.2); k < Math.ceil(units.length * 0.8); k++) {
    const unit = units[k] as ProseUnit;
    if (unit.kind !== "sentence") continue;
    const sentence = text.slice(unit.start, unit.end);
    if (sentence.length < 40 || sentence.length > 400) continue;
    const entity = ENTITY_RE.exec(sentence)?.[0]?.replace(/`/g, "");
    if (!entity) continue;
    const words = [...new Set((sentence.match(/\b[A-Za-z]{4,}\b/g) ?? []).map((w) => w.toLowerCase()))].filter((w) => !STOP.has(w) && !entity.toLowerCase().includes(w));
    if (words.length < 3) continue;
    candidates.push({ unit, entity, words });
  }
  // The longest words (ties: first) are the ones a person would reach for. A question must single
  // out its sentence: no other unit holds all its words and its entity (a changelog's trailer lines
  // " -- Name <mail>  date" repeat the same name dozens of times).
  const lowered = units.map((u) => text.slice(u.start, u.end).toLowerCase());
  const usable = candidates
    .map((c) => ({ ...c, longest: [...c.words].sort((a, b) => b.length - a.length).slice(0, 3) }))
    .filter((c) => {
      const needles = [...c.longest, c.entity.toLowerCase()];
      return lowered.filter((u, k) => units[k] !== c.unit && needles.every((w) => u.includes(w))).length === 0;
    });
  if (usable.length === 0) return undefined;
  const pick = usable[createHash("sha256").update(path).digest().readUInt32BE(0) % usable.length]!;
  const longest = pick.longest;
  return {
    answer: text.slice(pick.unit.start, pick.unit.end),
    withEntity: `What does it say about ${longest[0]} ${longest[1]} and ${pick.entity}?`,
    wordsOnly: `What does it say about ${longest.join(" ")}?`,
  };
}

interface FileResult {
  readonly path: string;
  readonly kind: ProseKind;
  readonly bytes: number;
  readonly routedToProse: boolean;
  readonly tokensBefore: number;
  readonly tokensAfter: number;
  readonly answerKept: boolean;
  readonly answerKeptWordsOnly: boolean;
  readonly textTokensAfter: number;
  readonly textAnswerKept: boolean;
  readonly ms: number;
  readonly answer: string;
  readonly query: string;
  readonly queryWordsOnly: string;
}

async function main(): Promise<void> {
  const count = await loadCounter(MODEL);
  const seen = new Set<string>();
  const byKind = new Map<ProseKind, Array<{ source: Source; text: string }>>(KINDS.map((k) => [k, []]));
  for (const source of findSources()) {
    const text = readSource(source);
    if (text === undefined) continue;
    const digest = createHash("sha256").update(text).digest("hex");
    if (seen.has(digest)) continue;
    seen.add(digest);
    byKind.get(source.kind)?.push({ source, text });
  }

  const results: FileResult[] = [];
  let skipped = 0;
  for (const kind of KINDS) {
    for (const { source, text } of sample(byKind.get(kind) ?? [], MAX_PER_KIND)) {
      const question = questionFor(source.path, text);
      if (!question) {
        skipped++;
        continue;
      }
      const query = buildQuery(question.withEntity);
      const started = performance.now();
      const outcome = compressUnit(text, { query, kind: "prose" });
      const ms = performance.now() - started;
      const wordsOnly = compressUnit(text, { query: buildQuery(question.wordsOnly), kind: "prose" });
      const viaText = compressUnit(text, { query, kind: "text" });
      const sections = splitSections(text);
      const proseChars = sections.filter((s) => s.kind === "prose").reduce((sum, s) => sum + s.text.length, 0);
      results.push({
        path: source.path,
        kind,
        bytes: Buffer.byteLength(text),
        routedToProse: proseChars >= text.length / 2,
        tokensBefore: count(text),
        tokensAfter: count(outcome.text),
        answerKept: outcome.text.includes(question.answer),
        answerKeptWordsOnly: wordsOnly.text.includes(question.answer),
        textTokensAfter: count(viaText.text),
        textAnswerKept: viaText.text.includes(question.answer),
        ms,
        answer: question.answer,
        query: question.withEntity,
        queryWordsOnly: question.wordsOnly,
      });
    }
  }

  const summarize = (rows: readonly FileResult[]) => {
    const before = rows.reduce((s, r) => s + r.tokensBefore, 0);
    const after = rows.reduce((s, r) => s + r.tokensAfter, 0);
    const textAfter = rows.reduce((s, r) => s + r.textTokensAfter, 0);
    const share = (f: (r: FileResult) => boolean) => (rows.length === 0 ? 0 : (100 * rows.filter(f).length) / rows.length);
    const pct = (a: number) => (before === 0 ? 0 : 100 * (1 - a / before));
    return {
      files: rows.length,
      megabytes: rows.reduce((s, r) => s + r.bytes, 0) / 1e6,
      tokensBefore: before,
      tokensAfter: after,
      reductionPct: pct(after),
      medianFileReductionPct: p50(rows.map((r) => 100 * (1 - r.tokensAfter / r.tokensBefore))),
      answerKeptPct: share((r) => r.answerKept),
      answerKeptWordsOnlyPct: share((r) => r.answerKeptWordsOnly),
      routedToProsePct: share((r) => r.routedToProse),
      p50Ms: p50(rows.map((r) => r.ms)),
      maxMs: Math.max(0, ...rows.map((r) => r.ms)),
      text: { reductionPct: pct(textAfter), answerKeptPct: share((r) => r.textAnswerKept) },
    };
  };
  const kinds = Object.fromEntries(KINDS.map((k) => [k, summarize(results.filter((r) => r.kind === k))]));
  const all = summarize(results);
  const misses = results.filter((r) => !r.answerKept);

  if (JSON_OUT) {
    const report = { version: 1, model: MODEL, minBytes: MIN_BYTES, maxPerKind: MAX_PER_KIND, skippedWithoutQuestion: skipped, kinds, all, misses: misses.map((m) => ({ path: m.path, query: m.query, answer: m.answer })) };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const header = ["kind", "files", "MB", "tokens", "-> prose", "reduction", "file p50", "answer kept", "words only", "routed", "p50 ms", "max ms", "| text: reduction", "answer kept"];
  const row = (name: string, s: ReturnType<typeof summarize>) => [
    name,
    String(s.files),
    s.megabytes.toFixed(2),
    String(s.tokensBefore),
    String(s.tokensAfter),
    `${s.reductionPct.toFixed(1)}%`,
    `${s.medianFileReductionPct.toFixed(1)}%`,
    `${s.answerKeptPct.toFixed(1)}%`,
    `${s.answerKeptWordsOnlyPct.toFixed(1)}%`,
    `${s.routedToProsePct.toFixed(0)}%`,
    s.p50Ms.toFixed(2),
    s.maxMs.toFixed(1),
    `| ${s.text.reductionPct.toFixed(1)}%`,
    `${s.text.answerKeptPct.toFixed(1)}%`,
  ];
  const rows = [header, ...KINDS.map((k) => row(k, kinds[k] as ReturnType<typeof summarize>)), row("all", all)];
  const widths = header.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  console.log(`prose compressor on real prose (${MODEL} / o200k_base tokens; files >= ${MIN_BYTES} bytes, <= ${MAX_PER_KIND} per kind, ${skipped} without a usable sentence skipped)`);
  for (const r of rows) console.log(r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  "));
  console.log("answer kept: the question's own sentence is in the output verbatim (question = 2 words + an entity of it; 'words only' = 3 words).");
  console.log("routed: share of files the router sends to the prose compressor (the rest are measured with kind forced to prose).");
  const unrouted = results.filter((r) => !r.routedToProse);
  for (const r of unrouted.slice(0, SHOW_MISSES)) console.log(`  not routed to prose: ${r.path}`);
  for (const miss of results.filter((r) => !r.answerKeptWordsOnly).slice(0, SHOW_MISSES)) {
    console.log(`  missed (words only): ${miss.path} q=${JSON.stringify(miss.queryWordsOnly)} answer=${JSON.stringify(miss.answer.slice(0, 120))}`);
  }
  for (const miss of misses.slice(0, SHOW_MISSES)) console.log(`  missed: ${basename(miss.path)} (${miss.path}) q=${JSON.stringify(miss.query)} answer=${JSON.stringify(miss.answer.slice(0, 120))}`);
}

await main();
