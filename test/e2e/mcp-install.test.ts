/**
 * `headroom mcp install|uninstall` with the real Claude Code (2.1.331): install registers the
 * server through `claude mcp add --scope user`, `claude mcp list` shows it connected, a `claude -p`
 * turn calls mcp__headroom__headroom_retrieve and gets the stored original back, and uninstall
 * leaves ~/.claude.json as it was (byte-identical when nothing ran in between; otherwise equal
 * apart from the fields Claude Code itself rewrites on every run, listed in CLAUDE_RUN_FIELDS).
 *
 * Runs the built CLI: `npm run build && npx vitest run --config vitest.e2e.config.ts test/e2e/mcp-install.test.ts`
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { agentBin, agentInstalled, claudeInvocation, describeRun, notInstalledMessage, runInvocation, type Invocation } from "./support/agents.js";

const ROOT = join(import.meta.dirname, "..", "..");
const HEADROOM = join(ROOT, "bin", "headroom.js");
const TOOL = "mcp__headroom__headroom_retrieve";
const NEEDLE = "ERROR payment 4411 declined by gateway (code=51)";

/**
 * Top-level keys of ~/.claude.json that Claude Code 2.1.331 itself adds, rewrites or drops when it
 * runs (`claude mcp add`, `mcp list`, `-p`), measured in this test's fresh HOME: headroom's
 * uninstall touches none of them (with no Claude run between install and uninstall the file comes
 * back byte for byte, see the first test).
 */
const CLAUDE_RUN_FIELDS = new Set([
  // added on the first run and kept up to date
  "firstStartTime",
  "firstStartVersion",
  "machineID",
  "userID",
  "migrationVersion",
  "opusProMigrationComplete",
  "seenNotifications",
  "hasResetAutoModeOptInForDefaultOffer",
  "pluginUsage",
  "numStartups",
  // dropped by Claude's own rewrite of the file: a false autoUpdates, an empty customApiKeyResponses
  "autoUpdates",
  "customApiKeyResponses",
]);

type Json = Record<string, unknown>;

/** A stand-in Anthropic API: the main turn calls headroom_retrieve, the next one answers with text. */
async function retrieveUpstream(hash: string): Promise<{ url: string; bodies: Json[]; close(): Promise<void> }> {
  const bodies: Json[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = (req.url ?? "").split("?")[0] ?? "";
      if (req.method !== "POST") return void res.writeHead(200).end();
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Json;
      if (path.endsWith("/count_tokens")) return void res.writeHead(200, { "content-type": "application/json" }).end('{"input_tokens":100}');
      bodies.push(body);
      const tools = (body.tools as { name?: string }[] | undefined) ?? [];
      const text = JSON.stringify(body.messages ?? []);
      const callTool = tools.some((t) => t.name === TOOL) && !text.includes('"tool_result"');
      res.writeHead(200, { "content-type": "text/event-stream" });
      const ev = (type: string, data: Json): void => void res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
      ev("message_start", { message: { id: "msg_1", type: "message", role: "assistant", model: "claude-sonnet-4-5", content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 100, output_tokens: 1 } } });
      if (callTool) {
        ev("content_block_start", { index: 0, content_block: { type: "tool_use", id: "toolu_hr1", name: TOOL, input: {} } });
        ev("content_block_delta", { index: 0, delta: { type: "input_json_delta", partial_json: JSON.stringify({ hash }) } });
      } else {
        ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } });
        ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: "Retrieved." } });
      }
      ev("content_block_stop", { index: 0 });
      ev("message_delta", { delta: { stop_reason: callTool ? "tool_use" : "end_turn", stop_sequence: null }, usage: { output_tokens: 5 } });
      ev("message_stop", {});
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, bodies, close: () => new Promise((r) => server.close(() => r())) };
}

