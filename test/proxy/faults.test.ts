// Fail-open and upstream faults: the client always gets the upstream's answer or a clear error,
// never a hang or a corrupted stream, and the proxy keeps serving.
import { request as httpRequest } from "node:http";
import { describe, expect, it } from "vitest";
import { compressMessages } from "../../src/pipeline/compress-messages.js";
import { locateUnits } from "../../src/pipeline/locate.js";
import type { CompressFn } from "../../src/proxy/transform.js";
import { realOutputs } from "../support/fixtures.js";
import { eventually, fixtureRequests, json, proxyWith, send, standIn, tempStore } from "./helpers.js";

const fixture = () => fixtureRequests().find((f) => f.file.startsWith("copilot-anthropic") && f.seq === 2)!;
const throwing: CompressFn = () => {
  throw new Error("compressor bug");
};

describe("upstream errors pass through with headers and bodies", () => {
  it.each([
    [429, { "retry-after": "17", "anthropic-ratelimit-requests-remaining": "0" }, '{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}'],
    [529, {}, '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'],
    [500, { "x-request-id": "req_1" }, "upstream exploded"],
    [400, {}, '{"type":"error","error":{"type":"invalid_request_error","message":"bad"}}'],
  ])("%i", async (status, headers, body) => {
    const upstream = await standIn((_req, res) => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(body);
    });
    const { proxy, entries } = await proxyWith({ upstreams: { anthropic: upstream.url } });
    const answer = await send(`${proxy.url}/v1/messages`, json(fixture().body, fixture().headers));
    expect(answer.status).toBe(status);
    for (const [name, value] of Object.entries(headers)) expect(answer.headers[name]).toBe(value);
    expect(answer.body.toString()).toBe(body);
    await proxy.settled();
    expect(entries[0]!.upstreamStatus).toBe(status);
  });
});

describe("a dead upstream", () => {
  it("gets a clear 502 in the provider's shape naming the upstream URL, and the proxy keeps serving", async () => {
    const dead = await standIn();
    await dead.close();
    const alive = await standIn();
    const { proxy } = await proxyWith({ upstreams: { anthropic: dead.url, openai: `${alive.url}/v1` } });
    const answer = await send(`${proxy.url}/v1/messages?beta=true`, json(fixture().body, { "x-api-key": "secret-key" }));
    expect(answer.status).toBe(502);
    const body = JSON.parse(answer.body.toString()) as { type: string; error: { type: string; message: string } };
    expect(body.type).toBe("error");
    expect(body.error.type).toBe("api_error");
    expect(body.error.message).toContain(`${dead.url}/v1/messages`);
    expect(body.error.message).toContain("ECONNREFUSED");
    expect(body.error.message).not.toContain("secret-key");
    expect(body.error.message).not.toContain("beta=true");
    const chat = await send(`${proxy.url}/v1/models`, { headers: { authorization: "Bearer x" } });
    expect(chat.status).toBe(200);
    const openaiShape = await send(`${proxy.url}/v1/models`, { headers: { "x-api-key": "k" } });
    expect(openaiShape.status).toBe(502);
  });
});

