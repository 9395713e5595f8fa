// Large tool outputs are compressed in a worker thread: the output is the inline pipeline's, byte for
// byte, on every real fixture; a concurrent stream keeps flowing while megabytes compress; an output
// the worker does not answer for in time goes out unchanged and stays so on the next turn; a crashed
// worker fails open and is replaced; close() stops the worker.
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadGrammars } from "../../src/resources/grammars.js";
import { compressMessages, compressMessagesAsync } from "../../src/pipeline/compress-messages.js";
import { compressUnit } from "../../src/pipeline/compress-unit.js";
import { locateUnits } from "../../src/pipeline/locate.js";
import { queryFor } from "../../src/pipeline/query.js";
import { UnitPool, UnitPoolError } from "../../src/pipeline/unit-pool.js";
import { onCleanup, proxyWith, send, standIn, tempStore, json, type Handler } from "./helpers.js";

const ROOT = join(import.meta.dirname, "../..");

function fixtureFiles(): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (!name.endsWith(".md")) out.push({ name: path.slice(ROOT.length + 1), text: readFileSync(path, "utf8") });
    }
  };
  walk(join(ROOT, "test/fixtures/outputs"));
  walk(join(ROOT, "scripts/bench/fixtures"));
  return out;
}

/** `text` repeated to about `chars` characters, starting with a line that makes it unique. */
function big(text: string, chars: number, salt: string): string {
  const parts = [salt];
  let size = salt.length;
  while (size < chars) {
    parts.push(text);
    size += text.length + 1;
  }
  return parts.join("\n");
}

/** A JSON array of copies of the JSON document `text`, about `chars` long, the first one tagged with `salt`. */
function bigJson(text: string, chars: number, salt: string): string {
  const copies = [`{"salt":${JSON.stringify(salt)},"doc":${text.trim()}}`];
  while (copies.length * text.length < chars) copies.push(text.trim());
  return `[${copies.join(",\n")}]`;
}

function conversation(output: string, question = "why are requests timing out? find the errors"): unknown[] {
  return [
    { role: "user", content: [{ type: "text", text: question }] },
    { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "Bash", input: { command: "kubectl logs deploy/api --since=1h" } }] },
    { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: output }] },
  ];
}

const body = (output: string) => ({ model: "claude-sonnet-4-5", max_tokens: 10, messages: conversation(output) });
const sentOutput = (raw: Buffer): string => locateUnits((JSON.parse(raw.toString("utf8")) as { messages: unknown[] }).messages)[0]!.text;

function pool(options: ConstructorParameters<typeof UnitPool>[0] = {}): UnitPool {
  const created = new UnitPool(options);
  onCleanup(() => created.close());
  return created;
}

describe("compressUnit in a worker", () => {
  const files = fixtureFiles();
  // Workers load the grammars before they take work; inline, this process must have them too.
  beforeAll(() => loadGrammars());
  const query = queryFor("why does the request time out? find the error", { pattern: "timeout" });

  it("answers exactly what compressUnit answers inline, on every real fixture (lossy and lossless)", async () => {
    expect(files.length).toBeGreaterThan(40);
    const workers = pool();
    for (const file of files) {
      for (const losslessOnly of [false, true]) {
        const inline = compressUnit(file.text, { query, losslessOnly });
        const offloaded = await workers.run(file.text, { query, losslessOnly }, 20_000);
        expect(offloaded, file.name).toEqual(inline);
      }
    }
    expect(workers.stats()).toMatchObject({ started: 1, crashes: 0, timeouts: 0 });
  });

  it("gives the same conversation and the same memo as the inline pipeline (large outputs included)", async () => {
    const outputs = [...files.filter((file) => file.text.length > 20_000).map((file) => file.text), big(files.find((f) => f.name.endsWith("nginx-access.log"))!.text, 600_000, "x")];
    const workers = pool();
    for (const output of outputs) {
      const inlineStore = tempStore();
      const workerStore = tempStore();
      const messages = conversation(output);
      const inline = compressMessages(messages, { store: inlineStore });
      const offloaded = await compressMessagesAsync(messages, { store: workerStore, runUnit: (text, options) => workers.run(text, options, 20_000) });
      expect(offloaded).toEqual(inline);
      const hash = inline.units[0]!.hash;
      expect(workerStore.memoGet(hash, "full")).toEqual(inlineStore.memoGet(hash, "full"));
      expect(workerStore.get(hash)).toBe(inlineStore.get(hash));
    }
  });

  it("times out: the job is abandoned, its worker replaced, and the next job is answered", async () => {
    const workers = pool();
    const small = files.find((f) => f.name.endsWith("nginx-access.log"))!.text;
    await workers.run(small, { query }, 20_000);
    const huge = big(files.find((f) => f.name.endsWith("gh-issue-list.json"))!.text, 3_000_000, "t");
    const failure = await workers.run(huge, { query }, 5).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UnitPoolError);
    expect((failure as UnitPoolError).reason).toBe("timeout");
    expect(await workers.run(small, { query }, 20_000)).toEqual(compressUnit(small, { query }));
    expect(workers.stats()).toMatchObject({ timeouts: 1, started: 2 });
  });
});

