// Does compressing a large tool output stall other requests' streams? And what is slow?
//
//   node --import tsx scripts/bench/event-loop.ts [--json] [--part units|stall|all] [--sizes 1,5]
//                                                [--rounds N] [--workers 0,1] [--threshold BYTES]
//
// Part "units": compressUnit per content kind on real fixtures repeated to 1 MB and 5 MB (ms, MB/s).
// Part "stall": a proxy in a child process (so its event loop is the only one compressing), an
// upstream and the clients in this process. A concurrent SSE stream (one small event every 5 ms)
// runs through the proxy while the proxy compresses a request carrying one large tool output (a
// distinct one every round, so the memo never answers). Reported: the largest gap between chunks the
// SSE client receives, directly from the upstream, through an idle proxy, and through the proxy
// while it compresses, with compression inline (--workers 0) and in a worker thread (--workers 1).
// The proxy runs with a store and a ledger in a temporary HEADROOM_HOME (deleted at the end).
import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { compressUnit } from "../../src/pipeline/compress-unit.js";
import { UnitPool } from "../../src/pipeline/unit-pool.js";
import { splitSections } from "../../src/pipeline/detect.js";
import { queryFor } from "../../src/pipeline/query.js";
import type { ContentKind } from "../../src/compressors/types.js";
import { p50 } from "./lib.js";

const ROOT = join(fileURLToPath(import.meta.url), "../../..");
const MB = 1024 * 1024;

interface Args {
  json: boolean;
  part: "units" | "threshold" | "stall" | "all";
  sizes: number[];
  rounds: number;
  workers: number[];
  threshold: number | undefined;
  role: "main" | "proxy";
  filter: string | undefined;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { json: false, part: "all", sizes: [1, 5], rounds: 5, workers: [0, 1], threshold: undefined, role: "main", filter: undefined };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => argv[++i] ?? "";
    if (flag === "--json") args.json = true;
    else if (flag === "--part") args.part = value() as Args["part"];
    else if (flag === "--sizes") args.sizes = value().split(",").map(Number);
    else if (flag === "--rounds") args.rounds = Number(value());
    else if (flag === "--workers") args.workers = value().split(",").map(Number);
    else if (flag === "--threshold") args.threshold = Number(value());
    else if (flag === "--filter") args.filter = value();
    else if (flag === "--role") args.role = value() as Args["role"];
  }
  return args;
}

// ---------------------------------------------------------------------------------------------
// Real content, repeated to a size. JSON documents become one JSON array of copies (still JSON).

interface Source {
  readonly name: string;
  readonly text: string;
  readonly kind: ContentKind;
}

function sources(): Source[] {
  const dirs = [join(ROOT, "test/fixtures/outputs"), join(ROOT, "scripts/bench/fixtures")];
  const out: Source[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (!name.endsWith(".md") && name !== "MANIFEST.json" && statSync(path).size >= 4096) {
        const text = readFileSync(path, "utf8");
        out.push({ name: relative(ROOT, path), text, kind: dominant(text) });
      }
    }
  };
  for (const dir of dirs) walk(dir);
  return out;
}

function dominant(text: string): ContentKind {
  let best = { kind: "text" as ContentKind, size: -1 };
  for (const section of splitSections(text)) if (section.text.length > best.size) best = { kind: section.kind, size: section.text.length };
  return best.kind;
}

