import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, mkdirSync, statSync, chmodSync, lstatSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseTomlLite } from "../../adapters/toml-lite.js";
import { CODEX_MARKER, codexBlock, codexInstallEdit, codexUninstallEdit, installCodex, uninstallCodex } from "../../src/mcp/install-codex.js";

const SERVER = { command: "/opt/node/bin/node", args: ["/opt/lib/node_modules/headroom-cli/bin/headroom.js", "mcp", "serve"] };
const OTHER = { command: "/usr/local/bin/node", args: ["/home/me/headroom/bin/headroom.js", "mcp", "serve"] };

const FILES: Record<string, string> = {
  "comments and other tables": [
    "# my codex config",
    'model = "gpt-5"  # inline comment',
    "",
    "[model_providers.azure]",
    'base_url = "https://x.openai.azure.com/v1"',
    "",
    "[mcp_servers.github]",
    'command = "npx"',
    'args = ["-y", "@modelcontextprotocol/server-github"]',
    "",
  ].join("\n"),
  "CRLF line endings": '# crlf\r\nmodel = "o3"\r\n\r\n[profiles.fast]\r\nmodel = "gpt-5-mini"\r\n',
  "no trailing newline": 'model = "gpt-5"\n[tui]\nnotifications = true',
  "ends with a blank line": 'model = "gpt-5"\n\n',
  "only a comment": "# empty on purpose",
};

function roundTrip(text: string): { installed: string; restored: string | null | undefined } {
  const install = codexInstallEdit(text, SERVER);
  expect(install.status).toBe("installed");
  const installed = install.next as string;
  return { installed, restored: codexUninstallEdit(installed).next };
}

describe("codex config.toml: install then uninstall is byte-identical", () => {
  for (const [name, text] of Object.entries(FILES)) {
    it(name, () => {
      const { installed, restored } = roundTrip(text);
      expect(installed.startsWith(text)).toBe(true);
      expect(restored).toBe(text);
    });
  }

  it("the installed file parses as TOML with the server's command, and the user's keys unchanged", () => {
    const text = FILES["comments and other tables"] as string;
    const { installed } = roundTrip(text);
    const flat = parseTomlLite(installed);
    expect(flat.get("mcp_servers.headroom.command")).toBe(SERVER.command);
    expect(flat.get("model")).toBe("gpt-5");
    expect(flat.get("model_providers.azure.base_url")).toBe("https://x.openai.azure.com/v1");
    expect(installed).toContain(`args = ["${SERVER.args[0]}", "mcp", "serve"]`);
  });

  it("keeps CRLF in the lines it adds", () => {
    const { installed } = roundTrip(FILES["CRLF line endings"] as string);
    expect(installed.replace(/\r\n/g, "").includes("\n")).toBe(false);
  });

  it("separates the table from the user's last line with one blank line when the file ends with a newline", () => {
    const { installed } = roundTrip('model = "gpt-5"\n');
    expect(installed).toBe(`model = "gpt-5"\n\n${codexBlock(SERVER)}`);
  });

  it("removes its table but keeps what the user appended after it", () => {
    const text = 'model = "gpt-5"\n';
    const installed = codexInstallEdit(text, SERVER).next as string;
    const later = `${installed}\n[tui]\nnotifications = true\n`;
    expect(codexUninstallEdit(later).next).toBe(`${text}\n[tui]\nnotifications = true\n`);
  });
});

