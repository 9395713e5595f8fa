// The MCP server through the SDK's own client over stdio, as an agent would run it.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport, getDefaultEnvironment } from "@modelcontextprotocol/sdk/client/stdio.js";
import { parseMarkers } from "../../src/ccr/marker.js";
import { tempHome } from "../support/run-cli.js";

const ENTRY = join(import.meta.dirname, "../support/cli-entry.ts");
const LOG_DIR = join(import.meta.dirname, "../fixtures/outputs/log");
const bigLog = () => {
  const files = readdirSync(LOG_DIR).filter((name) => name.endsWith(".txt"));
  const sized = files.map((name) => readFileSync(join(LOG_DIR, name), "utf8")).sort((a, b) => b.length - a.length);
  return sized[0]!;
};

type TextContent = { content: { type: string; text: string }[]; isError?: boolean };

describe("headroom mcp serve", () => {
  let client: Client;

  beforeAll(async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ["--import", "tsx", ENTRY, "mcp", "serve"],
      env: { ...getDefaultEnvironment(), HEADROOM_HOME: tempHome() },
      stderr: "pipe",
    });
    client = new Client({ name: "headroom-test", version: "1.0.0" });
    await client.connect(transport);
  });

  afterAll(async () => {
    await client?.close();
  });

  it("lists the three tools", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(["headroom_compress", "headroom_retrieve", "headroom_stats"]);
  });

  it("compresses, then retrieves the exact original through the marker's hash", async () => {
    const original = bigLog();
    const compressed = (await client.callTool({ name: "headroom_compress", arguments: { content: original } })) as TextContent;
    const text = compressed.content[0]!.text;
    expect(text.length).toBeLessThan(original.length);
    const markers = parseMarkers(text);
    expect(markers.length).toBeGreaterThan(0);

    const retrieved = (await client.callTool({ name: "headroom_retrieve", arguments: { hash: markers[0]!.hash } })) as TextContent;
    expect(retrieved.isError).toBeFalsy();
    expect(retrieved.content[0]!.text).toBe(original);
  });

  it("answers a bad or unknown hash with a clear tool error", async () => {
    const bad = (await client.callTool({ name: "headroom_retrieve", arguments: { hash: "nope" } })) as TextContent;
    expect(bad.isError).toBe(true);
    expect(bad.content[0]!.text).toMatch(/16 hex digits/);
    const unknown = (await client.callTool({ name: "headroom_retrieve", arguments: { hash: "0123456789abcdef" } })) as TextContent;
    expect(unknown.isError).toBe(true);
    expect(unknown.content[0]!.text).toMatch(/retention period/);
  });

  it("reports the store's contents", async () => {
    const stats = (await client.callTool({ name: "headroom_stats", arguments: {} })) as TextContent;
    const parsed = JSON.parse(stats.content[0]!.text) as { version: number; store: { originals: number } };
    expect(parsed.version).toBe(1);
    expect(parsed.store.originals).toBeGreaterThanOrEqual(1);
  });
});
