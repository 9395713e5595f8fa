// The proxy's front door: which routes get the pipeline (also under a prefix and with ?beta=true),
// pass-through of everything else to the provider the headers point at, WebSocket and CONNECT
// refusals, the Host guard, body limits, /health and /stats.
import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { DEFAULT_BODY_LIMIT } from "../../src/proxy/body.js";
import { startProxy } from "../../src/proxy/server.js";
import { json, onCleanup, proxyWith, send, standIn } from "./helpers.js";

const anthropicBody = { model: "claude-x", max_tokens: 10, messages: [{ role: "user", content: "hi" }] };

async function twoUpstreams(options: Parameters<typeof proxyWith>[0] = {}) {
  const anthropic = await standIn();
  const openai = await standIn();
  const { proxy, entries } = await proxyWith({ upstreams: { anthropic: anthropic.url, openai: `${openai.url}/v1` }, ...options });
  return { anthropic, openai, proxy, entries };
}

describe("routes", () => {
  it.each([
    ["/v1/messages?beta=true", "anthropic", "/v1/messages?beta=true"],
    ["/some/prefix/v1/messages?beta=true", "anthropic", "/v1/messages?beta=true"],
    ["/v1/messages/count_tokens?beta=true", "anthropic", "/v1/messages/count_tokens?beta=true"],
    ["/v1/chat/completions", "openai", "/v1/chat/completions"],
    ["/chat/completions", "openai", "/v1/chat/completions"],
    ["/gateway/v1/responses", "openai", "/v1/responses"],
  ])("POST %s goes through the pipeline to the %s upstream as %s", async (path, which, upstreamPath) => {
    const ups = await twoUpstreams();
    const answer = await send(`${ups.proxy.url}${path}`, json(anthropicBody, { "x-api-key": "k" }));
    expect(answer.status).toBe(200);
    expect(answer.headers["x-headroom-status"]).toBe("unchanged");
    const target = which === "anthropic" ? ups.anthropic : ups.openai;
    const other = which === "anthropic" ? ups.openai : ups.anthropic;
    expect(target.received.map((r) => r.url)).toEqual([upstreamPath]);
    expect(other.received).toHaveLength(0);
    await ups.proxy.settled();
    const recorded = path.includes("count_tokens") ? [] : [upstreamPath.split("?")[0]];
    expect(ups.entries.map((entry) => entry.path)).toEqual(recorded);
  });

  it("passes GET /v1/models through unchanged to the provider the headers point at", async () => {
    const ups = await twoUpstreams();
    const a = await send(`${ups.proxy.url}/v1/models?limit=5`, { headers: { "x-api-key": "sk-a", "anthropic-version": "2023-06-01" } });
    const o = await send(`${ups.proxy.url}/v1/models`, { headers: { authorization: "Bearer sk-o" } });
    expect([a.status, o.status]).toEqual([200, 200]);
    expect(a.headers["x-headroom-status"]).toBe("passthrough");
    expect(a.body.toString()).toBe('{"ok":true}');
    expect(ups.anthropic.received.map((r) => [r.method, r.url, r.headers["x-api-key"]])).toEqual([["GET", "/v1/models?limit=5", "sk-a"]]);
    expect(ups.openai.received.map((r) => [r.method, r.url, r.headers.authorization])).toEqual([["GET", "/v1/models", "Bearer sk-o"]]);
  });

  it("passes HEAD and unknown paths (with bodies) through", async () => {
    const ups = await twoUpstreams();
    const head = await send(`${ups.proxy.url}/`, { method: "HEAD", headers: { "x-api-key": "k" } });
    expect(head.status).toBe(200);
    const put = await send(`${ups.proxy.url}/v1/files/abc`, { method: "PUT", headers: { "content-length": 5 }, body: "hello" });
    expect(put.headers["x-headroom-status"]).toBe("passthrough");
    expect(ups.anthropic.received.map((r) => [r.method, r.url])).toEqual([["HEAD", "/"]]);
    expect(ups.openai.received.map((r) => [r.method, r.url, r.body.toString()])).toEqual([["PUT", "/v1/files/abc", "hello"]]);
  });

  it("refuses a WebSocket upgrade with 426 (Codex's real attempt) and keeps serving over HTTP", async () => {
    const ups = await twoUpstreams();
    const answer = await send(`${ups.proxy.url}/v1/responses`, {
      headers: { connection: "Upgrade", upgrade: "websocket", "sec-websocket-version": "13", "sec-websocket-key": "LpahISifp4XaP/N2TS9PVA==", "openai-beta": "responses_websockets=2026-02-06", authorization: "Bearer x" },
    });
    expect(answer.status).toBe(426);
    expect(answer.headers["x-headroom-status"]).toBe("rejected");
    expect(ups.openai.received).toHaveLength(0);
    const after = await send(`${ups.proxy.url}/v1/responses`, json({ model: "m", input: "hi" }, { authorization: "Bearer x" }));
    expect(after.status).toBe(200);
  });

  it("refuses CONNECT", async () => {
    const { proxy } = await twoUpstreams();
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(proxy.port, "127.0.0.1", () => socket.write("CONNECT api.anthropic.com:443 HTTP/1.1\r\nHost: api.anthropic.com:443\r\n\r\n"));
      let text = "";
      socket.on("data", (chunk) => (text += chunk.toString()));
      socket.on("end", () => resolve(text));
      socket.on("error", reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 405 /);
  });

  it("answers /health and /stats itself", async () => {
    const ups = await twoUpstreams({ stats: () => ({ version: 1, fromLedger: true }) });
    const health = JSON.parse((await send(`${ups.proxy.url}/health`)).body.toString()) as Record<string, unknown>;
    expect(health).toMatchObject({ version: 1, status: "ok", mode: "compress", breaker: { open: false } });
    const stats = JSON.parse((await send(`${ups.proxy.url}/stats`)).body.toString()) as Record<string, unknown>;
    expect(stats).toEqual({ version: 1, fromLedger: true });
    expect(ups.anthropic.received).toHaveLength(0);
  });
});

