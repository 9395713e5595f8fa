/**
 * The scripted upstream on its own (no agents needed): the three wire formats streamed and not,
 * count_tokens, models, HEAD, WebSocket refusal, the outbound-traffic trap and the cache simulation.
 */
import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { say, shell, start, type ScriptedUpstream } from "./support/scripted-upstream.js";

let up: ScriptedUpstream | undefined;
afterEach(async () => {
  await up?.close();
  up = undefined;
});

async function post(path: string, body: unknown): Promise<{ status: number; text: string; type: string }> {
  const res = await fetch(`${up!.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, text: await res.text(), type: res.headers.get("content-type") ?? "" };
}

interface SseEvent {
  event: string | undefined;
  data: string;
}
function parseSse(text: string): SseEvent[] {
  return text
    .split("\n\n")
    .filter((b) => b.trim() !== "")
    .map((block) => {
      let event: string | undefined;
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) event = line.slice(7);
        else if (line.startsWith("data: ")) data.push(line.slice(6));
      }
      return { event, data: data.join("\n") };
    });
}

const anthropicTools = [{ name: "Bash", description: "run", input_schema: { type: "object", properties: { command: { type: "string" } } } }];
const chatTools = [{ type: "function", function: { name: "bash", parameters: { type: "object" } } }];

describe("scripted upstream: Anthropic Messages", () => {
  it("streams a tool call, then the final text, with usage and a simulated cache", async () => {
    up = await start([shell("ls -la /usr/lib"), say("All done.")]);
    const first = { model: "m", stream: true, system: [{ type: "text", text: "sys" }], tools: anthropicTools, messages: [{ role: "user", content: "list" }] };
    const r1 = await post("/v1/messages?beta=true", first);
    expect(r1.type).toContain("text/event-stream");
    const ev1 = parseSse(r1.text);
    expect(ev1.map((e) => e.event)).toEqual([
      "message_start",
      "content_block_start",
      "ping",
      "content_block_delta",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    const start1 = JSON.parse(ev1[1]!.data) as { content_block: { type: string; name: string; id: string } };
    expect(start1.content_block).toMatchObject({ type: "tool_use", name: "Bash" });
    const json = ev1
      .filter((e) => e.event === "content_block_delta")
      .map((e) => (JSON.parse(e.data) as { delta: { partial_json: string } }).delta.partial_json)
      .join("");
    expect(JSON.parse(json)).toMatchObject({ command: "ls -la /usr/lib" });
    const delta1 = JSON.parse(ev1[7]!.data) as { delta: { stop_reason: string }; usage: Record<string, number> };
    expect(delta1.delta.stop_reason).toBe("tool_use");
    expect(delta1.usage.cache_read_input_tokens).toBe(0);
    expect(delta1.usage.input_tokens).toBeGreaterThan(0);

    const second = {
      ...first,
      messages: [
        ...first.messages,
        { role: "assistant", content: [{ type: "tool_use", id: start1.content_block.id, name: "Bash", input: JSON.parse(json) as unknown }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: start1.content_block.id, content: "file-a\nfile-b" }] },
      ],
    };
    const ev2 = parseSse((await post("/v1/messages?beta=true", second)).text);
    const text = ev2
      .filter((e) => e.event === "content_block_delta")
      .map((e) => (JSON.parse(e.data) as { delta: { text: string } }).delta.text)
      .join("");
    expect(text).toBe("All done.");
    const delta2 = JSON.parse(ev2.find((e) => e.event === "message_delta")!.data) as { delta: { stop_reason: string }; usage: Record<string, number> };
    expect(delta2.delta.stop_reason).toBe("end_turn");
    // The shared prefix (system + tools + the first message, minus the closing brackets) is cached.
    const rec = up.modelRequests();
    expect(rec.map((r) => r.turnIndex)).toEqual([0, 1]);
    expect(delta2.usage.cache_read_input_tokens).toBe(rec[1]!.usage!.cachedTokens);
    expect(rec[1]!.usage!.cachedTokens).toBeGreaterThan(0);
    expect(rec[1]!.usage!.cachedTokens).toBeLessThan(rec[1]!.usage!.promptTokens);
    expect(delta2.usage.input_tokens).toBe(rec[1]!.usage!.uncachedTokens);
    expect(rec[1]!.bodyText).toContain("file-a\\nfile-b");
  });

  it("answers non-streaming requests with JSON, and a retried request gets the same turn", async () => {
    up = await start([shell("echo hi"), say("bye")]);
    const body = { model: "m", tools: anthropicTools, messages: [{ role: "user", content: "x" }] };
    const a = JSON.parse((await post("/v1/messages", body)).text) as { content: Array<{ type: string; input: unknown }>; usage: Record<string, number> };
    const b = JSON.parse((await post("/v1/messages", body)).text) as { content: Array<{ type: string; input: unknown }>; usage: Record<string, number> };
    expect(a.content[0]).toMatchObject({ type: "tool_use", input: { command: "echo hi" } });
    expect(b.content[0]).toMatchObject({ type: "tool_use", input: { command: "echo hi" } });
    // The identical retry is a full cache hit (all but the rounding).
    expect(b.usage.cache_read_input_tokens).toBeGreaterThan(0);
  });

  it("answers side requests without a shell tool with text, and count_tokens with a count", async () => {
    up = await start([shell("echo hi")]);
    const side = JSON.parse((await post("/v1/messages", { model: "m", messages: [{ role: "user", content: "title?" }] })).text) as {
      content: Array<{ type: string; text: string }>;
    };
    expect(side.content[0]).toMatchObject({ type: "text", text: "Done." });
    const count = JSON.parse((await post("/v1/messages/count_tokens?beta=true", { model: "m", messages: [{ role: "user", content: "x".repeat(400) }] })).text) as {
      input_tokens: number;
    };
    expect(count.input_tokens).toBeGreaterThan(100);
    expect(up.requests.map((r) => r.kind)).toEqual(["anthropic", "count_tokens"]);
  });
});

describe("scripted upstream: OpenAI Chat Completions", () => {
  it("streams tool_calls, finish_reason, a usage chunk and [DONE]", async () => {
    up = await start([shell("seq 1 3", "count"), say("three")]);
    const body = { model: "gpt", stream: true, stream_options: { include_usage: true }, tools: chatTools, messages: [{ role: "system", content: "s" }, { role: "user", content: "u" }] };
    const r = await post("/v1/chat/completions", body);
    const events = parseSse(r.text);
    expect(events.at(-1)!.data).toBe("[DONE]");
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data) as { choices: Array<{ delta: { tool_calls?: Array<{ id?: string; function: { name?: string; arguments: string } }> }; finish_reason: string | null }>; usage?: Record<string, unknown> });
    const calls = chunks.flatMap((c) => c.choices.flatMap((ch) => ch.delta.tool_calls ?? []));
    expect(calls[0]!.function.name).toBe("bash");
    expect(JSON.parse(calls.map((c) => c.function.arguments).join(""))).toEqual({ command: "seq 1 3", description: "count" });
    expect(chunks.some((c) => c.choices[0]?.finish_reason === "tool_calls")).toBe(true);
    const usage = chunks.at(-1)!;
    expect(usage.choices).toEqual([]);
    expect(usage.usage).toMatchObject({ prompt_tokens_details: { cached_tokens: 0 } });

    const next = {
      ...body,
      messages: [
        ...body.messages,
        { role: "assistant", content: null, tool_calls: [{ id: calls[0]!.id, type: "function", function: { name: "bash", arguments: "{}" } }] },
        { role: "tool", tool_call_id: calls[0]!.id, content: "1\n2\n3" },
      ],
    };
    const r2 = parseSse((await post("/v1/chat/completions", { ...next, stream_options: undefined })).text);
    const text = r2
      .slice(0, -1)
      .map((e) => JSON.parse(e.data) as { choices: Array<{ delta: { content?: string } }>; usage?: unknown })
      .flatMap((c) => c.choices.map((ch) => ch.delta.content ?? ""))
      .join("");
    expect(text).toBe("three");
    // No usage chunk without stream_options.include_usage.
    expect(r2.slice(0, -1).every((e) => (JSON.parse(e.data) as { usage?: unknown }).usage === undefined)).toBe(true);
  });

  it("answers non-streaming requests with a chat.completion", async () => {
    up = await start([say("hello")]);
    const r = JSON.parse((await post("/v1/chat/completions", { model: "gpt", messages: [{ role: "user", content: "u" }] })).text) as {
      object: string;
      choices: Array<{ message: { content: string }; finish_reason: string }>;
      usage: { prompt_tokens: number };
    };
    expect(r.object).toBe("chat.completion");
    expect(r.choices[0]).toMatchObject({ message: { content: "hello" }, finish_reason: "stop" });
    expect(r.usage.prompt_tokens).toBeGreaterThan(0);
  });
});

describe("scripted upstream: OpenAI Responses", () => {
  it("streams a function_call (exec_command) and completes with usage incl. cached_tokens", async () => {
    up = await start([shell("ls"), say("ok")]);
    const body = { model: "gpt-5-codex", stream: true, tools: [{ type: "function", name: "exec_command", parameters: {} }], input: [{ type: "message", role: "user", content: [{ type: "input_text", text: "hi" }] }] };
    const events = parseSse((await post("/v1/responses", body)).text);
    const types = events.map((e) => e.event);
    expect(types[0]).toBe("response.created");
    expect(types).toContain("response.output_item.added");
    expect(types).toContain("response.function_call_arguments.delta");
    expect(types.at(-1)).toBe("response.completed");
    const done = JSON.parse(events.find((e) => e.event === "response.output_item.done")!.data) as { item: { type: string; name: string; arguments: string; call_id: string } };
    expect(done.item).toMatchObject({ type: "function_call", name: "exec_command" });
    expect(JSON.parse(done.item.arguments)).toEqual({ cmd: "ls" });
    const completed = JSON.parse(events.at(-1)!.data) as { response: { usage: { input_tokens_details: { cached_tokens: number } } } };
    expect(completed.response.usage.input_tokens_details.cached_tokens).toBe(0);

    const next = { ...body, input: [...body.input, done.item, { type: "function_call_output", call_id: done.item.call_id, output: "a\nb" }] };
    const ev2 = parseSse((await post("/v1/responses", next)).text);
    const text = JSON.parse(ev2.find((e) => e.event === "response.output_text.done")!.data) as { text: string };
    expect(text.text).toBe("ok");
    const c2 = JSON.parse(ev2.at(-1)!.data) as { response: { usage: { input_tokens_details: { cached_tokens: number } } } };
    expect(c2.response.usage.input_tokens_details.cached_tokens).toBeGreaterThan(0);
  });

  it("uses Codex's code-mode exec custom tool from additional_tools when there is no function tool", async () => {
    up = await start([shell("seq 1 2")]);
    const body = {
      model: "gpt-6.1-sol",
      input: [
        { type: "additional_tools", role: "developer", tools: [{ type: "namespace", name: "functions", tools: [{ type: "custom", name: "exec" }] }] },
        { type: "message", role: "user", content: [{ type: "input_text", text: "hi" }] },
      ],
    };
    const r = JSON.parse((await post("/v1/responses", body)).text) as { output: Array<{ type: string; name: string; namespace: string; input: string }> };
    expect(r.output[0]).toMatchObject({ type: "custom_tool_call", name: "exec", namespace: "functions" });
    expect(r.output[0]!.input).toContain('tools.exec_command({ cmd: "seq 1 2" })');
  });

  it("uses Copilot's bash function tool", async () => {
    up = await start([shell("pwd")]);
    const r = JSON.parse(
      (await post("/v1/responses", { model: "gpt-5", tools: [{ type: "function", name: "bash", parameters: {} }], input: "hi" })).text,
    ) as { output: Array<{ type: string; name: string; arguments: string }> };
    expect(r.output[0]).toMatchObject({ type: "function_call", name: "bash" });
    expect(JSON.parse(r.output[0]!.arguments)).toMatchObject({ command: "pwd" });
  });
});

describe("scripted upstream: other routes", () => {
  it("answers models, HEAD and unknown paths", async () => {
    up = await start([]);
    const models = (await (await fetch(`${up.url}/v1/models`)).json()) as { data: Array<{ id: string }> };
    expect(models.data[0]!.id).toBe("e2e-model");
    const one = (await (await fetch(`${up.url}/v1/models/gpt-4.1`)).json()) as { id: string };
    expect(one.id).toBe("gpt-4.1");
    expect((await fetch(`${up.url}/`, { method: "HEAD" })).status).toBe(200);
    expect((await fetch(`${up.url}/api/hello`, { method: "HEAD" })).status).toBe(200);
    expect((await fetch(`${up.url}/nope`, { method: "POST", body: "{}" })).status).toBe(404);
  });

  it("refuses WebSocket upgrades with 426", async () => {
    up = await start([]);
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = httpRequest(`${up!.url}/v1/responses`, { headers: { connection: "Upgrade", upgrade: "websocket", "sec-websocket-version": "13", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==" } });
      req.on("response", (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on("upgrade", () => resolve(101));
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(426);
    expect(up.requests.map((r) => r.kind)).toEqual(["websocket"]);
  });

  it("records and refuses outbound CONNECTs (the proxy trap)", async () => {
    up = await start([]);
    const line = await new Promise<string>((resolve, reject) => {
      const s = connect(up!.port, "127.0.0.1", () => s.write("CONNECT api.example.com:443 HTTP/1.1\r\nHost: api.example.com:443\r\n\r\n"));
      let buf = "";
      s.on("data", (d) => (buf += d.toString()));
      s.on("end", () => resolve(buf.split("\r\n")[0] ?? ""));
      s.on("error", reject);
    });
    expect(line).toBe("HTTP/1.1 403 Forbidden");
    expect(up.outbound().map((r) => r.url)).toEqual(["api.example.com:443"]);
  });
});
