// `npm run bench:learn`: the whole `headroom learn` (readers + miner + planning the files) over
// ~250 MB and ~1 GB of transcripts, each size in its own process so peak RSS is its own.
//
// The transcripts are made at bench time in a temp dir and deleted after: the committed real
// Claude Code and Codex fixtures (test/fixtures/learn) repeated with fresh session ids, every tool
// result grown by a ~64 KB build log (so most bytes are big tool outputs, as in real sessions).
// Measures seconds, MB/s and peak RSS (target: 1 GB in <= 60 s; RSS must not grow with input),
// and checks the rules found are the planted ones, with evidence scaled by the copies.
//
// Usage: node --import tsx scripts/bench/learn.ts [--sizes 250,1000] [--json]
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FIXTURE_PROJECT, FIXTURES } from "../../test/cli/learn-support.js";
import { escapeProjectDir } from "../../src/learn/read-claude.js";

const SELF = fileURLToPath(import.meta.url);
const PAD_BYTES = 64 * 1024;

interface Measured {
  readonly mb: number;
  readonly files: number;
  readonly seconds: number;
  readonly mbPerSecond: number;
  readonly peakRssMb: number;
  readonly rules: Record<string, Record<string, number>>;
}

// A build log of about `bytes`, the kind of output that fills real transcripts.
function buildLog(bytes: number): string {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line = `[${String(i).padStart(6, "0")}] compiling src/module-${i % 97}/file-${i % 13}.ts (${(i * 7919) % 10000} ms) ok`;
    lines.push(line);
    size += line.length + 1;
  }
  return lines.join("\n");
}

// Grows every tool result in a transcript line (Claude tool_result blocks, Codex function_call_output).
function pad(record: Record<string, unknown>, padding: string): void {
  const payload = record.payload as Record<string, unknown> | undefined;
  if (record.type === "response_item" && payload && (payload.type === "function_call_output" || payload.type === "custom_tool_call_output") && typeof payload.output === "string") {
    payload.output = `${payload.output}\n${padding}`;
  }
  const message = record.message as { content?: unknown } | undefined;
  if (Array.isArray(message?.content)) {
    for (const block of message.content as Record<string, unknown>[]) {
      if (block.type === "tool_result" && typeof block.content === "string") block.content = `${block.content}\n${padding}`;
    }
  }
}

function padded(file: string, padding: string): string {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim().length > 0)
    .map((line) => {
      const record = JSON.parse(line) as Record<string, unknown>;
      pad(record, padding);
      return JSON.stringify(record);
    })
    .join("\n")
    .concat("\n");
}

function freshId(n: number, like: string): string {
  const hex = n.toString(16).padStart(12, "0");
  return `${like.slice(0, 24)}${hex}`;
}

/** Writes ~`mb` MB of transcripts for `project` under `home`; returns files written and bytes. */
function generate(home: string, project: string, mb: number): { files: number; bytes: number } {
  const padding = buildLog(PAD_BYTES);
  const rewrite = (text: string) => text.split(FIXTURE_PROJECT).join(project);
  const claudeSrc = join(FIXTURES, "claude/projects", escapeProjectDir(FIXTURE_PROJECT));
  const codexSrc = join(FIXTURES, "codex/sessions/2026/11/25");
  const claudeDir = join(home, ".claude/projects", escapeProjectDir(project));
  const codexDir = join(home, ".codex/sessions/2026/11/25");
  mkdirSync(claudeDir, { recursive: true });
  mkdirSync(codexDir, { recursive: true });
  const templates = [
    ...readdirSync(claudeSrc).map((name) => ({ dir: claudeDir, id: name.replace(/\.jsonl$/, ""), name, text: rewrite(padded(join(claudeSrc, name), padding)) })),
    ...readdirSync(codexSrc).map((name) => ({ dir: codexDir, id: /([0-9a-f-]{36})\.jsonl$/.exec(name)?.[1] ?? name, name, text: rewrite(padded(join(codexSrc, name), padding)) })),
  ];
  const target = mb * 1e6;
  let bytes = 0;
  let files = 0;
  for (let copy = 0; bytes < target; copy++) {
    for (const t of templates) {
      const id = freshId(copy * 100 + files, t.id);
      const text = t.text.split(t.id).join(id);
      writeFileSync(join(t.dir, t.name.split(t.id).join(id)), text);
      bytes += Buffer.byteLength(text);
      files++;
      if (bytes >= target) break;
    }
  }
  return { files, bytes };
}

// Child process: run learn once and print what it measured.
async function child(home: string, project: string): Promise<void> {
  const { learn } = await import("../../src/cli/learn.js");
  const started = performance.now();
  const report = await learn({ project, env: { HOME: home }, agent: "all" });
  const seconds = (performance.now() - started) / 1000;
  const bytes = Object.values(report.read).reduce((sum, r) => sum + r.bytes, 0);
  const rules: Record<string, Record<string, number>> = {};
  for (const target of report.targets) rules[target.agents.join("+")] = Object.fromEntries(target.rules.map((r) => [r.id, r.evidence]));
  process.stdout.write(JSON.stringify({ seconds, bytes, peakRssKb: process.resourceUsage().maxRSS, rules }));
}

function measure(mb: number): Measured {
  const root = mkdtempSync(join(tmpdir(), "headroom-bench-learn-"));
  try {
    const home = join(root, "home");
    const project = join(root, "shop");
    mkdirSync(project, { recursive: true });
    const { files, bytes } = generate(home, project, mb);
    const out = execFileSync(process.execPath, ["--import", "tsx", SELF, "--child", home, project], { encoding: "utf8", maxBuffer: 1 << 26 });
    const result = JSON.parse(out) as { seconds: number; bytes: number; peakRssKb: number; rules: Record<string, Record<string, number>> };
    if (Math.abs(result.bytes - bytes) > bytes * 0.01) throw new Error(`read ${result.bytes} bytes of ${bytes} generated`);
    return { mb: bytes / 1e6, files, seconds: result.seconds, mbPerSecond: bytes / 1e6 / result.seconds, peakRssMb: result.peakRssKb / 1024, rules: result.rules };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function main(argv: readonly string[]): Promise<void> {
  if (argv[0] === "--child") return child(argv[1] as string, argv[2] as string);
  const sizesAt = argv.indexOf("--sizes");
  const sizes = (sizesAt >= 0 ? (argv[sizesAt + 1] ?? "") : "250,1000").split(",").map(Number);
  const results = sizes.map((mb) => {
    process.stderr.write(`learn over ~${mb} MB of transcripts...\n`);
    return measure(mb);
  });
  if (argv.includes("--json")) {
    process.stdout.write(`${JSON.stringify({ version: 1, results }, null, 2)}\n`);
    return;
  }
  process.stdout.write("   input   files  seconds     MB/s  peak RSS\n");
  for (const r of results) {
    process.stdout.write(`${r.mb.toFixed(0).padStart(6)} MB ${String(r.files).padStart(7)} ${r.seconds.toFixed(1).padStart(8)} ${r.mbPerSecond.toFixed(1).padStart(8)} ${r.peakRssMb.toFixed(0).padStart(6)} MB\n`);
  }
  for (const r of results) process.stdout.write(`\n~${r.mb.toFixed(0)} MB rules (id: evidence): ${JSON.stringify(r.rules)}\n`);
}

await main(process.argv.slice(2));
