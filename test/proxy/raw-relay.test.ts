// The off-mode raw relay through the real proxy: real sockets on loopback, a real node:http upstream.
import { createHash } from "node:crypto";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { eventually, proxyWith, send, standIn, type Handler } from "./helpers.js";
import { Wire, rawRequest } from "./support/raw-wire.js";

async function offProxy(handler?: Handler, options: { maxBodyBytes?: number } = {}) {
  const upstream = await standIn(handler);
  const { proxy } = await proxyWith({ mode: "off", env: {}, upstreams: { anthropic: upstream.url, openai: `${upstream.url}/v1` }, ...options });
  return { upstream, proxy };
}

const echo: Handler = (req, res, body) => {
  const text = JSON.stringify({ url: req.url, host: req.headers.host, raw: req.rawHeaders, body: body.toString("utf8") });
  res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
};

describe("raw relay: keep-alive", () => {
  it("relays many requests on one connection over one upstream connection, each stamped off and counted", async () => {
    const ports = new Set<number>();
    const { upstream, proxy } = await offProxy((req, res, body) => {
      ports.add(req.socket.remotePort!);
      echo(req, res, body);
    });
    const wire = await Wire.open(proxy.port);
    for (let i = 0; i < 40; i++) {
      const body = JSON.stringify({ model: "gpt-4o", i });
      await wire.write(rawRequest(`POST /v1/chat/completions?i=${i} HTTP/1.1`, { Host: `127.0.0.1:${proxy.port}`, "X-Trace-Id": i, "Content-Type": "application/json", "Content-Length": body.length }, body));
      const answer = await wire.response();
      expect(answer.status).toBe(200);
      expect(answer.headers["x-headroom-status"]).toBe("off");
      const seen = JSON.parse(answer.body.toString()) as { url: string; host: string; raw: string[]; body: string };
      expect(seen).toMatchObject({ url: `/v1/chat/completions?i=${i}`, host: `127.0.0.1:${upstream.port}`, body });
      // Header names keep their case: these bytes went through the relay, not node:http.
      expect(seen.raw).toContain("X-Trace-Id");
    }
    expect(ports.size).toBe(1);
    await wire.write(rawRequest("GET /health HTTP/1.1", { Host: "localhost" }));
    const health = await wire.response();
    expect(JSON.parse(health.body.toString())).toMatchObject({ status: "ok", mode: "off", requests: 40 });
    wire.close();
  });

  it("keeps the client connection when the upstream closes an idle one, and opens a new one", async () => {
    const ports = new Set<number>();
    const { proxy } = await offProxy((req, res) => {
      ports.add(req.socket.remotePort!);
      res.writeHead(200, { "content-length": 2 });
      res.end("ok", () => req.socket.end());
    });
    const wire = await Wire.open(proxy.port);
    for (let i = 0; i < 3; i++) {
      await wire.write(rawRequest("GET /v1/models HTTP/1.1", { Host: "localhost" }));
      expect((await wire.response()).body.toString()).toBe("ok");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(wire.isClosed).toBe(false);
    expect(ports.size).toBe(3);
    wire.close();
  });
});

describe("raw relay: request bodies split across TCP writes", () => {
  const lengthBody = '{"model":"claude","messages":[{"role":"user","content":"héllo"}]}';
  const chunkedBody = "7\r\n{\"a\":\"b\r\n3;ext=1\r\ncd\"\r\n1\r\n}\r\n0\r\nX-Trailer: t\r\n\r\n";

  it("reassembles a Content-Length body cut at every point", async () => {
    const { upstream, proxy } = await offProxy(echo);
    const wire = await Wire.open(proxy.port);
    const bytes = rawRequest("POST /v1/messages HTTP/1.1", { Host: "localhost", "x-api-key": "k", "Content-Length": Buffer.byteLength(lengthBody) }, lengthBody);
    for (let cut = 1; cut < bytes.length; cut++) {
      await wire.write(bytes, [cut]);
      expect((await wire.response()).status).toBe(200);
    }
    expect(upstream.received).toHaveLength(bytes.length - 1);
    for (const got of upstream.received) expect(got.body.toString("utf8")).toBe(lengthBody);
    wire.close();
  });

  it("reassembles a chunked body (extension, trailer) cut at every point", async () => {
    const { upstream, proxy } = await offProxy(echo);
    const wire = await Wire.open(proxy.port);
    const bytes = rawRequest("POST /v1/responses HTTP/1.1", { Host: "localhost", "Transfer-Encoding": "chunked" }, chunkedBody);
    for (let cut = 1; cut < bytes.length; cut++) {
      await wire.write(bytes, [cut]);
      expect((await wire.response()).status).toBe(200);
    }
    for (const got of upstream.received) expect(got.body.toString("utf8")).toBe('{"a":"bcd"}');
    expect(upstream.received).toHaveLength(bytes.length - 1);
    wire.close();
  });

  it("relays two requests written byte by byte", async () => {
    const { upstream, proxy } = await offProxy(echo);
    const wire = await Wire.open(proxy.port);
    const bytes = Buffer.concat([
      rawRequest("POST /v1/responses HTTP/1.1", { Host: "localhost", "Transfer-Encoding": "chunked" }, chunkedBody),
      rawRequest("POST /v1/messages HTTP/1.1", { Host: "localhost", "x-api-key": "k", "Content-Length": Buffer.byteLength(lengthBody) }, lengthBody),
    ]);
    await wire.write(bytes, Array.from({ length: bytes.length }, (_, i) => i));
    expect((await wire.response()).status).toBe(200);
    expect((await wire.response()).status).toBe(200);
    expect(upstream.received.map((r) => [r.url, r.body.toString("utf8")])).toEqual([
      ["/v1/responses", '{"a":"bcd"}'],
      ["/v1/messages", lengthBody],
    ]);
    wire.close();
  });
});

describe("raw relay: responses", () => {
  it("streams SSE: the client sees each event before the next is sent", async () => {
    let clientSawFirst!: () => void;
    const gate = new Promise<void>((resolve) => (clientSawFirst = resolve));
    const { proxy } = await offProxy(async (_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("event: message_start\ndata: {}\n\n");
      await gate;
      res.end("event: message_stop\ndata: {}\n\n");
    });
    const text = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(`${proxy.url}/v1/messages`, { method: "POST", headers: { "x-api-key": "k", "content-length": 2 }, agent: false }, (res) => {
        let seen = "";
        res.on("data", (chunk: Buffer) => {
          seen += chunk.toString();
          if (seen.includes("message_start")) clientSawFirst();
        });
        res.on("end", () => resolve(seen));
      });
      req.on("error", reject);
      req.end("{}");
    });
    expect(text).toBe("event: message_start\ndata: {}\n\nevent: message_stop\ndata: {}\n\n");
  });

  it("frames HEAD, 204 and 304 answers without a body and goes on with the next request", async () => {
    const { proxy } = await offProxy((req, res) => {
      if (req.method === "HEAD") res.writeHead(200, { "content-length": 1234 }).end();
      else if (req.url === "/v1/empty") res.writeHead(204).end();
      else if (req.url === "/v1/cached") res.writeHead(304, { etag: '"x"' }).end();
      else res.writeHead(200, { "content-length": 4 }).end("next");
    });
    const wire = await Wire.open(proxy.port);
    for (const [method, path, status] of [["HEAD", "/", 200], ["GET", "/v1/empty", 204], ["GET", "/v1/cached", 304]] as const) {
      await wire.write(rawRequest(`${method} ${path} HTTP/1.1`, { Host: "localhost" }));
      const answer = await wire.response(method);
      expect(answer.status).toBe(status);
      expect(answer.headers["x-headroom-status"]).toBe("off");
      await wire.write(rawRequest("GET /v1/models HTTP/1.1", { Host: "localhost" }));
      expect((await wire.response()).body.toString()).toBe("next");
    }
    wire.close();
  });

  it("relays 100 Continue before the body when the client expects it", async () => {
    const { upstream, proxy } = await offProxy(echo);
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${proxy.url}/v1/chat/completions`, { method: "POST", headers: { expect: "100-continue", "content-length": 2 }, agent: false }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      });
      req.on("continue", () => req.end("{}"));
      req.on("error", reject);
      req.flushHeaders();
    });
    expect(status).toBe(200);
    expect(upstream.received.map((r) => r.body.toString())).toEqual(["{}"]);
  });

  it("carries a 50 MB request body and a 50 MB response intact", async () => {
    const size = 50 * 1024 * 1024;
    const upstream = await standIn((req, res, body) => {
      if (req.method === "POST") {
        const digest = createHash("sha256").update(body).digest("hex");
        res.writeHead(200, { "content-length": digest.length }).end(digest);
        return;
      }
      res.writeHead(200, { "content-type": "application/octet-stream" });
      const block = Buffer.alloc(1024 * 1024, 7);
      let sent = 0;
      const pump = () => {
        while (sent < size) {
          sent += block.length;
          if (!res.write(block)) return void res.once("drain", pump);
        }
        res.end();
      };
      pump();
    });
    const { proxy: big } = await proxyWith({ mode: "off", env: {}, upstreams: { anthropic: upstream.url, openai: upstream.url } });
    const payload = Buffer.alloc(size, 3);
    const up = await send(`${big.url}/v1/files`, { method: "POST", headers: { "content-length": size }, body: payload });
    expect(up.body.toString()).toBe(createHash("sha256").update(payload).digest("hex"));
    const down = await new Promise<{ bytes: number; digest: string }>((resolve, reject) => {
      httpRequest(`${big.url}/v1/files/x/content`, { agent: false }, (res: IncomingMessage) => {
        const hash = createHash("sha256");
        let bytes = 0;
        res.on("data", (chunk: Buffer) => {
          bytes += chunk.length;
          hash.update(chunk);
        });
        res.on("end", () => resolve({ bytes, digest: hash.digest("hex") }));
        res.on("error", reject);
      })
        .on("error", reject)
        .end();
    });
    expect(down).toEqual({ bytes: size, digest: createHash("sha256").update(Buffer.alloc(size, 7)).digest("hex") });
  });
});

describe("raw relay: failures", () => {
  it("answers 502 in the provider's shape when the upstream is down, without the query string", async () => {
    const gone = await standIn();
    await gone.close();
    const { proxy } = await proxyWith({ mode: "off", env: {}, upstreams: { anthropic: gone.url, openai: `${gone.url}/v1` } });
    const answer = await send(`${proxy.url}/v1/messages?key=secret-in-query`, { method: "POST", headers: { "x-api-key": "sk-secret", "content-length": 2 }, body: "{}" });
    expect(answer.status).toBe(502);
    expect(answer.headers["x-headroom-status"]).toBe("rejected");
    const error = JSON.parse(answer.body.toString()) as { type: string; error: { type: string; message: string } };
    expect(error).toMatchObject({ type: "error", error: { type: "api_error" } });
    expect(error.error.message).toMatch(/could not reach the upstream http:\/\/127\.0\.0\.1:\d+\/v1\/messages: .*ECONNREFUSED/);
    expect(answer.body.toString()).not.toMatch(/secret/);
  });

  it("resets the client when the upstream dies mid-response (no silent truncation)", async () => {
    const { proxy } = await offProxy((req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("data: 1\n\n", () => setTimeout(() => req.socket.destroy(), 20));
    });
    await expect(send(`${proxy.url}/v1/chat/completions`, { method: "POST", headers: { "content-length": 2 }, body: "{}" })).rejects.toThrow();
    const counted = await offProxy((req, res) => {
      res.writeHead(200, { "content-length": 100 });
      res.write("only part", () => setTimeout(() => req.socket.destroy(), 20));
    });
    await expect(send(`${counted.proxy.url}/v1/models`)).rejects.toThrow();
  });

  it("closes the upstream connection when the client leaves mid-stream", async () => {
    let upstreamClosed = false;
    const { proxy } = await offProxy((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      const timer = setInterval(() => res.write("data: tick\n\n"), 10);
      res.on("close", () => {
        clearInterval(timer);
        upstreamClosed = true;
      });
    });
    const wire = await Wire.open(proxy.port);
    await wire.write(rawRequest("POST /v1/chat/completions HTTP/1.1", { Host: "localhost", "Content-Length": 2 }, "{}"));
    await new Promise((resolve) => wire.socket.once("data", resolve));
    wire.close();
    await eventually(() => upstreamClosed);
  });
});
