// The proxy's pipeline routes on the real agent requests: only tool outputs change, everything else
// is forwarded exactly (original bytes when nothing changed), a tool output forwarded in turn N is
// byte-identical in turn N+1, count_tokens gets the same transformation, gzip bodies are decoded,
// and measure / off modes forward the originals.
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { locateUnits } from "../../src/pipeline/locate.js";
import { replaceAt } from "../../src/pipeline/locate.js";
import { fixtureRequests, json, proxyWith, send, standIn, tempStore, type FixtureRequest } from "./helpers.js";

type Body = Record<string, unknown>;
const conversationOf = (body: Body): unknown[] => (Array.isArray(body.messages) ? body.messages : Array.isArray(body.input) ? body.input : []);
const withConversation = (body: Body, items: unknown[]): Body => (Array.isArray(body.messages) ? { ...body, messages: items } : { ...body, input: items });

async function setup(mode: "compress" | "measure" | "off" = "compress") {
  const upstream = await standIn();
  const { proxy, entries } = await proxyWith({ mode, store: tempStore(), upstreams: { anthropic: upstream.url, openai: `${upstream.url}/v1` } });
  return { upstream, proxy, entries };
}

/** The forwarded body with every tool output put back to the original's text. */
function restore(forwarded: Body, original: Body): Body {
  let items = conversationOf(forwarded);
  const originals = locateUnits(conversationOf(original));
  const units = locateUnits(items);
  expect(units.map((unit) => unit.path)).toEqual(originals.map((unit) => unit.path));
  originals.forEach((unit) => {
    items = replaceAt(items, unit.path, unit.text);
  });
  return withConversation(forwarded, items);
}

describe("every captured agent request", () => {
  const fixtures = fixtureRequests();

  it("has fixtures from all three agents and wire formats", () => {
    const urls = new Set(fixtures.map((fixture) => fixture.url.split("?")[0]));
    expect([...urls].sort()).toEqual(["/v1/chat/completions", "/v1/messages", "/v1/messages/count_tokens", "/v1/responses"]);
  });

  it("is forwarded with only tool outputs changed, and byte for byte when none changed", async () => {
    const { upstream, proxy } = await setup();
    const statuses: string[] = [];
    for (const fixture of fixtures) {
      // Pretty-printed on purpose: an unchanged request must reach the upstream with these exact bytes.
      const sent = JSON.stringify(fixture.body, null, 1);
      const answer = await send(`${proxy.url}${fixture.url}`, { method: "POST", headers: { ...fixture.headers }, body: sent });
      expect(answer.status, `${fixture.file} #${fixture.seq}`).toBe(200);
      const status = String(answer.headers["x-headroom-status"]);
      statuses.push(status);
      const got = upstream.received.at(-1)!;
      expect(got.url).toBe(fixture.url);
      if (status === "unchanged") {
        expect(got.body.equals(Buffer.from(sent))).toBe(true);
        continue;
      }
      expect(status, `${fixture.file} #${fixture.seq}`).toBe("compressed");
      expect(got.body.length).toBeLessThan(Buffer.byteLength(JSON.stringify(fixture.body)));
      expect(Number(got.headers["content-length"])).toBe(got.body.length);
      const forwarded = JSON.parse(got.body.toString("utf8")) as Body;
      expect(Object.keys(forwarded)).toEqual(Object.keys(fixture.body));
      expect(restore(forwarded, fixture.body)).toEqual(fixture.body);
    }
    // Not vacuous: several real tool outputs were compressed, in all three wire formats.
    expect(statuses.filter((status) => status === "compressed").length).toBeGreaterThanOrEqual(3);
  });

  it("keeps auth and identity headers untouched", async () => {
    const { upstream, proxy } = await setup();
    const fixture = fixtures.find((f) => f.headers["x-api-key"] !== undefined)!;
    await send(`${proxy.url}${fixture.url}`, json(fixture.body, { ...fixture.headers, "x-api-key": "sk-ant-test-123", authorization: "Bearer tok-9" }));
    const got = upstream.received.at(-1)!;
    expect(got.headers["x-api-key"]).toBe("sk-ant-test-123");
    expect(got.headers.authorization).toBe("Bearer tok-9");
    expect(got.headers["anthropic-version"]).toBe(fixture.headers["anthropic-version"]);
  });
});

// A later turn of the same conversation: the agent re-sends everything and adds an exchange.
function nextTurn(fixture: FixtureRequest): Body {
  const items = conversationOf(fixture.body);
  const added = Array.isArray(fixture.body.messages)
    ? fixture.url.includes("chat/completions")
      ? [{ role: "assistant", content: "Looked at it." }, { role: "user", content: "now summarize" }]
      : [{ role: "assistant", content: [{ type: "text", text: "Looked at it." }] }, { role: "user", content: [{ type: "text", text: "now summarize" }] }]
    : [{ type: "message", role: "user", content: [{ type: "input_text", text: "now summarize" }] }];
  return withConversation(fixture.body, [...items, ...added]);
}

