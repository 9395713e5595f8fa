import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { copilotEntry, copilotInstallEdit, copilotUninstallEdit, installCopilot, uninstallCopilot } from "../../src/mcp/install-copilot.js";

const SERVER = { command: "/opt/node/bin/node", args: ["/opt/lib/node_modules/headroom-cli/bin/headroom.js", "mcp", "serve"] };
const OTHER = { command: "/usr/bin/node", args: ["/src/headroom/bin/headroom.js", "mcp", "serve"] };

const FILES: Record<string, string> = {
  "as copilot writes it": `{\n  "mcpServers": {\n    "x": {\n      "tools": [\n        "*"\n      ],\n      "type": "local",\n      "command": "a",\n      "args": []\n    }\n  }\n}\n`,
  "compact, no trailing newline": `{"mcpServers":{"x":{"type":"local","command":"a","args":[],"tools":["*"]}}}`,
  "CRLF and tabs": `{\r\n\t"mcpServers": {\r\n\t\t"x": {"command": "a"}\r\n\t},\r\n\t"other": [1, 2, {"y": "}"}]\r\n}\r\n`,
  "no mcpServers": `{\n  "theme": "dark"\n}\n`,
  "empty object": `{}`,
  "empty mcpServers": `{ "mcpServers": {} }\n`,
  "escaped strings": `{"a": "quote \\" and \\\\", "mcpServers": {"k\\"ey": {"command": "b"}}}`,
};

describe("copilot mcp-config.json: install then uninstall is byte-identical", () => {
  for (const [name, text] of Object.entries(FILES)) {
    it(name, () => {
      const install = copilotInstallEdit(text, SERVER);
      expect(install.status).toBe("installed");
      const installed = install.next as string;
      const parsed = JSON.parse(installed) as { mcpServers: Record<string, unknown> };
      expect(parsed.mcpServers.headroom).toEqual(copilotEntry(SERVER));
      // every key the user had is still there, with its value
      const before = JSON.parse(text) as Record<string, unknown>;
      for (const [k, v] of Object.entries(before)) {
        if (k !== "mcpServers") expect((parsed as Record<string, unknown>)[k]).toEqual(v);
        else for (const [s, e] of Object.entries(v as object)) expect(parsed.mcpServers[s]).toEqual(e);
      }
      expect(copilotUninstallEdit(installed)).toMatchObject({ status: "removed", next: text });
    });
  }

  it("keeps CRLF in what it adds", () => {
    const installed = copilotInstallEdit(FILES["CRLF and tabs"], SERVER).next as string;
    expect(installed.replace(/\r\n/g, "").includes("\n")).toBe(false);
  });

  it("a second install changes nothing; another headroom command is updated", () => {
    const text = FILES["as copilot writes it"] as string;
    const installed = copilotInstallEdit(text, SERVER).next as string;
    expect(copilotInstallEdit(installed, SERVER)).toMatchObject({ status: "already-installed", next: undefined });
    const old = copilotInstallEdit(text, OTHER).next as string;
    expect(copilotInstallEdit(old, SERVER)).toMatchObject({ status: "updated", next: installed });
  });

  it("an entry named headroom that does not run headroom mcp serve is the user's: left alone", () => {
    const text = `{"mcpServers":{"headroom":{"type":"local","command":"my-headroom-fork","args":[]}}}`;
    expect(copilotInstallEdit(text, SERVER)).toMatchObject({ status: "conflict", next: undefined });
    expect(copilotUninstallEdit(text)).toMatchObject({ status: "conflict", next: undefined });
  });

  it("a file that is not JSON is reported and left as it is", () => {
    expect(copilotInstallEdit("{ not json", SERVER)).toMatchObject({ status: "failed", next: undefined });
    expect(copilotUninstallEdit("{ not json")).toMatchObject({ status: "failed", next: undefined });
  });

  it("keeps a member the user added after headroom's when uninstalling", () => {
    const text = FILES["as copilot writes it"] as string;
    const installed = copilotInstallEdit(text, SERVER).next as string;
    const later = installed.replace(/\n  }\n}\n$/, `,\n    "later": {"command": "z"}\n  }\n}\n`);
    const after = JSON.parse(copilotUninstallEdit(later).next as string) as { mcpServers: Record<string, unknown> };
    expect(Object.keys(after.mcpServers)).toEqual(["x", "later"]);
  });
});

describe("copilot on disk ($COPILOT_HOME)", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it("creates mcp-config.json when missing, is idempotent, and uninstall deletes the file it created", async () => {
    dir = mkdtempSync(join(tmpdir(), "hr-copilot-"));
    const env = { HOME: dir, COPILOT_HOME: join(dir, "ch") };
    const path = join(dir, "ch", "mcp-config.json");
    expect((await installCopilot({ env, dataDir: dir, server: SERVER })).status).toBe("installed");
    const once = readFileSync(path);
    expect((await installCopilot({ env, dataDir: dir, server: SERVER })).status).toBe("already-installed");
    expect(readFileSync(path).equals(once)).toBe(true);
    expect((await uninstallCopilot({ env })).status).toBe("removed");
    expect(existsSync(path)).toBe(false);
    expect((await uninstallCopilot({ env })).status).toBe("not-installed");
  });
});
