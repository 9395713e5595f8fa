// What the off-mode raw relay leaves to node:http (and the rules that still hold there), how it
// joins paths, and how one client connection moves between upstream origins.
import { describe, expect, it } from "vitest";
import { proxyWith, send, standIn, type Handler } from "./helpers.js";
import { Wire, rawRequest } from "./support/raw-wire.js";

const echo: Handler = (req, res) => {
  const text = JSON.stringify({ url: req.url, raw: req.rawHeaders });
  res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) }).end(text);
};

async function offProxy(options: { maxBodyBytes?: number; openaiPath?: string } = {}) {
  const upstream = await standIn(echo);
  const { proxy } = await proxyWith({
    mode: "off",
    env: {},
    upstreams: { anthropic: upstream.url, openai: `${upstream.url}${options.openaiPath ?? "/v1"}` },
    ...(options.maxBodyBytes ? { maxBodyBytes: options.maxBodyBytes } : {}),
  });
  return { upstream, proxy };
}

const seen = (body: Buffer) => JSON.parse(body.toString()) as { url: string; raw: string[] };

describe("raw relay: handed over to node:http", () => {
  it("refuses a foreign Host with 403 and never reaches the upstream", async () => {
    const { upstream, proxy } = await offProxy();
    const answer = await send(`${proxy.url}/v1/models`, { headers: { host: "evil.example" } });
    expect(answer.status).toBe(403);
    expect(answer.headers["x-headroom-status"]).toBe("rejected");
    expect(upstream.received).toHaveLength(0);
  });

  it("answers CONNECT with 405 and an upgrade with 426", async () => {
    const { upstream, proxy } = await offProxy();
    const connect = await Wire.open(proxy.port);
    await connect.write(rawRequest("CONNECT api.openai.com:443 HTTP/1.1", { Host: "api.openai.com:443" }));
    expect((await connect.response()).status).toBe(405);
    const upgrade = await send(`${proxy.url}/v1/responses`, { headers: { connection: "Upgrade", upgrade: "websocket", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", "sec-websocket-version": "13" } });
    expect(upgrade.status).toBe(426);
    expect(upstream.received).toHaveLength(0);
  });

  it("answers 413 above the body limit and 431 for a head over 64 KiB", async () => {
    const { upstream, proxy } = await offProxy({ maxBodyBytes: 1000 });
    const big = await send(`${proxy.url}/v1/messages`, { method: "POST", headers: { "x-api-key": "k", "content-length": 2000 }, body: Buffer.alloc(2000, 1) });
    expect(big.status).toBe(413);
    expect(JSON.parse(big.body.toString())).toMatchObject({ type: "error", error: { type: "request_too_large" } });
    const wire = await Wire.open(proxy.port);
    await wire.write(rawRequest("GET /v1/models HTTP/1.1", { Host: "localhost", "X-Big": "x".repeat(70 * 1024) }));
    expect((await wire.response()).status).toBe(431);
    expect(upstream.received).toHaveLength(0);
  });

  it("hands over /health after relayed requests on the same connection, counting them", async () => {
    const { proxy } = await offProxy();
    const wire = await Wire.open(proxy.port);
    for (let i = 0; i < 3; i++) {
      await wire.write(rawRequest("GET /v1/models HTTP/1.1", { Host: "localhost" }));
      expect((await wire.response()).headers["x-headroom-status"]).toBe("off");
    }
    await wire.write(rawRequest("GET /stats HTTP/1.1", { Host: "localhost" }));
    const stats = await wire.response();
    expect(JSON.parse(stats.body.toString())).toMatchObject({ requests: 3, byStatus: { off: 3 } });
    // node:http owns the connection now and still relays in off mode (its own pass-through).
    await wire.write(rawRequest("GET /v1/models HTTP/1.1", { Host: "localhost", "X-Case": "kept" }));
    const after = await wire.response();
    expect(after.headers["x-headroom-status"]).toBe("off");
    expect(seen(after.body).raw).toContain("x-case");
    wire.close();
  });

  it("hands over an HTTP/1.0 request and what it cannot parse", async () => {
    const { proxy } = await offProxy();
    const old = await Wire.open(proxy.port);
    await old.write("GET /v1/models HTTP/1.0\r\nHost: localhost\r\n\r\n");
    const answer = await old.response();
    expect(answer.status).toBe(200);
    expect(answer.headers["x-headroom-status"]).toBe("off");
    const bad = await Wire.open(proxy.port);
    await bad.write("GET /v1/models HTTP/1.1\r\nHost: localhost\r\nBad Header: x\r\n\r\n");
    expect((await bad.response()).status).toBe(400);
    const both = await Wire.open(proxy.port);
    await both.write("POST /v1/models HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    expect((await both.response()).status).toBe(400);
  });
});

describe("raw relay: paths and origins", () => {
  it("joins path prefixes and keeps query strings as joinUpstream does", async () => {
    const { proxy } = await offProxy({ openaiPath: "/gateway/v1" });
    const wire = await Wire.open(proxy.port);
    const cases: [string, Record<string, string>, string][] = [
      ["/anything/v1/messages?beta=true", { "x-api-key": "k" }, "/v1/messages?beta=true"],
      ["/v1/chat/completions?x=1&y=2", {}, "/gateway/v1/chat/completions?x=1&y=2"],
      ["/chat/completions", {}, "/gateway/v1/chat/completions"],
      ["/prefix/v1/models", {}, "/gateway/v1/models"],
    ];
    for (const [path, headers, expected] of cases) {
      await wire.write(rawRequest(`GET ${path} HTTP/1.1`, { Host: "localhost", ...headers }));
      expect(seen((await wire.response()).body).url).toBe(expected);
    }
    wire.close();
  });

  it("moves one connection between upstream origins at request boundaries", async () => {
    const anthropic = await standIn(echo);
    const openai = await standIn(echo);
    const { proxy } = await proxyWith({ mode: "off", env: {}, upstreams: { anthropic: anthropic.url, openai: `${openai.url}/v1` } });
    const wire = await Wire.open(proxy.port);
    const order = ["anthropic", "openai", "openai", "anthropic"] as const;
    // Written at once (pipelined): each answer must still come back whole and in order.
    await wire.write(
      Buffer.concat(order.map((provider, i) => rawRequest(`GET /v1/models?n=${i} HTTP/1.1`, { Host: "localhost", ...(provider === "anthropic" ? { "x-api-key": "k" } : {}) }))),
    );
    for (let i = 0; i < order.length; i++) {
      const answer = await wire.response();
      expect(answer.headers["x-headroom-status"]).toBe("off");
      expect(seen(answer.body).url).toBe(`/v1/models?n=${i}`);
    }
    expect(anthropic.received.map((r) => r.url)).toEqual(["/v1/models?n=0", "/v1/models?n=3"]);
    expect(openai.received.map((r) => r.url)).toEqual(["/v1/models?n=1", "/v1/models?n=2"]);
    wire.close();
  });

  it("leaves everything to node:http when an HTTP proxy is configured", async () => {
    const upstream = await standIn(echo);
    const { proxy } = await proxyWith({ mode: "off", env: { HTTPS_PROXY: "http://127.0.0.1:9", NO_PROXY: "127.0.0.1" }, upstreams: { anthropic: upstream.url, openai: `${upstream.url}/v1` } });
    const answer = await send(`${proxy.url}/v1/models`, { headers: { "X-Case": "kept" } });
    expect(answer.headers["x-headroom-status"]).toBe("off");
    // node:http lowercases header names: this request did not take the raw path.
    expect(seen(answer.body).raw).toContain("x-case");
  });
});
