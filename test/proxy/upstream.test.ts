// Upstream side: URL joining (/v1 once, any prefix), headers that travel, HTTPS_PROXY / NO_PROXY,
// and extra CA certificates (NODE_EXTRA_CA_CERTS) for TLS through undici.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import { createServer, request as httpRequest } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { EnvHttpProxyAgent } from "undici";
import { describe, expect, it } from "vitest";
import { callUpstream, clientResponseHeaders, createDispatcher, joinUpstream, normalizeUpstream, upstreamRequestHeaders } from "../../src/proxy/upstream.js";
import { onCleanup, standIn } from "./helpers.js";

describe("joinUpstream", () => {
  it.each([
    // Anthropic bases are written without /v1.
    ["https://api.anthropic.com", "/v1/messages?beta=true", "https://api.anthropic.com/v1/messages?beta=true"],
    ["https://api.anthropic.com/", "/v1/messages/count_tokens", "https://api.anthropic.com/v1/messages/count_tokens"],
    ["https://api.anthropic.com", "/", "https://api.anthropic.com/"],
    ["https://api.anthropic.com", "/api/hello", "https://api.anthropic.com/api/hello"],
    // OpenAI-compatible bases are written with /v1.
    ["https://api.openai.com/v1", "/v1/chat/completions", "https://api.openai.com/v1/chat/completions"],
    ["https://api.openai.com/v1/", "/v1/responses", "https://api.openai.com/v1/responses"],
    ["https://api.openai.com/v1", "/chat/completions", "https://api.openai.com/v1/chat/completions"],
    ["https://api.openai.com/v1", "/v1", "https://api.openai.com/v1"],
    // Gateways with a path prefix, either style.
    ["https://gw.corp.example/llm/anthropic", "/v1/messages", "https://gw.corp.example/llm/anthropic/v1/messages"],
    ["https://gw.corp.example/openai/v1", "/v1/models", "https://gw.corp.example/openai/v1/models"],
    ["http://localhost:4000", "/v1/chat/completions", "http://localhost:4000/v1/chat/completions"],
    ["http://localhost:4000/v1", "/v1/chat/completions?x=1", "http://localhost:4000/v1/chat/completions?x=1"],
    // A prefix on the client side (ANTHROPIC_BASE_URL=http://127.0.0.1:8787/anything) is dropped.
    ["https://api.anthropic.com", "/anything/v1/messages?beta=true", "https://api.anthropic.com/v1/messages?beta=true"],
    ["https://api.openai.com/v1", "/proxy/openai/v1/responses", "https://api.openai.com/v1/responses"],
    // "v1" only counts as a whole segment.
    ["https://api.openai.com/v1", "/v10/things", "https://api.openai.com/v1/v10/things"],
  ])("%s + %s -> %s", (base, path, expected) => {
    expect(joinUpstream(base, path)).toBe(expected);
  });

  it("validates user-given bases", () => {
    expect(normalizeUpstream("https://gw.example/v1/", "--openai-upstream")).toBe("https://gw.example/v1");
    expect(() => normalizeUpstream("ftp://x", "--openai-upstream")).toThrow(/--openai-upstream must be an http\(s\) URL/);
    expect(() => normalizeUpstream("not a url", "--anthropic-upstream")).toThrow(/--anthropic-upstream/);
  });
});

