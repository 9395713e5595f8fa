// Responses through the proxy: SSE bytes reach the client exactly as the upstream wrote them, as
// they arrive (not buffered), and the tap reads usage from a copy; JSON likewise, also gzip-encoded.
import { request as httpRequest } from "node:http";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { say, start as startScripted } from "../e2e/support/scripted-upstream.js";
import { fixtureRequests, json, onCleanup, proxyWith, send, standIn } from "./helpers.js";
import { SAMPLES } from "./sse-samples.js";

const bodyFor = (name: string) =>
  name === "anthropic"
    ? { model: "claude-sonnet-4-5", stream: true, max_tokens: 10, messages: [{ role: "user", content: "hi" }] }
    : name === "chat"
      ? { model: "gpt-4o", stream: true, messages: [{ role: "user", content: "hi" }] }
      : { model: "gpt-5", stream: true, input: [{ role: "user", content: "hi" }] };

// Writes `bytes` in small pieces (splitting UTF-8 characters) with a pause between them.
function writeInPieces(res: NodeJS.WritableStream & { end(): void }, bytes: Buffer, size = 7): void {
  let offset = 0;
  const next = () => {
    if (offset >= bytes.length) return res.end();
    res.write(bytes.subarray(offset, offset + size));
    offset += size;
    setImmediate(next);
  };
  next();
}

describe.each(SAMPLES)("$name responses", (sample) => {
  it("stream byte-identical to the upstream's bytes, usage parsed from the copy", async () => {
    const bytes = Buffer.from(sample.stream, "utf8");
    const upstream = await standIn((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "request-id": "req_42" });
      writeInPieces(res, bytes);
    });
    const { proxy, entries } = await proxyWith({ upstreams: { anthropic: upstream.url, openai: `${upstream.url}/v1` } });
    const answer = await send(`${proxy.url}${sample.path}`, json(bodyFor(sample.name), { "x-api-key": "k" }));
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
    expect(answer.headers["request-id"]).toBe("req_42");
    expect(answer.body.equals(bytes)).toBe(true);
    await proxy.settled();
    expect(entries[0]!.usage).toEqual(sample.usage);
  });

  it("JSON body forwarded as is, gzip-encoded bytes and header kept, usage read from a decoded copy", async () => {
    const gz = gzipSync(JSON.stringify(sample.json));
    const upstream = await standIn((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip", "content-length": gz.length });
      res.end(gz);
    });
    const { proxy, entries } = await proxyWith({ upstreams: { anthropic: upstream.url, openai: `${upstream.url}/v1` } });
    const answer = await send(`${proxy.url}${sample.path}`, json({ ...bodyFor(sample.name), stream: false }, { "x-api-key": "k" }));
    expect(answer.headers["content-encoding"]).toBe("gzip");
    expect(Number(answer.headers["content-length"])).toBe(gz.length);
    expect(answer.body.equals(gz)).toBe(true);
    await proxy.settled();
    expect(entries[0]!.usage).toEqual(sample.usage);
  });
});

describe("streaming", () => {
  it("sends each event on as it arrives (nothing waits for the end of the stream)", async () => {
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const upstream = await standIn(async (_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write('event: message_start\ndata: {"type":"message_start","message":{"usage":{"input_tokens":3}}}\n\n');
      await released;
      res.end('event: message_stop\ndata: {"type":"message_stop"}\n\n');
    });
    const { proxy } = await proxyWith({ upstreams: { anthropic: upstream.url } });
    const text = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(`${proxy.url}/v1/messages`, { method: "POST", headers: { "x-api-key": "k" }, agent: false }, (res) => {
        let got = "";
        res.on("data", (chunk: Buffer) => {
          got += chunk.toString();
          // The first event arrived while the upstream is still holding the rest back.
          if (got.includes("message_start")) release();
        });
        res.on("end", () => resolve(got));
      });
      req.on("error", reject);
      req.end(JSON.stringify(bodyFor("anthropic")));
      setTimeout(() => reject(new Error("first event never arrived: the response is buffered")), 5000);
    });
    expect(text).toContain("message_stop");
  });

  it("respects backpressure: a slow reader still gets every byte of a large stream", async () => {
    const event = `event: content_block_delta\ndata: ${JSON.stringify({ type: "content_block_delta", delta: { text: "ü".repeat(4000) } })}\n\n`;
    const total = Buffer.from(event.repeat(500));
    const upstream = await standIn((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(total);
    });
    const { proxy } = await proxyWith({ upstreams: { anthropic: upstream.url } });
    const got = await new Promise<Buffer>((resolve, reject) => {
      const req = httpRequest(`${proxy.url}/v1/messages`, { method: "POST", headers: { "x-api-key": "k" }, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.pause();
        // Read slowly: the proxy must pause the upstream rather than buffer or drop.
        const tick = setInterval(() => {
          let chunk: Buffer | null;
          while ((chunk = res.read() as Buffer | null) !== null) chunks.push(chunk);
        }, 5);
        res.on("end", () => {
          clearInterval(tick);
          resolve(Buffer.concat(chunks));
        });
      });
      req.on("error", reject);
      req.end(JSON.stringify(bodyFor("anthropic")));
    });
    expect(got.equals(total)).toBe(true);
  });

  it("reads the scripted upstream's usage for all three wire formats (real agent bodies)", async () => {
    const upstream = await startScripted([say("All done.")]);
    onCleanup(() => upstream.close());
    const { proxy, entries } = await proxyWith({ upstreams: { anthropic: upstream.url, openai: `${upstream.url}/v1` } });
    const picks = fixtureRequests().filter((f) => ["claude-code.jsonl", "copilot-chat.jsonl", "codex-classic.jsonl"].includes(f.file) && f.seq === 1);
    expect(picks).toHaveLength(3);
    for (const fixture of picks) {
      const answer = await send(`${proxy.url}${fixture.url}`, json(fixture.body, fixture.headers));
      expect(answer.status).toBe(200);
      expect(answer.body.toString()).toMatch(/"(text|delta|content)":"(All|ne\.)/);
    }
    await proxy.settled();
    const recorded = upstream.modelRequests();
    expect(entries).toHaveLength(3);
    entries.forEach((entry, index) => {
      const simulated = recorded[index]!.usage!;
      expect(entry.usage?.cacheRead ?? 0).toBe(simulated.cachedTokens);
      expect((entry.usage?.input ?? 0) + (entry.usage?.cacheRead ?? 0) + (entry.usage?.cacheCreation ?? 0)).toBe(simulated.promptTokens);
      expect(entry.usage?.output).toBeGreaterThan(0);
    });
  });
});
