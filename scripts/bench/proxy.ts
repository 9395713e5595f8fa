// `npm run bench:proxy`: what headroom's proxy costs, measured side by side in one run against the
// same loopback upstream, direct and through headroom, on the real Claude Code, Codex and Copilot
// request bodies of test/fixtures/agent-requests (replayed with their headers).
//
// Three processes: this client (undici pools with keep-alive), the stand-in provider
// (proxy-upstream.ts) and two proxies (proxy-server.ts: `headroom proxy`, one in `off` mode, one in
// `compress` mode, each with its store and ledger in a temporary HEADROOM_HOME). Loopback only,
// bounded loops; everything is stopped and deleted at the end.
//
//   node --import tsx scripts/bench/proxy.ts [--json] [--rounds N] [--warmup N] [--requests N] [--concurrent N] [--waves N]
//
// See the "npm run bench:proxy" section of scripts/bench/README.md for what each figure means.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Pool } from "undici";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "../..");
const FIXTURES = join(ROOT, "test/fixtures/agent-requests");
const SCHEMA_VERSION = 1;

// ---------------------------------------------------------------------------------------------
// Options

interface Options {
  json: boolean;
  rounds: number;
  warmup: number;
  requests: number;
  concurrent: number;
  /** Waves of concurrent streams in compress mode (memory must level off across them). */
  waves: number;
  connections: number;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { json: false, rounds: 40, warmup: 5, requests: 4000, concurrent: 200, connections: 16, waves: 3 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const int = (): number => {
      const value = Number(argv[++i]);
      if (!Number.isInteger(value) || value < 0) throw new Error(`${arg} needs a whole number`);
      return value;
    };
    if (arg === "--json") options.json = true;
    else if (arg === "--rounds") options.rounds = Math.max(1, int());
    else if (arg === "--warmup") options.warmup = int();
    else if (arg === "--requests") options.requests = Math.max(1, int());
    else if (arg === "--concurrent") options.concurrent = Math.max(1, int());
    else if (arg === "--waves") options.waves = Math.max(1, int());
    else if (arg === "--connections") options.connections = Math.max(1, int());
    else throw new Error(`unknown option ${arg} (see the header of scripts/bench/proxy.ts)`);
  }
  return options;
}

// ---------------------------------------------------------------------------------------------
// Fixtures

interface Fixture {
  /** file#seq */
  name: string;
  agent: "claude-code" | "codex" | "copilot";
  path: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  stream: boolean;
  toolOutputs: number;
}

const DROPPED_HEADERS = new Set(["host", "content-length", "connection", "proxy-connection", "transfer-encoding", "keep-alive", "upgrade", "accept-encoding", "expect"]);

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Every tool output holder in a body: [container, key] pairs, in order (all three wire formats). */
function toolOutputSlots(body: Json): [Json, string][] {
  const slots: [Json, string][] = [];
  for (const message of arr(body.messages)) {
    if (!isObj(message)) continue;
    if (message.role === "tool") slots.push([message, "content"]);
    for (const block of arr(message.content)) if (isObj(block) && block.type === "tool_result") slots.push([block, "content"]);
  }
  for (const item of arr(body.input)) {
    if (isObj(item) && (item.type === "function_call_output" || item.type === "custom_tool_call_output")) slots.push([item, "output"]);
  }
  return slots;
}

function loadFixtures(): Fixture[] {
  const out: Fixture[] = [];
  for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith(".jsonl")).sort()) {
    for (const line of readFileSync(join(FIXTURES, file), "utf8").split("\n")) {
      if (line.trim() === "") continue;
      const record = JSON.parse(line) as { seq: number; method: string; url: string; headers: Record<string, string>; body?: Json };
      if (record.method !== "POST" || !isObj(record.body)) continue;
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(record.headers)) if (!DROPPED_HEADERS.has(name.toLowerCase())) headers[name] = value;
      const agent = file.startsWith("claude") ? "claude-code" : file.startsWith("codex") ? "codex" : "copilot";
      out.push({
        name: `${file.replace(/\.jsonl$/, "")}#${record.seq}`,
        agent,
        path: record.url,
        headers,
        body: record.body,
        stream: record.body.stream === true,
        toolOutputs: toolOutputSlots(record.body).length,
      });
    }
  }
  return out;
}