describe("streams that break", () => {
  it("a connection reset mid-stream reaches the client as an error, not a hang", async () => {
    const upstream = await standIn((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write('event: message_start\ndata: {"type":"message_start","message":{"usage":{"input_tokens":5}}}\n\n');
      setTimeout(() => res.socket?.destroy(), 50);
    });
    const { proxy } = await proxyWith({ upstreams: { anthropic: upstream.url } });
    const outcome = await new Promise<string>((resolve) => {
      const req = httpRequest(`${proxy.url}/v1/messages`, { method: "POST", headers: { "x-api-key": "k" }, agent: false }, (res) => {
        res.on("data", () => undefined);
        res.on("end", () => resolve("ended cleanly"));
        res.on("error", () => resolve("error"));
        res.on("aborted", () => resolve("error"));
      });
      req.on("error", () => resolve("error"));
      req.end(JSON.stringify(fixture().body));
    });
    expect(outcome).toBe("error");
    expect((await send(`${proxy.url}/health`)).status).toBe(200);
  });

  it("a client that disconnects aborts the upstream request", async () => {
    let upstreamClosed = false;
    const upstream = await standIn((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("event: ping\ndata: {}\n\n");
      res.on("close", () => (upstreamClosed = true));
      // Never ends on its own.
    });
    const { proxy } = await proxyWith({ upstreams: { anthropic: upstream.url } });
    await new Promise<void>((resolve) => {
      const req = httpRequest(`${proxy.url}/v1/messages`, { method: "POST", headers: { "x-api-key": "k" }, agent: false }, (res) => {
        res.once("data", () => {
          req.destroy();
          resolve();
        });
      });
      req.on("error", () => undefined);
      req.end(JSON.stringify(fixture().body));
    });
    await eventually(() => upstreamClosed);
  });

  it("a client that disconnects before the upstream answers aborts the upstream request", async () => {
    let upstreamClosed = false;
    let arrived = false;
    const upstream = await standIn((_req, res) => {
      arrived = true;
      res.on("close", () => (upstreamClosed = true));
    });
    const { proxy } = await proxyWith({ upstreams: { anthropic: upstream.url } });
    const req = httpRequest(`${proxy.url}/v1/messages`, { method: "POST", headers: { "x-api-key": "k" }, agent: false });
    req.on("error", () => undefined);
    req.end(JSON.stringify(fixture().body));
    await eventually(() => arrived);
    req.destroy();
    await eventually(() => upstreamClosed);
  });
});