describe("headers", () => {
  it("drops hop-by-hop headers, Host, Expect and what Connection names; keeps auth untouched", () => {
    const out = upstreamRequestHeaders(
      {
        host: "127.0.0.1:8787",
        connection: "keep-alive, x-private",
        "keep-alive": "timeout=5",
        "x-private": "1",
        "transfer-encoding": "chunked",
        "proxy-authorization": "Basic abc",
        expect: "100-continue",
        "content-length": "10",
        "content-encoding": "gzip",
        "x-api-key": "sk-ant-xyz",
        authorization: "Bearer tok",
        "anthropic-beta": "a,b",
      },
      { decoded: true, keepLength: false },
    );
    expect(out).toEqual({ "x-api-key": "sk-ant-xyz", authorization: "Bearer tok", "anthropic-beta": "a,b" });
    expect(upstreamRequestHeaders({ "content-length": "10", "content-encoding": "gzip" }, { decoded: false, keepLength: true })).toEqual({ "content-length": "10", "content-encoding": "gzip" });
  });

  it("keeps response headers (content-encoding, content-length, set-cookie lists) minus hop-by-hop ones", () => {
    expect(clientResponseHeaders({ "content-encoding": "br", "content-length": "5", "transfer-encoding": "chunked", connection: "close", "set-cookie": ["a=1", "b=2"], "retry-after": "3" })).toEqual({
      "content-encoding": "br",
      "content-length": "5",
      "set-cookie": ["a=1", "b=2"],
      "retry-after": "3",
    });
  });
});

// A forward proxy that records what it was asked and relays it (absolute-form requests and CONNECT tunnels).
async function forwardProxy() {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const target = new URL(req.url ?? "");
    const out = httpRequest(target, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(out);
  });
  server.on("connect", (req, socket) => {
    seen.push(`CONNECT ${req.url}`);
    const [host, port] = (req.url ?? "").split(":");
    const upstream = connect(Number(port), host, () => {
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on("error", () => socket.destroy());
    socket.on("error", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  onCleanup(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe("createDispatcher", () => {
  it("sends upstream calls through HTTP_PROXY / HTTPS_PROXY, except hosts in NO_PROXY", async () => {
    const upstream = await standIn();
    const proxy = await forwardProxy();
    const via = createDispatcher({ HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, NO_PROXY: "" });
    expect(via).toBeInstanceOf(EnvHttpProxyAgent);
    const answer = await callUpstream({ url: `${upstream.url}/v1/models`, method: "GET", headers: { authorization: "Bearer k" }, body: undefined, signal: new AbortController().signal, dispatcher: via });
    expect(answer.statusCode).toBe(200);
    await answer.body.text();
    expect(proxy.seen.length).toBe(1);
    expect(proxy.seen[0]).toMatch(new RegExp(`127\\.0\\.0\\.1:${upstream.port}`));
    expect(upstream.received[0]!.headers.authorization).toBe("Bearer k");

    const direct = createDispatcher({ HTTP_PROXY: proxy.url, NO_PROXY: "127.0.0.1" });
    const second = await callUpstream({ url: `${upstream.url}/v1/models`, method: "GET", headers: {}, body: undefined, signal: new AbortController().signal, dispatcher: direct });
    await second.body.text();
    expect(proxy.seen.length).toBe(1);
    await Promise.all([via.close(), direct.close()]);
  });

  it("trusts NODE_EXTRA_CA_CERTS for HTTPS upstreams (and only with it)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "headroom-tls-"));
    const key = join(dir, "key.pem");
    const cert = join(dir, "cert.pem");
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=headroom-test-ca", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], { stdio: "ignore" });
    const server = createHttpsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_req, res) => res.end("tls ok"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const port = (server.address() as AddressInfo).port;
    const script = join(dir, "call.mts");
    writeFileSync(
      script,
      `import { callUpstream, createDispatcher } from ${JSON.stringify(join(import.meta.dirname, "../../src/proxy/upstream.ts"))};
try {
  const r = await callUpstream({ url: "https://127.0.0.1:${port}/", method: "GET", headers: {}, body: undefined, signal: new AbortController().signal, dispatcher: createDispatcher({}) });
  console.log(r.statusCode, await r.body.text());
} catch (e) { console.log("error", (e as { code?: string }).code ?? (e as Error).message); }
`,
    );
    const run = async (extra: string) =>
      (await execa(process.execPath, ["--import", "tsx", script], { all: true, cwd: join(import.meta.dirname, "../.."), env: { NODE_EXTRA_CA_CERTS: extra }, reject: false })).all.trim();
    expect(await run(cert)).toBe("200 tls ok");
    expect(await run("/dev/null")).toMatch(/^error (DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT|UNABLE_TO_VERIFY)/);
  }, 30_000);
});