describe("turn N and N+1", () => {
  it("forwards every tool output byte-identical on the next turn (memo)", async () => {
    const { upstream, proxy } = await setup();
    const compressible = fixtureRequests().filter((f) => !f.url.includes("count_tokens") && locateUnits(conversationOf(f.body)).length > 0);
    expect(compressible.length).toBeGreaterThanOrEqual(4);
    let compressedPairs = 0;
    for (const fixture of compressible) {
      const first = await send(`${proxy.url}${fixture.url}`, json(fixture.body, fixture.headers));
      const turnN = JSON.parse(upstream.received.at(-1)!.body.toString("utf8")) as Body;
      const second = await send(`${proxy.url}${fixture.url}`, json(nextTurn(fixture), fixture.headers));
      const turnN1 = JSON.parse(upstream.received.at(-1)!.body.toString("utf8")) as Body;
      const before = locateUnits(conversationOf(turnN));
      const after = locateUnits(conversationOf(turnN1));
      expect(after.slice(0, before.length).map((unit) => unit.text)).toEqual(before.map((unit) => unit.text));
      // The whole of turn N is a prefix of turn N+1 (what provider prompt caches key on).
      expect(conversationOf(turnN1).slice(0, conversationOf(turnN).length)).toEqual(conversationOf(turnN));
      if (first.headers["x-headroom-status"] === "compressed") {
        compressedPairs += 1;
        expect(second.headers["x-headroom-status"]).toBe("compressed");
      }
    }
    expect(compressedPairs).toBeGreaterThanOrEqual(3);
  });

  it("stays byte-identical across a proxy restart on the same store", async () => {
    const upstream = await standIn();
    const dir = (await import("node:fs")).mkdtempSync((await import("node:path")).join((await import("node:os")).tmpdir(), "headroom-restart-"));
    const path = `${dir}/store.db`;
    const fixture = fixtureRequests().find((f) => f.file.startsWith("copilot-anthropic") && f.seq === 2)!;
    const bodies: Buffer[] = [];
    for (const body of [fixture.body, nextTurn(fixture)]) {
      const { proxy } = await proxyWith({ store: tempStore(path), upstreams: { anthropic: upstream.url } });
      await send(`${proxy.url}${fixture.url}`, json(body, fixture.headers));
      bodies.push(upstream.received.at(-1)!.body);
      await proxy.close();
    }
    const [a, b] = bodies.map((body) => locateUnits(conversationOf(JSON.parse(body.toString("utf8")) as Body)));
    expect(a![0]!.text.length).toBeLessThan(locateUnits(conversationOf(fixture.body))[0]!.text.length);
    expect(b![0]!.text).toBe(a![0]!.text);
  });
});

describe("count_tokens", () => {
  it("gets exactly the /v1/messages transformation, so the count matches what is sent", async () => {
    const { upstream, proxy, entries } = await setup();
    const fixture = fixtureRequests().find((f) => f.file.startsWith("claude-code-2.1.197") && f.seq === 7)!;
    const { model, messages, tools } = fixture.body;
    const counted = await send(`${proxy.url}/v1/messages/count_tokens?beta=true`, json({ model, messages, tools }, fixture.headers));
    expect(counted.headers["x-headroom-status"]).toBe("compressed");
    const countBody = JSON.parse(upstream.received.at(-1)!.body.toString("utf8")) as Body;
    expect(upstream.received.at(-1)!.url).toBe("/v1/messages/count_tokens?beta=true");
    await send(`${proxy.url}/v1/messages?beta=true`, json(fixture.body, fixture.headers));
    const messagesBody = JSON.parse(upstream.received.at(-1)!.body.toString("utf8")) as Body;
    expect(countBody.messages).toEqual(messagesBody.messages);
    expect(countBody.messages).not.toEqual(messages);
    await proxy.settled();
    // count_tokens is not a model call: only the /v1/messages request is in the ledger.
    expect(entries.map((entry) => entry.path)).toEqual(["/v1/messages"]);
  });
});

describe("responses/input_tokens", () => {
  it("gets exactly the /v1/responses transformation and is not recorded as a model call", async () => {
    const { upstream, proxy, entries } = await setup();
    const fixture = fixtureRequests().find((f) => f.file.startsWith("codex-classic") && f.seq === 2)!;
    const { model, input, tools, instructions } = fixture.body as Body & { input: unknown; instructions?: unknown };
    const counted = await send(`${proxy.url}/v1/responses/input_tokens`, json({ model, input, tools, instructions }, fixture.headers));
    expect(counted.headers["x-headroom-status"]).toBe("compressed");
    expect(upstream.received.at(-1)!.url).toBe("/v1/responses/input_tokens");
    const countBody = JSON.parse(upstream.received.at(-1)!.body.toString("utf8")) as { input: unknown };
    await send(`${proxy.url}${fixture.url}`, json(fixture.body, fixture.headers));
    const sentBody = JSON.parse(upstream.received.at(-1)!.body.toString("utf8")) as { input: unknown };
    expect(countBody.input).toEqual(sentBody.input);
    expect(countBody.input).not.toEqual(input);
    await proxy.settled();
    expect(entries.map((entry) => entry.path)).toEqual(["/v1/responses"]);
  });
});