describe("fail-open", () => {
  it("forwards a malformed JSON body as is, with bypass-unparseable", async () => {
    const upstream = await standIn();
    const { proxy } = await proxyWith({ upstreams: { anthropic: upstream.url } });
    const body = '{"model":"claude","messages":[{"role":"user","content":"hi"}'; // truncated
    const answer = await send(`${proxy.url}/v1/messages`, { method: "POST", headers: { "x-api-key": "k", "content-type": "application/json" }, body });
    expect(answer.headers["x-headroom-status"]).toBe("bypass-unparseable");
    expect(upstream.received[0]!.body.toString()).toBe(body);
  });

  it("forwards a body with invalid UTF-8 byte for byte (never repaired into U+FFFD)", async () => {
    const upstream = await standIn();
    const { proxy } = await proxyWith({ upstreams: { openai: `${upstream.url}/v1` } });
    const body = Buffer.concat([
      Buffer.from('{"model":"gpt-4o","messages":[{"role":"tool","tool_call_id":"c","content":"bad '),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from(` ${"line of output\\n".repeat(500)}"}]}`),
    ]);
    const answer = await send(`${proxy.url}/v1/chat/completions`, { method: "POST", headers: { authorization: "Bearer k" }, body });
    expect(answer.headers["x-headroom-status"]).toBe("bypass-unparseable");
    expect(upstream.received[0]!.body.equals(body)).toBe(true);
  });

  it("forwards the original when the compressor throws, and the breaker trips after N failures", async () => {
    const upstream = await standIn();
    let now = 1_000_000;
    const { proxy, entries } = await proxyWith({
      upstreams: { anthropic: upstream.url },
      compress: throwing,
      breaker: { threshold: 3, windowMs: 60_000, cooldownMs: 300_000, now: () => now },
    });
    const sent = json(fixture().body, fixture().headers);
    const statuses: string[] = [];
    for (let i = 0; i < 5; i++) {
      const answer = await send(`${proxy.url}/v1/messages`, sent);
      expect(answer.status).toBe(200);
      statuses.push(String(answer.headers["x-headroom-status"]));
      expect(upstream.received.at(-1)!.body.equals(Buffer.from(sent.body as string))).toBe(true);
    }
    expect(statuses).toEqual(["bypass-error", "bypass-error", "bypass-error", "bypass-breaker", "bypass-breaker"]);
    const health = JSON.parse((await send(`${proxy.url}/health`)).body.toString()) as { breaker: { open: boolean; trips: number } };
    expect(health.breaker).toMatchObject({ open: true, trips: 1 });
    // After the cool-down compression is tried again.
    now += 300_001;
    expect((await send(`${proxy.url}/v1/messages`, sent)).headers["x-headroom-status"]).toBe("bypass-error");
    await proxy.settled();
    // Bypassed requests are still recorded, with their tool outputs counted as sent.
    expect(entries.map((entry) => entry.status)).toEqual([...statuses, "bypass-error"]);
    expect(entries.every((entry) => entry.tokensBefore > 0 && entry.tokensAfter === entry.tokensBefore)).toBe(true);
  });

  it("counts a pipeline over its time budget as a failure, and still forwards its (memoised) result", async () => {
    const upstream = await standIn();
    let clock = 0;
    const slow: CompressFn = (conversation) => {
      clock += 300;
      return { messages: [...conversation], units: [] };
    };
    const { proxy } = await proxyWith({ upstreams: { anthropic: upstream.url }, compress: slow, clock: () => clock, budgetMs: 250, breaker: { threshold: 2 } });
    const sent = json(fixture().body, fixture().headers);
    const first = await send(`${proxy.url}/v1/messages`, sent);
    expect(first.headers["x-headroom-status"]).toBe("over-budget");
    expect(upstream.received[0]!.body.equals(Buffer.from(sent.body as string))).toBe(true);
    await send(`${proxy.url}/v1/messages`, sent);
    expect((await send(`${proxy.url}/v1/messages`, sent)).headers["x-headroom-status"]).toBe("bypass-breaker");
  });

  it("keeps earlier turns' bytes while compression fails or the breaker is open, and new outputs stay as first sent", async () => {
    const upstream = await standIn();
    const store = tempStore();
    let failing = false;
    const compress: CompressFn = (conversation, options) => {
      if (failing && !options.memoOnly) throw new Error("compressor bug");
      return compressMessages(conversation, { store, memoOnly: options.memoOnly });
    };
    let now = 0;
    const { proxy } = await proxyWith({ upstreams: { anthropic: upstream.url }, compress, breaker: { threshold: 2, cooldownMs: 1000, now: () => now } });
    const base = fixture();
    type Msg = { role: string; content: unknown };
    const messages = base.body.messages as Msg[];
    const unitsSent = () => locateUnits((JSON.parse(upstream.received.at(-1)!.body.toString()) as { messages: Msg[] }).messages).map((unit) => unit.text);
    // Turn N: compressed normally.
    expect((await send(`${proxy.url}/v1/messages`, json(base.body, base.headers))).headers["x-headroom-status"]).toBe("compressed");
    const [turnN] = unitsSent();
    // Turn N+1 brings a new tool output while the compressor throws: the old one keeps its bytes,
    // the new one goes out as the agent sent it.
    failing = true;
    const newOutput = realOutputs("log")[0]!.text;
    const turn2 = [...messages, { role: "assistant", content: [{ type: "tool_use", id: "toolu_new", name: "bash", input: { command: "npm run build" } }] }, { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_new", content: newOutput }] }];
    expect((await send(`${proxy.url}/v1/messages`, json({ ...base.body, messages: turn2 }, base.headers))).headers["x-headroom-status"]).toBe("bypass-error");
    expect(unitsSent()).toEqual([turnN, newOutput]);
    // Breaker open: the same.
    await send(`${proxy.url}/v1/messages`, json({ ...base.body, messages: turn2 }, base.headers));
    expect((await send(`${proxy.url}/v1/messages`, json({ ...base.body, messages: turn2 }, base.headers))).headers["x-headroom-status"]).toBe("bypass-breaker");
    expect(unitsSent()).toEqual([turnN, newOutput]);
    // Compression back on: the output first sent unchanged stays unchanged (its cache prefix holds).
    failing = false;
    now += 2000;
    await send(`${proxy.url}/v1/messages`, json({ ...base.body, messages: turn2 }, base.headers));
    expect(unitsSent()).toEqual([turnN, newOutput]);
    // Not vacuous: that output is one the pipeline does compress when it first sees it.
    const fresh = compressMessages(turn2, { store: tempStore() });
    expect(fresh.units.map((unit) => unit.status)).toEqual(["compressed", "compressed"]);
  });
});
