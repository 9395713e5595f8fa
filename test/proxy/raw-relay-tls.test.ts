// The raw relay to an https upstream: TLS with SNI against a self-signed certificate that only the
// CA option (what NODE_EXTRA_CA_CERTS adds to Node's store) makes trusted.
import { createServer as createHttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { describe, expect, it } from "vitest";
import { hostGuard } from "../../src/proxy/host-guard.js";
import { createRawRelay } from "../../src/proxy/raw-relay.js";
import { onCleanup, send } from "./helpers.js";
import { TEST_CERT, TEST_KEY } from "./support/raw-relay-cert.js";

async function httpsUpstream(): Promise<{ url: string; servernames: unknown[] }> {
  const servernames: unknown[] = [];
  const server = createHttpsServer({ cert: TEST_CERT, key: TEST_KEY }, (req, res) => {
    servernames.push((req.socket as TLSSocket).servername);
    const text = JSON.stringify({ url: req.url, host: req.headers.host });
    res.writeHead(200, { "content-type": "application/json", "content-length": text.length }).end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  onCleanup(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `https://localhost:${(server.address() as AddressInfo).port}`, servernames };
}

async function relayTo(upstream: string, ca: string | undefined): Promise<string> {
  const httpServer = createHttpServer();
  let counted = 0;
  const relay = createRawRelay({ httpServer, upstreams: { anthropic: upstream, openai: `${upstream}/v1` }, allowedHost: hostGuard("127.0.0.1"), maxBodyBytes: 1 << 20, onRequest: () => void counted++, ...(ca ? { tls: { ca } } : {}) });
  await new Promise<void>((resolve) => relay.server.listen(0, "127.0.0.1", resolve));
  onCleanup(() => {
    relay.closeConnections();
    return new Promise<void>((resolve) => relay.server.close(() => resolve()));
  });
  return `http://127.0.0.1:${(relay.server.address() as AddressInfo).port}`;
}

describe("raw relay: https upstream", () => {
  it("relays over TLS with SNI when the CA is trusted", async () => {
    const upstream = await httpsUpstream();
    const relay = await relayTo(upstream.url, TEST_CERT);
    const answer = await send(`${relay}/v1/chat/completions?stream=1`, { method: "POST", headers: { authorization: "Bearer k", "content-length": 2 }, body: "{}" });
    expect(answer.status).toBe(200);
    expect(answer.headers["x-headroom-status"]).toBe("off");
    expect(JSON.parse(answer.body.toString())).toEqual({ url: "/v1/chat/completions?stream=1", host: new URL(upstream.url).host });
    expect(upstream.servernames).toEqual(["localhost"]);
  });

  it("refuses an upstream whose certificate is not trusted (502, nothing relayed)", async () => {
    const upstream = await httpsUpstream();
    const relay = await relayTo(upstream.url, undefined);
    const answer = await send(`${relay}/v1/models`, { headers: { "x-api-key": "k" } });
    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.body.toString()).error.message).toMatch(/self-signed certificate/);
    expect(upstream.servernames).toEqual([]);
  });
});