/** `text` repeated to about `bytes` characters; `salt` makes every copy distinct (no memo hits). */
export function repeatTo(text: string, bytes: number, salt = ""): string {
  const trimmed = text.trimEnd();
  const isJson = /^\s*[[{]/.test(trimmed) && (() => {
    try {
      JSON.parse(trimmed);
      return true;
    } catch {
      return false;
    }
  })();
  const copies = Math.max(1, Math.ceil(bytes / (trimmed.length + 1)));
  if (isJson) {
    const parts: string[] = [];
    for (let i = 0; i < copies; i++) parts.push(i === 0 && salt ? `{"salt":${JSON.stringify(salt)},"doc":${trimmed}}` : trimmed);
    return `[${parts.join(",\n")}]`;
  }
  const parts: string[] = [];
  for (let i = 0; i < copies; i++) parts.push(trimmed);
  return (salt ? `${salt}\n` : "") + parts.join("\n");
}

// ---------------------------------------------------------------------------------------------
// Part "units"

interface UnitRow {
  readonly kind: ContentKind;
  readonly source: string;
  readonly mb: number;
  readonly ms: number;
  readonly mbPerS: number;
  readonly ratio: number;
}

function unitsPart(args: Args): UnitRow[] {
  const query = queryFor("why does the request time out? find the error", { pattern: "timeout" });
  const rows: UnitRow[] = [];
  for (const source of sources().filter((s) => !args.filter || s.name.includes(args.filter))) {
    for (const size of args.sizes) {
      const text = repeatTo(source.text, size * MB);
      compressUnit(text.slice(0, 200_000), { query }); // warm the JIT on this shape
      const times: number[] = [];
      let out = "";
      for (let r = 0; r < Math.max(1, Math.min(args.rounds, size >= 5 ? 1 : 3)); r++) {
        const started = performance.now();
        out = compressUnit(text, { query }).text;
        times.push(performance.now() - started);
      }
      const ms = p50(times);
      const mb = text.length / MB;
      rows.push({ kind: source.kind, source: source.name, mb, ms, mbPerS: mb / (ms / 1000), ratio: out.length / text.length });
      process.stderr.write(`  ${source.kind} ${mb.toFixed(1)} MB ${ms.toFixed(0)} ms ${source.name}\n`);
    }
  }
  return rows;
}

function printUnits(rows: readonly UnitRow[]): void {
  console.log("compressUnit on real fixtures repeated to size (p50, this machine)");
  console.log(`${"kind".padEnd(8)} ${"MB".padStart(5)} ${"ms".padStart(8)} ${"MB/s".padStart(7)} ${"out/in".padStart(7)}  source`);
  for (const row of [...rows].sort((a, b) => a.kind.localeCompare(b.kind) || a.mb - b.mb || b.ms - a.ms)) {
    console.log(`${row.kind.padEnd(8)} ${row.mb.toFixed(1).padStart(5)} ${row.ms.toFixed(0).padStart(8)} ${row.mbPerS.toFixed(1).padStart(7)} ${row.ratio.toFixed(3).padStart(7)}  ${row.source}`);
  }
  const kinds = [...new Set(rows.map((row) => row.kind))].sort();
  console.log("\nby kind (all sizes): MB/s p50 / worst");
  for (const kind of kinds) {
    const speeds = rows.filter((row) => row.kind === kind).map((row) => row.mbPerS);
    console.log(`  ${kind.padEnd(8)} ${p50(speeds).toFixed(1).padStart(6)} / ${Math.min(...speeds).toFixed(1)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Part "threshold": from what size is a worker round trip worth it? Inline time is event-loop time;
// the worker's is latency only (the loop is free meanwhile, but for cloning the text).

interface ThresholdRow {
  readonly source: string;
  readonly kb: number;
  readonly inlineMs: number;
  readonly workerMs: number;
}

async function thresholdPart(): Promise<ThresholdRow[]> {
  const query = queryFor("why are requests timing out? find the errors", { command: "kubectl logs api" });
  const pool = new UnitPool({ size: 1 });
  const rows: ThresholdRow[] = [];
  try {
    for (const name of ["scripts/bench/fixtures/sre/nginx-access.log", "scripts/bench/fixtures/issue-triage/gh-issue-list.json"]) {
      const text = readFileSync(join(ROOT, name), "utf8");
      for (const kb of [2, 8, 16, 32, 64, 128, 256]) {
        const inline: number[] = [];
        const worker: number[] = [];
        for (let r = 0; r < 15; r++) {
          const input = repeatTo(text, kb * 1024, `r${r}`).slice(0, kb * 1024);
          let started = performance.now();
          compressUnit(input, { query });
          inline.push(performance.now() - started);
          started = performance.now();
          await pool.run(input, { query }, 60_000);
          worker.push(performance.now() - started);
        }
        const row = { source: name.split("/").pop() ?? name, kb, inlineMs: p50(inline.slice(5)), workerMs: p50(worker.slice(5)) };
        rows.push(row);
      }
    }
  } finally {
    await pool.close();
  }
  return rows;
}

function printThreshold(rows: readonly ThresholdRow[]): void {
  console.log("\ncompressUnit inline (holds the event loop) vs a worker round trip (p50, warm), by input size");
  console.log(`${"output".padEnd(20)} ${"KB".padStart(4)} ${"inline ms".padStart(10)} ${"worker ms".padStart(10)}`);
  for (const row of rows) console.log(`${row.source.padEnd(20)} ${String(row.kb).padStart(4)} ${row.inlineMs.toFixed(2).padStart(10)} ${row.workerMs.toFixed(2).padStart(10)}`);
}

// ---------------------------------------------------------------------------------------------
// Part "stall"

/** The proxy side: runs in a child process, answers its URL over IPC, stops on "stop". */
async function proxyRole(argv: string[]): Promise<void> {
  const flags = parseArgs(argv);
  const get = (name: string) => argv[argv.indexOf(name) + 1] ?? "";
  const upstream = get("--upstream");
  const home = mkdtempSync(join(tmpdir(), "headroom-bench-loop-"));
  const [{ startProxy }, { Store }, { Ledger }] = await Promise.all([
    import("../../src/proxy/server.js"),
    import("../../src/ccr/store.js"),
    import("../../src/ledger/ledger.js"),
  ]);
  const store = Store.open({ path: join(home, "store.db") });
  const ledger = get("--ledger") === "0" ? undefined : Ledger.open({ path: join(home, "store.db") });
  const proxy = await startProxy({
    port: 0,
    store,
    upstreams: { anthropic: upstream, openai: `${upstream}/v1` },
    workers: flags.workers[0] ?? 1,
    ...(flags.threshold !== undefined ? { workerThresholdChars: flags.threshold } : {}),
    workerBudgetMs: 30_000,
    ...(ledger ? { record: (entry: Parameters<typeof ledger.record>[0]) => ledger.record(entry) } : {}),
  });
  process.send?.({ url: proxy.url });
  process.on("message", (message) => {
    if (message !== "stop") return;
    void proxy.close().then(() => {
      store.close();
      ledger?.close();
      rmSync(home, { recursive: true, force: true });
      process.exit(0);
    });
  });
}

interface Proxy {
  readonly url: string;
  readonly child: ChildProcess;
}

function startProxyChild(upstream: string, workers: number, ledger: boolean, threshold: number | undefined): Promise<Proxy> {
  const args = ["--role", "proxy", "--upstream", upstream, "--workers", String(workers), "--ledger", ledger ? "1" : "0"];
  if (threshold !== undefined) args.push("--threshold", String(threshold));
  const child = fork(fileURLToPath(import.meta.url), args, { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return new Promise((resolve, reject) => {
    child.once("message", (message: { url: string }) => resolve({ url: message.url, child }));
    child.once("exit", (code) => reject(new Error(`proxy child exited with ${code}`)));
  });
}

function stopProxyChild(proxy: Proxy): Promise<void> {
  return new Promise((resolve) => {
    proxy.child.removeAllListeners("exit");
    proxy.child.once("exit", () => resolve());
    proxy.child.send("stop");
  });
}

// The upstream: SSE for streaming requests (one small event every 5 ms for x-stream-ms), JSON otherwise.
function upstreamServer(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const streamMs = Number(req.headers["x-stream-ms"] ?? 0);
      if (!streamMs) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ id: "msg", type: "message", role: "assistant", content: [{ type: "text", text: "ok" }], usage: { input_tokens: 1, output_tokens: 1 } }));
        return;
      }
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      const until = Date.now() + streamMs;
      let n = 0;
      const tick = setInterval(() => {
        if (Date.now() >= until || res.destroyed) {
          clearInterval(tick);
          res.end('event: message_stop\ndata: {"type":"message_stop"}\n\n');
          return;
        }
        res.write(`event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"t${n++}"}}\n\n`);
      }, 5);
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

function post(url: string, body: string, headers: Record<string, string> = {}, onChunk?: () => void): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: "POST", agent: false, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), "anthropic-version": "2023-06-01", ...headers } }, (res) => {
      res.on("data", () => onChunk?.());
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Streams for `ms` and returns the gaps between received chunks (after the first). */
async function stream(url: string, ms: number): Promise<number[]> {
  const body = JSON.stringify({ model: "claude-sonnet-4-5", max_tokens: 10, stream: true, messages: [{ role: "user", content: "hi" }] });
  const gaps: number[] = [];
  let last = -1;
  await post(`${url}/v1/messages`, body, { "x-stream-ms": String(ms) }, () => {
    const now = performance.now();
    if (last >= 0) gaps.push(now - last);
    last = now;
  });
  return gaps;
}

function bigRequest(output: string): string {
  return JSON.stringify({
    model: "claude-sonnet-4-5",
    max_tokens: 10,
    messages: [
      { role: "user", content: [{ type: "text", text: "why are requests timing out? find the errors" }] },
      { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "Bash", input: { command: "cat output" } }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: output }] },
    ],
  });
}

interface StallRow {
  readonly scenario: string;
  readonly source: string;
  readonly mb: number;
  /** Max gap between SSE chunks (ms), p50 over rounds, and the worst round. */
  readonly maxGapP50: number;
  readonly maxGapWorst: number;
  /** Wall time of the big request through the proxy (ms, p50). */
  readonly bigMs: number;
  readonly status: string;
}

const STALL_SOURCES = ["scripts/bench/fixtures/sre/nginx-access.log", "scripts/bench/fixtures/issue-triage/gh-issue-list.json", "scripts/bench/fixtures/code-search/grep-rni-timeout-undici-lib.txt"];

async function stallPart(args: Args): Promise<StallRow[]> {
  const upstream = await upstreamServer();
  const rows: StallRow[] = [];
  const texts = STALL_SOURCES.map((name) => ({ name, text: readFileSync(join(ROOT, name), "utf8") }));
  let salt = 0;
  const measure = async (scenario: string, streamUrl: string, bigUrl: string | undefined, source: { name: string; text: string } | undefined, size: number) => {
    const maxGaps: number[] = [];
    const bigTimes: number[] = [];
    let status = "-";
    for (let round = 0; round < args.rounds; round++) {
      const body = source ? bigRequest(repeatTo(source.text, size * MB, `run ${process.pid} ${++salt}`)) : undefined;
      const streamMs = 800 + size * 900;
      const streaming = stream(streamUrl, streamMs);
      await new Promise((resolve) => setTimeout(resolve, 150));
      if (bigUrl && body) {
        const started = performance.now();
        const answer = await post(`${bigUrl}/v1/messages`, body);
        bigTimes.push(performance.now() - started);
        status = String(answer.headers["x-headroom-status"] ?? answer.status);
      }
      const gaps = await streaming;
      maxGaps.push(Math.max(...gaps));
    }
    const row: StallRow = { scenario, source: source?.name.split("/").pop() ?? "-", mb: source ? size : 0, maxGapP50: p50(maxGaps), maxGapWorst: Math.max(...maxGaps), bigMs: bigTimes.length ? p50(bigTimes) : 0, status };
    rows.push(row);
    process.stderr.write(`  ${row.scenario.padEnd(26)} ${row.source.padEnd(34)} ${String(row.mb).padStart(2)} MB  max gap p50 ${row.maxGapP50.toFixed(1)} ms, worst ${row.maxGapWorst.toFixed(1)} ms, big request ${row.bigMs.toFixed(0)} ms (${row.status})\n`);
  };
  for (const workers of args.workers) {
    for (const ledger of [true, false]) {
      const proxy = await startProxyChild(upstream.url, workers, ledger, args.threshold);
      const label = `${workers === 0 ? "inline" : `${workers} worker`}${ledger ? "" : ", no ledger"}`;
      try {
        // Warm up: the tokenizer preload, the JIT, the worker's start (not what is measured).
        await new Promise((resolve) => setTimeout(resolve, 1500));
        for (const source of texts) await post(`${proxy.url}/v1/messages`, bigRequest(repeatTo(source.text, 256 * 1024, `warm ${process.pid} ${++salt}`)));
        await stream(proxy.url, 300);
        if (ledger) await measure(`proxy idle (${label})`, proxy.url, undefined, undefined, 1);
        for (const size of args.sizes) {
          for (const source of texts) {
            if (ledger && workers === args.workers[0]) await measure("direct, proxy compressing", upstream.url, proxy.url, source, size);
            await measure(`proxy (${label})`, proxy.url, proxy.url, source, size);
          }
        }
      } finally {
        await stopProxyChild(proxy);
      }
    }
  }
  await new Promise<void>((resolve) => upstream.server.close(() => resolve()));
  return rows;
}

function printStall(rows: readonly StallRow[]): void {
  console.log("\nSSE stream (an event every 5 ms) while the proxy compresses one large tool output: max gap between chunks (ms)");
  console.log(`${"scenario".padEnd(30)} ${"output".padEnd(34)} ${"MB".padStart(3)} ${"gap p50".padStart(8)} ${"worst".padStart(7)} ${"big req".padStart(8)}  status`);
  for (const row of rows) {
    console.log(`${row.scenario.padEnd(30)} ${row.source.padEnd(34)} ${String(row.mb).padStart(3)} ${row.maxGapP50.toFixed(1).padStart(8)} ${row.maxGapWorst.toFixed(1).padStart(7)} ${row.bigMs.toFixed(0).padStart(8)}  ${row.status}`);
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const args = parseArgs(argv);
  if (args.role === "proxy") return proxyRole(argv);
  const result: Record<string, unknown> = { version: 1 };
  if (args.part === "units" || args.part === "all") {
    const rows = unitsPart(args);
    result.units = rows;
    if (!args.json) printUnits(rows);
  }
  if (args.part === "threshold" || args.part === "all") {
    const rows = await thresholdPart();
    result.threshold = rows;
    if (!args.json) printThreshold(rows);
  }
  if (args.part === "stall" || args.part === "all") {
    const rows = await stallPart(args);
    result.stall = rows;
    if (!args.json) printStall(rows);
  }
  if (args.json) console.log(JSON.stringify(result, null, 2));
}

await main();
