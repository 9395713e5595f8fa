import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { installClaude, uninstallClaude } from "../../src/mcp/install-claude.js";
import { codexBlock } from "../../src/mcp/install-codex.js";
import { defaultServerCommand, installMcp, uninstallMcp } from "../../src/mcp/install.js";

const SERVER = { command: "/opt/node/bin/node", args: ["/opt/headroom-cli/bin/headroom.js", "mcp", "serve"] };

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function home(): { env: Record<string, string>; bin: string; dataDir: string } {
  dir = mkdtempSync(join(tmpdir(), "hr-mcp-install-"));
  const bin = join(dir, "bin");
  mkdirSync(bin);
  return { env: { HOME: dir, PATH: bin }, bin, dataDir: join(dir, "data") };
}

describe("installMcp / uninstallMcp", () => {
  it("without --agent: installs for the agents found on PATH and says why the others were skipped", async () => {
    const { env, bin, dataDir } = home();
    writeFileSync(join(bin, "codex"), "#!/bin/sh\n", { mode: 0o755 });
    const results = await installMcp({ env, dataDir, server: SERVER });
    expect(results.map((r) => [r.agent, r.status])).toEqual([["claude", "skipped"], ["codex", "installed"], ["copilot", "skipped"]]);
    expect(results[0]?.detail).toContain("npm install -g @anthropic-ai/claude-code");
    expect(readFileSync(join(dir as string, ".codex", "config.toml"), "utf8")).toBe(codexBlock(SERVER));
    const removed = await uninstallMcp({ env, dataDir });
    expect(removed.map((r) => [r.agent, r.status])).toEqual([["claude", "not-installed"], ["codex", "removed"], ["copilot", "not-installed"]]);
    expect(existsSync(join(dir as string, ".codex", "config.toml"))).toBe(false);
  });

  it("the default command is this Node and this package's bin/headroom.js, absolute", () => {
    const c = defaultServerCommand();
    expect(c.command).toMatch(/^\//);
    expect(c.args.slice(1)).toEqual(["mcp", "serve"]);
    expect(c.args[0]).toMatch(/\/bin\/headroom\.js$/);
  });
});

describe("claude (no binary needed for these paths)", () => {
  const config = (servers: Record<string, unknown>): string => `${JSON.stringify({ numStartups: 2, mcpServers: servers }, null, 2)}\n`;

  it("a user-scope headroom entry that headroom did not write is reported, not replaced or removed", async () => {
    const { env, dataDir } = home();
    const path = join(dir as string, ".claude.json");
    const text = config({ headroom: { type: "stdio", command: "/usr/local/bin/my-headroom", args: [] } });
    writeFileSync(path, text);
    expect((await installClaude({ env, dataDir, server: SERVER, binary: "/bin/false" })).status).toBe("conflict");
    expect((await uninstallClaude({ env, dataDir })).status).toBe("conflict");
    expect(readFileSync(path, "utf8")).toBe(text);
  });

  it("already registered with the same command: nothing runs, nothing changes", async () => {
    const { env, dataDir } = home();
    const path = join(dir as string, ".claude.json");
    const text = config({ headroom: { type: "stdio", command: SERVER.command, args: SERVER.args, env: {} } });
    writeFileSync(path, text);
    expect((await installClaude({ env, dataDir, server: SERVER, binary: "/bin/false" })).status).toBe("already-installed");
    expect(readFileSync(path, "utf8")).toBe(text);
  });

  it("without an install record (or after Claude rewrote the file), uninstall removes only headroom's member", async () => {
    const { env, dataDir } = home();
    const path = join(dir as string, ".claude.json");
    const mine = { notes: { type: "stdio", command: "/usr/bin/true", args: [] } };
    writeFileSync(path, config({ ...mine, headroom: { type: "stdio", command: SERVER.command, args: SERVER.args, env: {} } }));
    expect((await uninstallClaude({ env, dataDir })).status).toBe("removed");
    expect(readFileSync(path, "utf8")).toBe(config(mine));
  });

  it("CLAUDE_CONFIG_DIR moves the file", async () => {
    const { env, dataDir } = home();
    const cfg = join(dir as string, "cfg");
    mkdirSync(cfg);
    writeFileSync(join(cfg, ".claude.json"), config({ headroom: { type: "stdio", command: "x", args: [] } }));
    const r = await installClaude({ env: { ...env, CLAUDE_CONFIG_DIR: cfg }, dataDir, server: SERVER });
    expect(r).toMatchObject({ status: "conflict", path: join(cfg, ".claude.json") });
  });
});

describe("claude install record", () => {
  it("keeps no copy of a ~/.claude.json that may hold a credential", async () => {
    const { mayHoldSecrets } = await import("../../src/mcp/install-claude.js");
    expect(mayHoldSecrets('{ "primaryApiKey": "sk-ant-x" }')).toBe(true);
    expect(mayHoldSecrets('{ "mcpServers": { "gh": { "command": "gh-mcp", "env": { "GITHUB_TOKEN": "ghp_x" } } } }')).toBe(true);
    expect(mayHoldSecrets('{ "mcpServers": { "api": { "type": "http", "url": "u", "headers": { "X-Key": "k" } } } }')).toBe(true);
    expect(mayHoldSecrets('{ "someAccessToken": "abc" }')).toBe(true);
    // What a fresh Claude Code config looks like: nothing secret, the copy may be kept.
    expect(mayHoldSecrets('{ "numStartups": 3, "theme": "dark", "mcpServers": { "docs": { "command": "docs-mcp", "args": [], "env": {} } }, "userID": "f00" }')).toBe(false);
  });
});