// A stand-in upstream that streams one small SSE event every 5 ms for x-stream-ms, and answers JSON otherwise.
const sseOrJson: Handler = (req, res) => {
  const ms = Number(req.headers["x-stream-ms"] ?? 0);
  if (!ms) {
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"type":"message","content":[]}');
    return;
  }
  res.writeHead(200, { "content-type": "text/event-stream" });
  const until = Date.now() + ms;
  let n = 0;
  const tick = setInterval(() => {
    if (Date.now() >= until || res.destroyed) {
      clearInterval(tick);
      res.end('event: message_stop\ndata: {"type":"message_stop"}\n\n');
      return;
    }
    res.write(`event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"t${n++}"}}\n\n`);
  }, 5);
};

/** Streams through `url` for `ms`; resolves with the largest gap between received chunks. */
function maxChunkGap(url: string, ms: number): Promise<number> {
  const payload = JSON.stringify({ model: "claude-sonnet-4-5", max_tokens: 10, stream: true, messages: [{ role: "user", content: "hi" }] });
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}/v1/messages`, { method: "POST", agent: false, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload), "x-stream-ms": ms } }, (res) => {
      let last = -1;
      let max = 0;
      res.on("data", () => {
        const now = performance.now();
        if (last >= 0) max = Math.max(max, now - last);
        last = now;
      });
      res.on("end", () => resolve(max));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(payload);
  });
}

describe("the proxy with a compression worker", () => {
  const log = fixtureFiles().find((f) => f.name.endsWith("sre/nginx-access.log"))!.text;
  const issues = fixtureFiles().find((f) => f.name.endsWith("gh-issue-list.json"))!.text;

  it("keeps a concurrent stream flowing while a 5 MB output compresses", async () => {
    const upstream = await standIn(sseOrJson);
    const { proxy } = await proxyWith({ store: tempStore(), upstreams: { anthropic: upstream.url }, workerBudgetMs: 20_000 });
    // Warm up (worker start, JIT) on a different output: not what is measured.
    await send(`${proxy.url}/v1/messages`, json(body(big(log, 300_000, "warm-up"))));
    const payload = json(body(bigJson(issues, 5 * 1024 * 1024, "five megabytes")));
    const streaming = maxChunkGap(proxy.url, 1500);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const answer = await send(`${proxy.url}/v1/messages`, payload);
    const gap = await streaming;
    expect(answer.headers["x-headroom-status"]).toBe("compressed");
    expect(sentOutput(upstream.received.at(-1)!.body).length).toBeLessThan(1_000_000);
    // Inline, this output holds the event loop for about a second (compression, then the ledger's
    // token count); what is left on the main thread (parsing the body, hashing, storing the
    // original) is about 50 ms here. Generous: test files run side by side on two cores.
    expect(gap).toBeLessThan(300);
  });

  it("forwards an output the worker did not answer for in time unchanged, memoised so: turn N+1 is byte-identical", async () => {
    const upstream = await standIn();
    const store = tempStore();
    const { proxy } = await proxyWith({ store, upstreams: { anthropic: upstream.url }, workerBudgetMs: 1 });
    const output = big(log, 2_000_000, "too slow for 1 ms");
    const first = await send(`${proxy.url}/v1/messages`, json(body(output)));
    expect(first.headers["x-headroom-status"]).toBe("over-budget");
    expect(sentOutput(upstream.received.at(-1)!.body)).toBe(output);
    const turn1 = upstream.received.at(-1)!.body;
    // The memo says "keep the original" for this output, so no later turn changes its bytes.
    const hash = locateUnits(conversation(output)).length === 1 ? (await import("../../src/ccr/hash.js")).contentHash(output) : "";
    expect(store.memoGet(hash, "full")).toEqual({ text: null });
    const second = await send(`${proxy.url}/v1/messages`, json(body(output)));
    expect(second.headers["x-headroom-status"]).toBe("unchanged");
    expect(upstream.received.at(-1)!.body.equals(turn1)).toBe(true);
    expect(proxy.breaker.state().recentFailures).toBe(1);
  });

  it("fails open when the worker crashes, counts it for the breaker, and serves the next request with a new worker", async () => {
    const upstream = await standIn();
    const store = tempStore();
    const workerUrl = new URL("./support/crashing-worker.ts", import.meta.url);
    const { proxy } = await proxyWith({ store, upstreams: { anthropic: upstream.url }, workerUrl });
    const doomed = big(log, 200_000, "CRASH THE WORKER");
    const first = await send(`${proxy.url}/v1/messages`, json(body(doomed)));
    expect(first.status).toBe(200);
    expect(first.headers["x-headroom-status"]).toBe("bypass-error");
    expect(sentOutput(upstream.received.at(-1)!.body)).toBe(doomed);
    expect(proxy.breaker.state().recentFailures).toBe(1);
    const fine = big(log, 200_000, "an ordinary output");
    const second = await send(`${proxy.url}/v1/messages`, json(body(fine)));
    expect(second.headers["x-headroom-status"]).toBe("compressed");
    expect(sentOutput(upstream.received.at(-1)!.body).length).toBeLessThan(fine.length / 10);
    // The crashed output stays unchanged on the next turn.
    await send(`${proxy.url}/v1/messages`, json(body(doomed)));
    expect(sentOutput(upstream.received.at(-1)!.body)).toBe(doomed);
    const health = JSON.parse((await send(`${proxy.url}/health`)).body.toString()) as { workers: Record<string, number> };
    expect(health.workers).toMatchObject({ started: 2, crashes: 1, completed: 1 });
  });

  it("keeps small outputs inline (no worker is started for them)", async () => {
    const upstream = await standIn();
    const { proxy } = await proxyWith({ store: tempStore(), upstreams: { anthropic: upstream.url }, workerUrl: new URL("./support/crashing-worker.ts", import.meta.url) });
    // The crashing worker would crash on this text: it is compressed inline, so it never sees it.
    const small = `CRASH THE WORKER\n${log.slice(0, 20_000)}`;
    const answer = await send(`${proxy.url}/v1/messages`, json(body(small)));
    expect(answer.headers["x-headroom-status"]).toBe("compressed");
    expect(proxy.breaker.state().recentFailures).toBe(0);
    const health = JSON.parse((await send(`${proxy.url}/health`)).body.toString()) as { workers: Record<string, number> };
    expect(health.workers).toMatchObject({ started: 0, completed: 0 });
  });
});

describe("closing the proxy", () => {
  it.runIf(existsSync("/proc/self/task"))("stops its worker threads: a process that used them exits by itself", async () => {
    const script = `
      import { startProxy } from ${JSON.stringify(new URL("../../src/proxy/server.ts", import.meta.url).href)};
      import { createServer, request } from "node:http";
      const upstream = createServer((req, res) => { req.resume(); req.on("end", () => { res.writeHead(200, { "content-type": "application/json" }); res.end("{}"); }); });
      await new Promise((resolve) => upstream.listen(0, "127.0.0.1", resolve));
      const proxy = await startProxy({ port: 0, preloadTokenizer: false, upstreams: { anthropic: "http://127.0.0.1:" + upstream.address().port }, record: () => {} });
      const output = "GET /api/orders 200 12ms\\n".repeat(20000) + "ERROR connect ETIMEDOUT 10.0.0.7:5432\\n";
      const body = JSON.stringify({ model: "m", messages: [
        { role: "assistant", content: [{ type: "tool_use", id: "t", name: "Bash", input: { command: "kubectl logs api" } }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: output }] } ] });
      const status = await new Promise((resolve) => {
        const req = request(proxy.url + "/v1/messages", { method: "POST", headers: { "content-type": "application/json" } }, (res) => { res.resume(); res.on("end", () => resolve(res.headers["x-headroom-status"])); });
        req.end(body);
      });
      const health = await (await fetch(proxy.url + "/health")).json();
      await proxy.settled();
      const { readdirSync } = await import("node:fs");
      const threads = () => readdirSync("/proc/self/task").length;
      const running = threads();
      await proxy.close();
      await new Promise((resolve) => setTimeout(resolve, 100));
      upstream.close();
      console.log(JSON.stringify({ status, workers: health.workers, threadsStopped: running - threads() }));
    `;
    const { execFile } = await import("node:child_process");
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { timeout: 20_000, cwd: ROOT }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr });
      });
      child.stdin?.end();
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as { status: string; workers: Record<string, number>; threadsStopped: number };
    expect(printed.status).toBe("compressed");
    expect(printed.workers).toMatchObject({ started: 1, completed: 1 });
    // The compression worker and the ledger's counting worker are terminated by close().
    expect(printed.threadsStopped).toBeGreaterThanOrEqual(2);
  });
});