function headroom(inv: Invocation, args: string[], input?: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [HEADROOM, ...args], { env: inv.env, cwd: inv.cwd, input: input ?? "", encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function claudeCli(inv: Invocation, args: string[]): { code: number | null; out: string } {
  const r = spawnSync(agentBin("claude"), args, { env: inv.env, cwd: inv.cwd, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8", timeout: 90_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

const sha = (p: string): string => createHash("sha256").update(readFileSync(p)).digest("hex");

/** A user's ~/.claude.json as Claude Code writes it, with an MCP server of their own. */
const USER_CONFIG = `${JSON.stringify(
  { numStartups: 4, theme: "light", autoUpdates: false, mcpServers: { notes: { type: "stdio", command: "/usr/bin/true", args: [], env: {} } }, customApiKeyResponses: { approved: [], rejected: [] } },
  null,
  2,
)}\n`;

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

function freshInvocation(baseUrl: string, extraArgs: string[] = []): { inv: Invocation; config: string } {
  const inv = claudeInvocation({ baseUrl, prompt: "Get me back what headroom left out.", args: extraArgs });
  inv.env = { ...inv.env, HEADROOM_HOME: join(inv.home, "headroom") };
  const configDir = inv.env.CLAUDE_CONFIG_DIR as string;
  mkdirSync(configDir, { recursive: true });
  const config = join(configDir, ".claude.json");
  writeFileSync(config, USER_CONFIG);
  return { inv, config };
}

describe.skipIf(!existsSync(join(ROOT, "dist", "src", "mcp", "install.js")) ? "run npm run build first" : false)("headroom mcp install with the real Claude Code", () => {
  it.skipIf(agentInstalled("claude") ? false : notInstalledMessage("claude"))("install is idempotent and uninstall with nothing in between restores ~/.claude.json byte for byte", async () => {
    const { inv, config } = freshInvocation("http://127.0.0.1:9");
    cleanup = async () => rmSync(inv.home, { recursive: true, force: true });
    const before = readFileSync(config);
    const first = headroom(inv, ["mcp", "install", "--agent", "claude", "--json"]);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).results[0]).toMatchObject({ agent: "claude", status: "installed", path: config });
    const installed = sha(config);
    const second = headroom(inv, ["mcp", "install", "--agent", "claude"]);
    expect(second.stdout).toContain("claude: already installed");
    expect(sha(config)).toBe(installed);
    const entry = (JSON.parse(readFileSync(config, "utf8")) as { mcpServers: Json }).mcpServers.headroom;
    expect(entry).toMatchObject({ type: "stdio", command: process.execPath, args: [HEADROOM, "mcp", "serve"] });

    const removed = headroom(inv, ["mcp", "uninstall", "--agent", "claude"]);
    expect(removed.code).toBe(0);
    expect(readFileSync(config).equals(before)).toBe(true);
    const again = headroom(inv, ["mcp", "uninstall", "--agent", "claude"]);
    expect([again.code, again.stdout]).toEqual([0, expect.stringContaining("claude: not installed")]);
  });

  it.skipIf(agentInstalled("claude") ? false : notInstalledMessage("claude"))("claude mcp list shows it connected, claude -p retrieves an original through it, uninstall leaves only Claude's own fields changed", async () => {
    // An original in the store, and its hash, as a marker would carry it.
    const log = Array.from({ length: 800 }, (_, i) => (i === 517 ? NEEDLE : `INFO request ${i} served in ${(i * 7) % 97} ms`)).join("\n");
    const probe = freshInvocation("http://127.0.0.1:9");
    const compressed = headroom(probe.inv, ["compress", "--json"], log);
    const hash = (JSON.parse(compressed.stdout) as { hashes: string[] }).hashes[0] as string;
    expect(hash, compressed.stdout + compressed.stderr).toMatch(/^[0-9a-f]{16}$/);
    const up = await retrieveUpstream(hash);
    const { inv, config } = freshInvocation(up.url, ["--allowedTools", TOOL]);
    // Claude Code defers MCP tools behind ToolSearch by default; off, the tool is in the first request.
    inv.env = { ...inv.env, HEADROOM_HOME: probe.inv.env.HEADROOM_HOME as string, ENABLE_TOOL_SEARCH: "false" };
    cleanup = async () => {
      await up.close();
      rmSync(inv.home, { recursive: true, force: true });
      rmSync(probe.inv.home, { recursive: true, force: true });
    };
    const before = JSON.parse(readFileSync(config, "utf8")) as Json;

    expect(headroom(inv, ["mcp", "install", "--agent", "claude"]).code).toBe(0);
    const list = claudeCli(inv, ["mcp", "list"]);
    expect(list.out).toMatch(/headroom: .*headroom\.js mcp serve - ✔ Connected/);

    const run = await runInvocation(inv, { keepHome: true, timeoutMs: 90_000 });
    const info = `${describeRun(run)}\nrequests: ${up.bodies.length} tools: ${up.bodies.map((b) => ((b.tools as { name?: string }[] | undefined) ?? []).map((t) => t.name).join(",")).join(" / ")}`;
    expect(run.exitCode, info).toBe(0);
    expect(run.stdout, info).toContain("Retrieved.");
    const results = up.bodies.map((b) => JSON.stringify(b.messages ?? [])).filter((m) => m.includes('"tool_result"') && m.includes("toolu_hr1"));
    expect(results.length, info).toBeGreaterThan(0);
    expect(results[0]).toContain(NEEDLE);
    expect(results[0]).toContain("INFO request 799 served");

    expect(headroom(inv, ["mcp", "uninstall", "--agent", "claude"]).code).toBe(0);
    const after = JSON.parse(readFileSync(config, "utf8")) as Json;
    expect((after.mcpServers as Json).headroom).toBeUndefined();
    const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
    const detail = changed.map((k) => `${k}: ${JSON.stringify(before[k])} -> ${JSON.stringify(after[k])}`).join("\n");
    expect(changed.filter((k) => !CLAUDE_RUN_FIELDS.has(k)), detail).toEqual([]);
    expect(after.mcpServers).toEqual(before.mcpServers);
    expect(after.theme).toBe("light");
  });
});