/**
 * The fixture's body as the agent's next turn would send it: the newest tool output gets a line that
 * makes it new (a fresh hash, so headroom compresses it for the first time), every earlier one is
 * as captured (memo hits after the first round). Without tool outputs, the body as captured.
 */
function turnBody(fixture: Fixture, tag: string): Buffer {
  if (fixture.toolOutputs === 0) return Buffer.from(JSON.stringify(fixture.body));
  const body = structuredClone(fixture.body);
  const [holder, key] = toolOutputSlots(body).at(-1)!;
  const value = holder[key];
  const line = `\nbench turn ${tag}`;
  if (typeof value === "string") holder[key] = value + line;
  else {
    const parts = arr(value).filter((p): p is Json => isObj(p) && typeof p.text === "string");
    const last = parts.at(-1);
    if (last) last.text = `${last.text as string}${line}`;
  }
  return Buffer.from(JSON.stringify(body));
}

// ---------------------------------------------------------------------------------------------
// Processes

interface Child {
  proc: ChildProcess;
  url: string;
}

function startChild(script: string, args: string[], env: NodeJS.ProcessEnv, read: (json: Json) => string): Promise<Child> {
  const proc = spawn(process.execPath, ["--import", "tsx", join(HERE, script), ...args], {
    cwd: ROOT,
    env,
    stdio: ["pipe", "pipe", "inherit", "ipc"],
  });
  return new Promise<Child>((resolvePromise, reject) => {
    let text = "";
    const timer = setTimeout(() => reject(new Error(`${script} did not start within 30 s`)), 30_000);
    const onData = (chunk: Buffer): void => {
      text += chunk.toString("utf8");
      try {
        const json = JSON.parse(text) as Json;
        clearTimeout(timer);
        proc.stdout?.off("data", onData);
        proc.stdout?.resume();
        resolvePromise({ proc, url: read(json) });
      } catch {
        // not complete yet
      }
    };
    proc.stdout?.on("data", onData);
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code} before it was ready`));
    });
  });
}

function stopChild(child: Child | undefined): Promise<void> {
  if (!child || child.proc.exitCode !== null) return Promise.resolve();
  return new Promise((resolvePromise) => {
    const timer = setTimeout(() => child.proc.kill("SIGKILL"), 5000);
    child.proc.once("exit", () => {
      clearTimeout(timer);
      resolvePromise();
    });
    child.proc.kill("SIGTERM");
  });
}

interface Rss {
  rss: number;
  peak: number;
  heapAfterGc?: number;
}

function askRss(child: Child, message: "rss" | "reset-peak"): Promise<Rss> {
  return new Promise((resolvePromise) => {
    child.proc.once("message", (reply) => resolvePromise(reply as Rss));
    child.proc.send(message);
  });
}

// ---------------------------------------------------------------------------------------------
// Client

interface Timing {
  ms: number;
  /** Time to the first body byte. */
  ttfbMs: number;
  status: number;
  headroom: string | undefined;
  bytes: Buffer;
}

async function timed(pool: Pool, path: string, headers: Record<string, string>, body: Buffer, keep = false): Promise<Timing> {
  const started = performance.now();
  const answer = await pool.request({ method: "POST", path, headers: { ...headers, "content-length": String(body.length) }, body });
  let ttfbMs = -1;
  const chunks: Buffer[] = [];
  for await (const chunk of answer.body) {
    if (ttfbMs < 0) ttfbMs = performance.now() - started;
    if (keep) chunks.push(chunk as Buffer);
  }
  const ms = performance.now() - started;
  const status = answer.headers["x-headroom-status"];
  return { ms, ttfbMs: ttfbMs < 0 ? ms : ttfbMs, status: answer.statusCode, headroom: typeof status === "string" ? status : undefined, bytes: Buffer.concat(chunks) };
}

const pool = (url: string, connections: number): Pool => new Pool(url, { connections, pipelining: 1, keepAliveTimeout: 60_000, keepAliveMaxTimeout: 60_000 });

// ---------------------------------------------------------------------------------------------
// Statistics

function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

interface Dist {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

const dist = (values: readonly number[]): Dist => ({ n: values.length, p50: quantile(values, 0.5), p99: quantile(values, 0.99), max: quantile(values, 1) });
const round = (value: number, digits = 3): number => Number(value.toFixed(digits));
const roundDist = (d: Dist): Dist => ({ n: d.n, p50: round(d.p50), p99: round(d.p99), max: round(d.max) });

// ---------------------------------------------------------------------------------------------
// Phases

type Target = "direct" | "bare" | "off" | "compress" | "compressAgain";
type Sent = "direct" | "bare" | "off" | "compress";

interface Sample {
  fixture: string;
  stream: boolean;
  direct: Timing;
  bare: Timing;
  off: Timing;
  compress: Timing;
  compressAgain: Timing;
}

/**
 * Paired latency: each round sends every fixture (as its next turn) direct, through the bare
 * node:http pipe, through `off`, through `compress` (new newest output), then through `compress`
 * again (the same turn replayed: all memo hits), one request at a time on keep-alive connections;
 * the order of the first four rotates.
 */
async function latencyPhase(fixtures: Fixture[], pools: Record<Sent, Pool>, rounds: number, warmup: number, runTag: string): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (let r = 0; r < warmup + rounds; r++) {
    for (const fixture of fixtures) {
      const body = turnBody(fixture, `${runTag}-${r}`);
      const targets: Sent[] = ["direct", "bare", "off", "compress"];
      const order = [...targets.slice(r % 4), ...targets.slice(0, r % 4)];
      const got: Partial<Record<Target, Timing>> = {};
      for (const target of order) got[target] = await timed(pools[target], fixture.path, fixture.headers, body);
      got.compressAgain = await timed(pools.compress, fixture.path, fixture.headers, body);
      if (r >= warmup) samples.push({ fixture: fixture.name, stream: fixture.stream, ...(got as Record<Target, Timing>) });
    }
  }
  return samples;
}

interface Throughput {
  requests: number;
  errors: number;
  seconds: number;
  perSecond: number;
}

/** `total` requests over `connections` keep-alive connections, as fast as they go (capped at 20 s). */
async function throughputPhase(url: string, path: string, headers: Record<string, string>, body: Buffer, total: number, connections: number): Promise<Throughput> {
  const p = pool(url, connections);
  // Warm the connections.
  await Promise.all(Array.from({ length: connections }, () => timed(p, path, headers, body)));
  let next = 0;
  let errors = 0;
  let done = 0;
  const deadline = performance.now() + 20_000;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < total && performance.now() < deadline) {
      next += 1;
      try {
        const t = await timed(p, path, headers, body);
        if (t.status !== 200) errors += 1;
      } catch {
        errors += 1;
      }
      done += 1;
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  const seconds = (performance.now() - started) / 1000;
  await p.close();
  return { requests: done, errors, seconds: round(seconds, 2), perSecond: Math.round(done / seconds) };
}

interface Concurrency {
  mode: string;
  waves: number;
  concurrent: number;
  requests: number;
  errors: number;
  errorKinds: Record<string, number>;
  maxInFlightAtUpstream: number;
  seconds: number[];
  rssMB: { before: number; peak: number; after: number; afterEachWave: number[] };
  /** JavaScript heap in use after a full collection, after each wave (MB): flat when nothing leaks. */
  heapAfterGcMB: number[];
}

/**
 * `concurrent` streaming requests at once (fixture bodies, each with a new newest tool output), the
 * upstream spreading every answer over ~1 s so that all of them are open together; every answer must
 * be 200 with exactly the bytes the upstream sends for that wire format. Repeated `waves` times.
 */
async function concurrencyPhase(
  mode: string,
  proxy: Child,
  proxyUrl: string,
  upstreamUrl: string,
  fixtures: Fixture[],
  expected: Map<string, Buffer>,
  concurrent: number,
  waves: number,
  runTag: string,
): Promise<Concurrency> {
  const streaming = fixtures.filter((f) => f.stream);
  const p = pool(proxyUrl, concurrent);
  const control = pool(upstreamUrl, 1);
  const errorKinds: Record<string, number> = {};
  let errors = 0;
  let requests = 0;
  const seconds: number[] = [];
  const afterEachWave: number[] = [];
  const heapAfterWave: number[] = [];
  let maxInFlight = 0;
  const before = await askRss(proxy, "reset-peak");
  for (let wave = 0; wave < waves; wave++) {
    await control.request({ method: "POST", path: "/__bench/reset" }).then((a) => a.body.dump());
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrent }, async (_, i) => {
        const fixture = streaming[i % streaming.length]!;
        requests += 1;
        const fail = (kind: string): void => {
          errors += 1;
          errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
        };
        try {
          const t = await timed(p, fixture.path, { ...fixture.headers, "x-bench-stream-ms": "1000" }, turnBody(fixture, `${runTag}-c${mode}${wave}-${i}`), true);
          if (t.status !== 200) fail(`status ${t.status}`);
          else if (!t.bytes.equals(expected.get(fixture.name)!)) fail("stream bytes differ");
          else if (t.headroom === undefined) fail("no x-headroom-status");
        } catch (error) {
          fail(error instanceof Error ? (error as NodeJS.ErrnoException).code ?? error.message : String(error));
        }
      }),
    );
    seconds.push(round((performance.now() - started) / 1000, 2));
    const stats = (await (await control.request({ method: "GET", path: "/__bench/stats" })).body.json()) as { maxInFlight: number };
    maxInFlight = Math.max(maxInFlight, stats.maxInFlight);
    const sample = await askRss(proxy, "rss");
    afterEachWave.push(sample.rss);
    heapAfterWave.push(sample.heapAfterGc ?? 0);
  }
  await p.close();
  await control.close();
  await new Promise((r) => setTimeout(r, 1000));
  const after = await askRss(proxy, "rss");
  const mb = (bytes: number): number => round(bytes / 1024 / 1024, 1);
  return {
    mode,
    waves,
    concurrent,
    requests,
    errors,
    errorKinds,
    maxInFlightAtUpstream: maxInFlight,
    seconds,
    rssMB: { before: mb(before.rss), peak: mb(after.peak), after: mb(after.rss), afterEachWave: afterEachWave.map(mb) },
    heapAfterGcMB: heapAfterWave.map(mb),
  };
}

// ---------------------------------------------------------------------------------------------
// Report

interface Report {
  version: number;
  node: string;
  cpus: number;
  load: { start: number[]; end: number[] };
  options: Options;
  fixtures: { name: string; agent: string; path: string; bytes: number; stream: boolean; toolOutputs: number; statuses: Record<string, string> }[];
  latency: Record<Target, Dist>;
  added: Record<Exclude<Target, "direct">, Dist>;
  addedByFixture: { fixture: string; off: Dist; compress: Dist; compressAgain: Dist }[];
  ttfb: { direct: Dist; off: Dist; compress: Dist; addedBare: Dist; addedOff: Dist; addedCompress: Dist };
  throughput: Record<string, Throughput>;
  concurrency: Concurrency[];
  targets: Record<string, { value: number; target: string; met: boolean }>;
}

function buildReport(options: Options, fixtures: Fixture[], samples: Sample[], throughput: Record<string, Throughput>, concurrency: Concurrency[], load: Report["load"]): Report {
  const pick = (target: Target, list = samples): number[] => list.map((s) => s[target].ms);
  const added = (target: Exclude<Target, "direct">, list = samples): number[] => list.map((s) => s[target].ms - s.direct.ms);
  const streamed = samples.filter((s) => s.stream);
  const statusesOf = (name: string): Record<string, string> => {
    const s = samples.find((x) => x.fixture === name);
    return s ? { off: s.off.headroom ?? "-", compress: s.compress.headroom ?? "-", compressAgain: s.compressAgain.headroom ?? "-" } : {};
  };
  const latency = { direct: dist(pick("direct")), bare: dist(pick("bare")), off: dist(pick("off")), compress: dist(pick("compress")), compressAgain: dist(pick("compressAgain")) };
  const addedAll = { bare: dist(added("bare")), off: dist(added("off")), compress: dist(added("compress")), compressAgain: dist(added("compressAgain")) };
  const ttfbAdded = (target: "bare" | "off" | "compress"): number[] => streamed.map((s) => s[target].ttfbMs - s.direct.ttfbMs);
  const ttfb = {
    direct: dist(streamed.map((s) => s.direct.ttfbMs)),
    off: dist(streamed.map((s) => s.off.ttfbMs)),
    compress: dist(streamed.map((s) => s.compress.ttfbMs)),
    addedBare: dist(ttfbAdded("bare")),
    addedOff: dist(ttfbAdded("off")),
    addedCompress: dist(ttfbAdded("compress")),
  };
  const rpsOff = throughput["off, small request"]?.perSecond ?? NaN;
  const concurrentErrors = concurrency.reduce((n, c) => n + c.errors, 0);
  const targets: Report["targets"] = {
    "added p50, compress": { value: round(addedAll.compress.p50), target: "<= 2 ms", met: addedAll.compress.p50 <= 2 },
    "added p99, compress": { value: round(addedAll.compress.p99), target: "<= 10 ms", met: addedAll.compress.p99 <= 10 },
    "added p50, off": { value: round(addedAll.off.p50), target: "<= 0.5 ms", met: addedAll.off.p50 <= 0.5 },
    "TTFB vs direct p50, off": { value: round(ttfb.addedOff.p50), target: "<= 1 ms", met: ttfb.addedOff.p50 <= 1 },
    "TTFB vs direct p50, compress": { value: round(ttfb.addedCompress.p50), target: "<= 2 ms", met: ttfb.addedCompress.p50 <= 2 },
    "requests/s, off": { value: rpsOff, target: ">= 1000", met: rpsOff >= 1000 },
    [`${options.concurrent} concurrent streams, errors`]: { value: concurrentErrors, target: "0", met: concurrentErrors === 0 },
  };
  const names = [...new Set(samples.map((s) => s.fixture))];
  return {
    version: SCHEMA_VERSION,
    node: process.version,
    cpus: cpus().length,
    load,
    options,
    fixtures: fixtures.map((f) => ({ name: f.name, agent: f.agent, path: f.path, bytes: Buffer.byteLength(JSON.stringify(f.body)), stream: f.stream, toolOutputs: f.toolOutputs, statuses: statusesOf(f.name) })),
    latency: { direct: roundDist(latency.direct), bare: roundDist(latency.bare), off: roundDist(latency.off), compress: roundDist(latency.compress), compressAgain: roundDist(latency.compressAgain) },
    added: { bare: roundDist(addedAll.bare), off: roundDist(addedAll.off), compress: roundDist(addedAll.compress), compressAgain: roundDist(addedAll.compressAgain) },
    addedByFixture: names.map((name) => {
      const list = samples.filter((s) => s.fixture === name);
      return { fixture: name, off: roundDist(dist(added("off", list))), compress: roundDist(dist(added("compress", list))), compressAgain: roundDist(dist(added("compressAgain", list))) };
    }),
    ttfb: { direct: roundDist(ttfb.direct), off: roundDist(ttfb.off), compress: roundDist(ttfb.compress), addedBare: roundDist(ttfb.addedBare), addedOff: roundDist(ttfb.addedOff), addedCompress: roundDist(ttfb.addedCompress) },
    throughput,
    concurrency,
    targets,
  };
}

function printTable(report: Report): void {
  const ms = (v: number): string => `${v.toFixed(2)} ms`.padStart(10);
  const lines: string[] = [];
  const l = (s = ""): number => lines.push(s);
  l(`headroom proxy bench: Node ${report.node}, ${report.cpus} CPUs, load average ${report.load.start.map((v) => v.toFixed(2)).join(" ")} at start, ${report.load.end.map((v) => v.toFixed(2)).join(" ")} at end`);
  const requests = report.fixtures.length;
  l(`${requests} captured requests (${[...new Set(report.fixtures.map((f) => f.agent))].join(", ")}), ${report.options.rounds} rounds after ${report.options.warmup} warm-up rounds, one request at a time`);
  l();
  l("Added latency, whole response, paired with the same request sent direct");
  l(`  ${"".padEnd(44)}${"p50".padStart(10)}${"p99".padStart(10)}${"max".padStart(10)}   target`);
  const row = (label: string, d: Dist, target = ""): number => l(`  ${label.padEnd(44)}${ms(d.p50)}${ms(d.p99)}${ms(d.max)}   ${target}`);
  row("bare node:http pipe (reference, not headroom)", report.added.bare);
  row("off", report.added.off, "p50 <= 0.5 ms");
  row("compress, next turn (newest output is new)", report.added.compress, "p50 <= 2 ms, p99 <= 10 ms");
  row("compress, same turn again (memo hits only)", report.added.compressAgain);
  row("(direct, absolute)", report.latency.direct);
  l();
  l("Streamed time to first byte");
  l(`  ${"".padEnd(44)}${"p50".padStart(10)}${"p99".padStart(10)}${"max".padStart(10)}   target`);
  row("direct (absolute)", report.ttfb.direct);
  row("bare node:http pipe, minus direct", report.ttfb.addedBare);
  row("off, minus direct", report.ttfb.addedOff, "p50 within 1 ms");
  row("compress, minus direct", report.ttfb.addedCompress, "p50 within 2 ms");
  l();
  l(`Throughput (${report.options.connections} keep-alive connections, ${report.options.requests} requests)`);
  for (const [name, t] of Object.entries(report.throughput)) {
    l(`  ${name.padEnd(44)}${`${t.perSecond}/s`.padStart(10)}   ${t.errors} errors, ${t.seconds} s${name === "off, small request" ? "   target >= 1000/s" : ""}`);
  }
  l();
  for (const c of report.concurrency) {
    l(`${c.concurrent} concurrent streaming requests, ${c.mode} mode, ${c.waves} wave(s) of ~1 s streams`);
    l(`  errors ${c.errors}${c.errors ? ` ${JSON.stringify(c.errorKinds)}` : ""} of ${c.requests}; max in flight at the upstream ${c.maxInFlightAtUpstream}; wave time ${c.seconds.join(", ")} s`);
    l(`  proxy RSS: before ${c.rssMB.before} MB, peak ${c.rssMB.peak} MB, after each wave ${c.rssMB.afterEachWave.join(", ")} MB, 1 s later ${c.rssMB.after} MB`);
    l(`  JavaScript heap after a full GC, after each wave: ${c.heapAfterGcMB.join(", ")} MB`);
  }
  l();
  l("Added latency by request (p50 / p99, ms)");
  l(`  ${"request".padEnd(46)}${"out".padStart(4)}${"off".padStart(14)}${"compress".padStart(16)}${"again".padStart(14)}  status`);
  for (const f of report.addedByFixture) {
    const info = report.fixtures.find((x) => x.name === f.fixture)!;
    const pair = (d: Dist): string => `${d.p50.toFixed(2)} / ${d.p99.toFixed(2)}`;
    l(`  ${f.fixture.padEnd(46)}${String(info.toolOutputs).padStart(4)}${pair(f.off).padStart(14)}${pair(f.compress).padStart(16)}${pair(f.compressAgain).padStart(14)}  ${info.statuses.compress}`);
  }
  l();
  l("Targets");
  for (const [name, t] of Object.entries(report.targets)) l(`  ${t.met ? "met " : "MISS"}  ${name.padEnd(36)} ${String(t.value).padStart(8)}   (${t.target})`);
  process.stdout.write(`${lines.join("\n")}\n`);
}

// ---------------------------------------------------------------------------------------------
// Main

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const log = (line: string): void => {
    if (!options.json) process.stderr.write(`${line}\n`);
  };
  const load = { start: loadavg().map((v) => round(v, 2)), end: [] as number[] };
  const fixtures = loadFixtures();
  const home = mkdtempSync(join(tmpdir(), "headroom-bench-proxy-"));
  const children: Child[] = [];
  const pools: Pool[] = [];
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, HEADROOM_HOME: home, NODE_ENV: "production" };
    delete env.HEADROOM_MODE; // the mode is the proxy's argument
    const upstream = await startChild("proxy-upstream.ts", [], env, (json) => `http://127.0.0.1:${json.port as number}`);
    children.push(upstream);
    const proxyArgs = (mode: string): string[] => [mode, upstream.url, `${upstream.url}/v1`];
    const off = await startChild("proxy-server.ts", proxyArgs("off"), env, (json) => json.url as string);
    children.push(off);
    const compress = await startChild("proxy-server.ts", proxyArgs("compress"), env, (json) => json.url as string);
    children.push(compress);
    const bare = await startChild("proxy-bare.ts", [upstream.url], env, (json) => json.url as string);
    children.push(bare);
    log(`upstream ${upstream.url}, off ${off.url}, compress ${compress.url}; ${fixtures.length} requests; load ${load.start.join(" ")}`);

    const runTag = Date.now().toString(36);
    const latencyPools = { direct: pool(upstream.url, 1), bare: pool(bare.url, 1), off: pool(off.url, 1), compress: pool(compress.url, 1) };
    pools.push(...Object.values(latencyPools));
    log("latency and time to first byte ...");
    const samples = await latencyPhase(fixtures, latencyPools, options.rounds, options.warmup, runTag);

    // What the upstream sends for each streaming fixture: the bytes every concurrent stream must match.
    const expected = new Map<string, Buffer>();
    for (const f of fixtures.filter((x) => x.stream)) expected.set(f.name, (await timed(latencyPools.direct, f.path, f.headers, turnBody(f, "expected"), true)).bytes);
    await Promise.all(Object.values(latencyPools).map((p) => p.close()));

    log("throughput ...");
    const small = Buffer.from(JSON.stringify({ model: "gpt-4.1", messages: [{ role: "user", content: "Say hi." }] }));
    const smallHeaders = { "content-type": "application/json", authorization: "Bearer sk-bench" };
    const big = fixtures.find((f) => f.name === "copilot-chat#2") ?? fixtures.find((f) => f.stream)!;
    const bigBody = turnBody(big, `${runTag}-rps`);
    const throughput: Record<string, Throughput> = {};
    throughput["direct, small request"] = await throughputPhase(upstream.url, "/v1/chat/completions", smallHeaders, small, options.requests, options.connections);
    throughput["bare node:http pipe, small request"] = await throughputPhase(bare.url, "/v1/chat/completions", smallHeaders, small, options.requests, options.connections);
    throughput["off, small request"] = await throughputPhase(off.url, "/v1/chat/completions", smallHeaders, small, options.requests, options.connections);
    throughput[`direct, ${big.name} (${Math.round(bigBody.length / 1024)} KB, SSE)`] = await throughputPhase(upstream.url, big.path, big.headers, bigBody, options.requests, options.connections);
    throughput[`off, ${big.name} (${Math.round(bigBody.length / 1024)} KB, SSE)`] = await throughputPhase(off.url, big.path, big.headers, bigBody, options.requests, options.connections);
    throughput[`compress, ${big.name} (memo hits)`] = await throughputPhase(compress.url, big.path, big.headers, bigBody, options.requests, options.connections);

    log(`${options.concurrent} concurrent streams ...`);
    const concurrency = [
      await concurrencyPhase("compress", compress, compress.url, upstream.url, fixtures, expected, options.concurrent, options.waves, runTag),
      await concurrencyPhase("off", off, off.url, upstream.url, fixtures, expected, options.concurrent, 1, runTag),
    ];
    load.end = loadavg().map((v) => round(v, 2));
    const report = buildReport(options, fixtures, samples, throughput, concurrency, load);
    if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else printTable(report);
  } finally {
    await Promise.all(pools.map((p) => p.close().catch(() => undefined)));
    for (const child of children.reverse()) await stopChild(child);
    rmSync(home, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:proxy failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
