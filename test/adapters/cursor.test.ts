import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cursor, cursorMcpPath } from "../../adapters/cursor.js";
import { recoverJournals } from "../../adapters/journal.js";
import { adapterContract, MCP, PROXY_URL } from "./contract.js";
import { hashTree, installStandIn, runRecorded, sandbox, type Sandbox } from "./support.js";

const MINE = `{\n    "mcpServers": { "docs": { "command": "docs-mcp" } }\n}`; // odd formatting on purpose

adapterContract(cursor, {
  configure: (sb) => {
    mkdirSync(join(sb.home, ".cursor"), { recursive: true });
    writeFileSync(join(sb.home, ".cursor", "mcp.json"), MINE);
    return {};
  },
  expectedUpstream: {},
  credentials: { CURSOR_API_KEY: "crsr_test", OPENAI_API_KEY: "sk-test" },
  userArgs: ["-p", "fix it", "--model", "gpt-5"],
  userFlags: ["-p", "--model"],
  proxied: false,
});

describe("cursor adapter (stand-in executable)", () => {
  let sb: Sandbox;
  beforeEach(() => {
    sb = sandbox();
    installStandIn(sb.bin, "cursor-agent");
  });
  afterEach(() => sb.cleanup());
  const prepare = () => cursor.prepare({ proxyUrl: PROXY_URL, env: sb.env, userArgs: ["-p", "hi"], mcp: MCP, dataDir: sb.dataDir });

  it("sets no base URL anywhere and says why", async () => {
    const plan = await prepare();
    const rec = runRecorded(plan, join(sb.root, "rec.json"));
    await plan.undo();
    expect(rec.argv).toEqual(["-p", "hi"]);
    expect(Object.values(rec.env).some((v) => v.includes(PROXY_URL))).toBe(false);
    expect(plan.notices[0]).toMatch(/Cursor's servers/);
  });

  it("registers the MCP server in ~/.cursor/mcp.json for the run and restores the file byte for byte", async () => {
    const path = cursorMcpPath(sb.env);
    mkdirSync(join(sb.home, ".cursor"), { recursive: true });
    writeFileSync(path, MINE);
    const plan = await prepare();
    const during = JSON.parse(readFileSync(path, "utf8")) as { mcpServers: Record<string, unknown> };
    expect(Object.keys(during.mcpServers)).toEqual(["docs", "headroom"]);
    expect(during.mcpServers.headroom).toEqual({ command: MCP.command, args: MCP.args });
    await plan.undo();
    expect(readFileSync(path, "utf8")).toBe(MINE);
    expect(readdirSync(join(sb.dataDir, "journals"))).toEqual([]);
  });

  it("a file that did not exist is removed again; one it cannot read is left alone", async () => {
    const path = cursorMcpPath(sb.env);
    const plan = await prepare();
    expect(existsSync(path)).toBe(true);
    await plan.undo();
    expect(existsSync(path)).toBe(false);
    writeFileSync(path, "not json");
    const plan2 = await prepare();
    expect(readFileSync(path, "utf8")).toBe("not json");
    expect(plan2.notices.join("\n")).toMatch(/left it alone/);
  });

  it("after the wrapper is killed with -9, recoverJournals() restores the file", async () => {
    const path = cursorMcpPath(sb.env);
    mkdirSync(join(sb.home, ".cursor"), { recursive: true });
    writeFileSync(path, MINE);
    const before = hashTree(sb.home);
    const script = `
      const { cursor } = await import(${JSON.stringify(join(process.cwd(), "adapters", "cursor.ts"))});
      await cursor.prepare({ proxyUrl: "${PROXY_URL}", env: JSON.parse(process.env.SB_ENV), userArgs: [], mcp: ${JSON.stringify(MCP)}, dataDir: ${JSON.stringify(sb.dataDir)} });
      process.kill(process.pid, "SIGKILL");`;
    const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { env: { ...process.env, SB_ENV: JSON.stringify(sb.env) }, encoding: "utf8" });
    expect(r.signal, r.stderr).toBe("SIGKILL");
    expect(readFileSync(path, "utf8")).toContain("headroom");
    expect(recoverJournals(sb.dataDir)).toEqual([path]);
    expect(hashTree(sb.home)).toEqual(before);
    expect(recoverJournals(sb.dataDir)).toEqual([]);
  });

  it("recoverJournals() leaves the journal of a running wrapper alone", async () => {
    const plan = await prepare();
    expect(recoverJournals(sb.dataDir)).toEqual([]);
    await plan.undo();
  });
});
