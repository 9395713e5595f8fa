// The small pieces on their own: route matching, the Host guard, the breaker's window and cool-down,
// provider error shapes, and the transform's fail-open statuses.
import { describe, expect, it } from "vitest";
import { anthropicMessages } from "../../src/proxy/anthropic-messages.js";
import { CircuitBreaker } from "../../src/proxy/breaker.js";
import { hostGuard, hostnameOf, isLoopbackBind } from "../../src/proxy/host-guard.js";
import { openaiChat } from "../../src/proxy/openai-chat.js";
import { openaiResponses } from "../../src/proxy/openai-responses.js";
import { errorBody } from "../../src/proxy/provider-error.js";
import { pathOf, providerOf, routeOf } from "../../src/proxy/routes.js";
import { ProxyStatus, isFailure } from "../../src/proxy/status.js";
import { transformBody, type CompressFn } from "../../src/proxy/transform.js";

describe("routeOf", () => {
  it.each([
    ["POST", "/v1/messages", "messages"],
    ["POST", "/v1/messages?beta=true", "messages"],
    ["POST", "/anything/v1/messages/", "messages"],
    ["POST", "/v1/messages/count_tokens?beta=true", "count_tokens"],
    ["POST", "/v1/chat/completions", "chat"],
    ["POST", "/chat/completions", "chat"],
    ["POST", "/openai/v1/responses", "responses"],
    ["POST", "/v1/responses/input_tokens", "responses_input_tokens"],
    ["GET", "/v1/responses", undefined],
    ["GET", "/v1/models", undefined],
    ["POST", "/v1/responses/resp_1/cancel", undefined],
    ["POST", "/v1/messages/batches", undefined],
    ["HEAD", "/", undefined],
  ])("%s %s -> %s", (method, url, name) => {
    expect(routeOf(method, url)?.name).toBe(name);
  });

  it("strips query strings and a trailing slash from paths", () => {
    expect(pathOf("/v1/messages/?beta=true")).toBe("/v1/messages");
    expect(pathOf("/")).toBe("/");
  });

  it("picks Anthropic for pass-through when its headers are present, else OpenAI", () => {
    expect(providerOf({ "x-api-key": "k" })).toBe("anthropic");
    expect(providerOf({ "anthropic-version": "2023-06-01", authorization: "Bearer x" })).toBe("anthropic");
    expect(providerOf({ authorization: "Bearer x" })).toBe("openai");
    expect(providerOf({})).toBe("openai");
  });
});

describe("host guard", () => {
  it("reads host names out of Host headers", () => {
    expect(hostnameOf("[::1]:8787")).toBe("::1");
    expect(hostnameOf("LocalHost:1")).toBe("localhost");
    expect(hostnameOf("127.0.0.1")).toBe("127.0.0.1");
    expect(hostnameOf("localhost.:80")).toBe("localhost");
  });

  it("allows loopback names and the bound address only", () => {
    const allowed = hostGuard("127.0.0.1");
    for (const host of ["localhost:1", "127.0.0.1:8787", "127.9.9.9", "[::1]:2", "app.localhost:3", undefined]) expect(allowed(host)).toBe(true);
    for (const host of ["evil.example", "localhost.evil.example:1", "10.0.0.2:8787", "[::2]:1", "0.0.0.0:8787"]) expect(allowed(host)).toBe(false);
    expect(hostGuard("192.168.1.5")("192.168.1.5:8787")).toBe(true);
    expect(hostGuard("my-box.lan")("my-box.lan:8787")).toBe(true);
    expect(hostGuard("::")("[::]:8787")).toBe(true);
  });

  it("knows which binds stay on this machine", () => {
    expect(isLoopbackBind("127.0.0.1")).toBe(true);
    expect(isLoopbackBind("localhost")).toBe(true);
    expect(isLoopbackBind("::1")).toBe(true);
    expect(isLoopbackBind("0.0.0.0")).toBe(false);
    expect(isLoopbackBind("::")).toBe(false);
  });
});

describe("CircuitBreaker", () => {
  it("opens after N failures within the window, for the cool-down, then closes", () => {
    let now = 0;
    const breaker = new CircuitBreaker({ threshold: 3, windowMs: 1000, cooldownMs: 5000, now: () => now });
    breaker.failure();
    now = 600;
    breaker.failure();
    now = 1100; // the first failure left the window
    expect(breaker.failure()).toBe(false);
    expect(breaker.isOpen()).toBe(false);
    now = 1200;
    expect(breaker.failure()).toBe(true);
    expect(breaker.state()).toMatchObject({ open: true, until: 6200, trips: 1 });
    now = 6199;
    expect(breaker.isOpen()).toBe(true);
    now = 6200;
    expect(breaker.isOpen()).toBe(false);
    expect(breaker.state().recentFailures).toBe(0);
  });
});

describe("errorBody", () => {
  it("speaks each provider's error shape", () => {
    expect(JSON.parse(errorBody("anthropic", 413, "too big"))).toEqual({ type: "error", error: { type: "request_too_large", message: "too big" } });
    expect(JSON.parse(errorBody("openai", 502, "down"))).toEqual({ error: { message: "down", type: "server_error", param: null, code: "headroom_502" } });
  });
});

describe("statuses", () => {
  it("lists every documented value once; only errors and timeouts count as failures", () => {
    const values = Object.values(ProxyStatus);
    expect(new Set(values).size).toBe(values.length);
    expect(values.filter(isFailure).sort()).toEqual(["bypass-error", "over-budget"]);
  });
});

describe("transformBody", () => {
  const identity: CompressFn = (conversation) => ({ messages: [...conversation], units: [] });
  const options = (compress: CompressFn = identity, mode: "compress" | "measure" = "compress") => ({ mode, compress, breaker: new CircuitBreaker(), budgetMs: 250, clock: () => 0 });

  it("returns the very same buffer when nothing changed", () => {
    const bytes = Buffer.from('{ "model" : "m", "messages" : [] }');
    const out = transformBody(bytes, anthropicMessages, options());
    expect(out.status).toBe("unchanged");
    expect(out.body).toBe(bytes);
  });

  it("treats a JSON body without a conversation (Responses string input) as unchanged", () => {
    const out = transformBody(Buffer.from('{"model":"m","input":"hello"}'), openaiResponses, options());
    expect(out.status).toBe("unchanged");
    expect(out.units).toEqual([]);
  });

  it.each(["[1,2]", "null", "", '{"a":', "\u00ff"])("forwards %j as unparseable", (text) => {
    expect(transformBody(Buffer.from(text), openaiChat, options()).status).toBe("bypass-unparseable");
  });

  it("keeps keys in place and replaces only the conversation", () => {
    const compress: CompressFn = () => ({
      messages: [{ role: "tool", content: "short" }],
      units: [{ path: [0, "content"], toolName: undefined, hash: "0".repeat(16), kind: "log", status: "compressed", charsBefore: 4, charsAfter: 5, omissions: [], text: "short", original: "long" }],
    });
    const out = transformBody(Buffer.from('{"model":"m","messages":[{"role":"tool","content":"long"}],"stream":true}'), openaiChat, options(compress));
    expect(out.status).toBe("compressed");
    expect(out.body.toString()).toBe('{"model":"m","messages":[{"role":"tool","content":"short"}],"stream":true}');
    const measured = transformBody(Buffer.from('{"model":"m","messages":[]}'), openaiChat, options(compress, "measure"));
    expect(measured.status).toBe("measured");
    expect(measured.body.toString()).toBe('{"model":"m","messages":[]}');
  });
});