describe("request encodings", () => {
  it("decodes a gzip request body, compresses it and forwards it decoded without content-encoding", async () => {
    const { upstream, proxy } = await setup();
    const fixture = fixtureRequests().find((f) => f.file.startsWith("copilot-chat") && f.seq === 2)!;
    const gz = gzipSync(JSON.stringify(fixture.body));
    const answer = await send(`${proxy.url}${fixture.url}`, { method: "POST", headers: { ...fixture.headers, "content-encoding": "gzip", "content-length": gz.length }, body: gz });
    expect(answer.headers["x-headroom-status"]).toBe("compressed");
    const got = upstream.received.at(-1)!;
    expect(got.headers["content-encoding"]).toBeUndefined();
    expect(restore(JSON.parse(got.body.toString("utf8")) as Body, fixture.body)).toEqual(fixture.body);
  });

  it("forwards a gzip body that is not JSON decoded, as is", async () => {
    const { upstream, proxy } = await setup();
    const gz = gzipSync("not json at all");
    const answer = await send(`${proxy.url}/v1/messages`, { method: "POST", headers: { "content-encoding": "gzip", "x-api-key": "k" }, body: gz });
    expect(answer.headers["x-headroom-status"]).toBe("bypass-unparseable");
    expect(upstream.received.at(-1)!.body.toString()).toBe("not json at all");
  });

  it("forwards a body with an unknown content-encoding untouched, header kept", async () => {
    const { upstream, proxy } = await setup();
    const answer = await send(`${proxy.url}/v1/messages`, { method: "POST", headers: { "content-encoding": "zstd", "x-api-key": "k" }, body: "\x28\xb5\x2f\xfd" });
    expect(answer.headers["x-headroom-status"]).toBe("bypass-unparseable");
    expect(upstream.received.at(-1)!.headers["content-encoding"]).toBe("zstd");
    expect(upstream.received.at(-1)!.body.equals(Buffer.from("\x28\xb5\x2f\xfd"))).toBe(true);
  });
});

describe("modes", () => {
  const fixture = () => fixtureRequests().find((f) => f.file.startsWith("codex-classic") && f.seq === 2)!;

  it("measure forwards the original bytes and records what would have been saved", async () => {
    const { upstream, proxy, entries } = await setup("measure");
    const sent = json(fixture().body, fixture().headers);
    const answer = await send(`${proxy.url}${fixture().url}`, sent);
    expect(answer.headers["x-headroom-status"]).toBe("measured");
    expect(upstream.received.at(-1)!.body.equals(Buffer.from(sent.body as string))).toBe(true);
    await proxy.settled();
    expect(entries).toHaveLength(1);
    expect(entries[0]!.mode).toBe("measure");
    expect(entries[0]!.tokensAfter).toBeLessThan(entries[0]!.tokensBefore);
  });

  it("off is a pure pass-through: bytes, encoding and headers as sent, nothing recorded", async () => {
    const { upstream, proxy, entries } = await setup("off");
    const gz = gzipSync(JSON.stringify(fixture().body));
    const answer = await send(`${proxy.url}${fixture().url}`, { method: "POST", headers: { ...fixture().headers, "content-encoding": "gzip", "content-length": gz.length }, body: gz });
    expect(answer.headers["x-headroom-status"]).toBe("off");
    const got = upstream.received.at(-1)!;
    expect(got.body.equals(gz)).toBe(true);
    expect(got.headers["content-encoding"]).toBe("gzip");
    await proxy.settled();
    expect(entries).toHaveLength(0);
  });

  it("compress records tokens before and after, per kind, with the tap's usage", async () => {
    const { proxy, entries } = await setup();
    await send(`${proxy.url}${fixture().url}`, json(fixture().body, fixture().headers));
    await proxy.settled();
    expect(entries).toHaveLength(1);
    const entry = entries[0]!;
    expect(entry).toMatchObject({ path: "/v1/responses", mode: "compress", status: "compressed", model: "gpt-5-codex", agent: "codex", unitsCompressed: 1, upstreamStatus: 200, estimate: false });
    expect(entry.tokensAfter).toBeLessThan(entry.tokensBefore);
    expect(Object.values(entry.byKind).reduce((sum, kind) => sum + kind.before, 0)).toBe(entry.tokensBefore);
    expect(entry.addedMs).toBeGreaterThanOrEqual(0);
    expect(entry.sessionKey).not.toBe("unknown");
  });
});