describe("listening", () => {
  it("says which port is taken and what to do", async () => {
    const { proxy } = await twoUpstreams();
    await expect(startProxy({ port: proxy.port, preloadTokenizer: false })).rejects.toMatchObject({ code: "HR_PROXY_LISTEN", message: expect.stringMatching(/already in use.*--port/) });
  });
});

describe("Host guard", () => {
  it.each(["localhost", "127.0.0.1", "127.1.2.3", "[::1]"])("accepts Host %s", async (host) => {
    const ups = await twoUpstreams();
    const answer = await send(`${ups.proxy.url}/v1/models`, { headers: { host: `${host}:${ups.proxy.port}` } });
    expect(answer.status).toBe(200);
  });

  it.each(["evil.example", "192.168.1.10", "localhost.evil.example"])("rejects Host %s with 403 naming --host", async (host) => {
    const ups = await twoUpstreams();
    const answer = await send(`${ups.proxy.url}/v1/messages`, { ...json(anthropicBody, { "x-api-key": "k" }), headers: { host: `${host}:${ups.proxy.port}`, "x-api-key": "k" } });
    expect(answer.status).toBe(403);
    const body = JSON.parse(answer.body.toString()) as { type: string; error: { type: string; message: string } };
    expect(body.type).toBe("error");
    expect(body.error.message).toContain("--host");
    expect(ups.anthropic.received).toHaveLength(0);
  });

  it("accepts the address it was explicitly bound to, and warns loudly when that is not loopback", async () => {
    const warnings: string[] = [];
    // 0.0.0.0 is not loopback: the warning fires; requests naming it as Host pass the guard.
    const proxy = await startProxy({ port: 0, host: "0.0.0.0", preloadTokenizer: false, warn: (line) => warnings.push(line), upstreams: { openai: (await standIn()).url } });
    onCleanup(() => proxy.close());
    expect(warnings.join("\n")).toMatch(/WARNING.*0\.0\.0\.0/);
    const answer = await send(`http://127.0.0.1:${proxy.port}/v1/models`, { headers: { host: `0.0.0.0:${proxy.port}` } });
    expect(answer.status).toBe(200);
  });
});

describe("body size", () => {
  it("defaults to 64 MiB, above the providers' own limits", () => {
    expect(DEFAULT_BODY_LIMIT).toBe(64 * 1024 * 1024);
  });

  it("forwards a 50 MB body", async () => {
    const ups = await twoUpstreams();
    const big = { ...anthropicBody, messages: [{ role: "user", content: "x".repeat(50 * 1000 * 1000) }] };
    const answer = await send(`${ups.proxy.url}/v1/messages`, json(big, { "x-api-key": "k" }));
    expect(answer.status).toBe(200);
    expect(ups.anthropic.received[0]!.body.length).toBeGreaterThan(50_000_000);
  }, 60_000);

  it("answers 413 in the provider's shape beyond the limit, and keeps serving", async () => {
    const ups = await twoUpstreams({ maxBodyBytes: 1024 * 1024 });
    const big = { ...anthropicBody, messages: [{ role: "user", content: "x".repeat(2 * 1024 * 1024) }] };
    const answer = await send(`${ups.proxy.url}/v1/messages`, json(big, { "x-api-key": "k" }));
    expect(answer.status).toBe(413);
    expect((JSON.parse(answer.body.toString()) as { error: { type: string } }).error.type).toBe("request_too_large");
    const chunked = await send(`${ups.proxy.url}/v1/chat/completions`, { method: "POST", headers: { "transfer-encoding": "chunked" }, body: JSON.stringify(big) });
    expect(chunked.status).toBe(413);
    expect((JSON.parse(chunked.body.toString()) as { error: { message: string } }).error.message).toContain("MiB");
    expect(ups.anthropic.received).toHaveLength(0);
    expect((await send(`${ups.proxy.url}/v1/messages`, json(anthropicBody, { "x-api-key": "k" }))).status).toBe(200);
  });
});