describe("codex config.toml: idempotence and ownership", () => {
  it("a second install changes nothing and says already installed", () => {
    const installed = codexInstallEdit(FILES["CRLF line endings"], SERVER).next as string;
    expect(codexInstallEdit(installed, SERVER)).toMatchObject({ status: "already-installed", next: undefined });
  });

  it("a table headroom wrote with another command is replaced in place of the old one", () => {
    const text = FILES["comments and other tables"] as string;
    const old = codexInstallEdit(text, OTHER).next as string;
    const updated = codexInstallEdit(old, SERVER);
    expect(updated.status).toBe("updated");
    expect(updated.next).toBe(codexInstallEdit(text, SERVER).next);
  });

  const userWritten: Record<string, string> = {
    "a [mcp_servers.headroom] table": 'model = "x"\n\n[mcp_servers.headroom]\ncommand = "headroom"\nargs = ["mcp", "serve"]\n',
    "a dotted key": 'mcp_servers.headroom.command = "headroom"\n',
    "an inline table in [mcp_servers]": '[mcp_servers]\nheadroom = { command = "headroom" }\n',
    "mcp_servers as an inline table": 'mcp_servers = { other = { command = "x" } }\n',
  };
  for (const [name, text] of Object.entries(userWritten)) {
    it(`${name} that headroom did not write is reported and left alone by install and uninstall`, () => {
      expect(codexInstallEdit(text, SERVER)).toMatchObject({ status: "conflict", next: undefined });
      expect(codexUninstallEdit(text)).toMatchObject({ status: "conflict", next: undefined });
    });
  }

  it("uninstall with nothing installed says so and changes nothing", () => {
    expect(codexUninstallEdit('model = "x"\n')).toMatchObject({ status: "not-installed", next: undefined });
    expect(codexUninstallEdit(undefined)).toMatchObject({ status: "not-installed", next: undefined });
  });

  it("the marker comment sits right above the table", () => {
    const block = codexBlock(SERVER);
    expect(block.split("\n").slice(0, 2)).toEqual([CODEX_MARKER, "[mcp_servers.headroom]"]);
  });
});

describe("codex on disk ($CODEX_HOME)", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it("creates config.toml when there is none and deletes it again on uninstall", async () => {
    dir = mkdtempSync(join(tmpdir(), "hr-codex-"));
    const env = { CODEX_HOME: join(dir, "codex"), HOME: dir };
    const path = join(dir, "codex", "config.toml");
    expect((await installCodex({ env, dataDir: dir, server: SERVER })).status).toBe("installed");
    expect(readFileSync(path, "utf8")).toBe(codexBlock(SERVER));
    expect((await uninstallCodex({ env })).status).toBe("removed");
    expect(existsSync(path)).toBe(false);
    expect((await uninstallCodex({ env })).status).toBe("not-installed");
  });

  it("keeps the file's bytes and mode across install, second install and uninstall", async () => {
    dir = mkdtempSync(join(tmpdir(), "hr-codex-"));
    mkdirSync(join(dir, ".codex"));
    const path = join(dir, ".codex", "config.toml");
    const text = FILES["CRLF line endings"] as string;
    writeFileSync(path, text);
    chmodSync(path, 0o640);
    const env = { HOME: dir };
    await installCodex({ env, dataDir: dir, server: SERVER });
    const once = readFileSync(path);
    expect((await installCodex({ env, dataDir: dir, server: SERVER })).status).toBe("already-installed");
    expect(readFileSync(path).equals(once)).toBe(true);
    await uninstallCodex({ env });
    expect(readFileSync(path, "utf8")).toBe(text);
    expect(statSync(path).mode & 0o777).toBe(0o640);
  });

  it("edits the file a symlinked config.toml points at and leaves the link in place (dotfiles)", async () => {
    dir = mkdtempSync(join(tmpdir(), "hr-codex-"));
    mkdirSync(join(dir, ".codex"));
    mkdirSync(join(dir, "dotfiles"));
    const target = join(dir, "dotfiles", "config.toml");
    const path = join(dir, ".codex", "config.toml");
    const text = FILES["comments and other tables"] as string;
    writeFileSync(target, text);
    symlinkSync(target, path);
    const env = { HOME: dir };
    expect((await installCodex({ env, dataDir: dir, server: SERVER })).status).toBe("installed");
    expect(lstatSync(path).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, "utf8")).toContain(CODEX_MARKER);
    expect((await uninstallCodex({ env })).status).toBe("removed");
    expect(lstatSync(path).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, "utf8")).toBe(text);
  });
});
