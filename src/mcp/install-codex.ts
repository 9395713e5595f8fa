// Codex: a `[mcp_servers.headroom]` table appended to $CODEX_HOME/config.toml (else
// ~/.codex/config.toml), byte for byte. The comment line above the table (MARKER) is how headroom
// knows the table is its own: a `[mcp_servers.headroom]` without it is the user's, reported and
// never touched. Install adds one line break before the block when the file is not empty (after a
// final newline that makes the blank line); uninstall removes the block and that one line break.
import { join } from "node:path";
import { homeOf } from "../../adapters/common.js";
import { splitKey, tomlString } from "../../adapters/toml-lite.js";
import type { Env } from "../../adapters/types.js";
import { describeCommand, editConfigFile, type FileEdit, eolOf, type InstallContext, type InstallStatus, type Outcome, type ServerCommand, type UninstallStatus } from "./install-common.js";

export const CODEX_MARKER = "# Added by `headroom mcp install`; `headroom mcp uninstall` removes this table.";
const HEADER = "[mcp_servers.headroom]";

export const codexConfigPath = (env: Env): string => join(env.CODEX_HOME ?? join(homeOf(env), ".codex"), "config.toml");

/** The lines install writes, each ended by `eol`. */
export function codexBlock(server: ServerCommand, eol = "\n"): string {
  const args = `[${server.args.map(tomlString).join(", ")}]`;
  return [CODEX_MARKER, HEADER, `command = ${tomlString(server.command)}`, `args = ${args}`, ""].join(eol);
}

interface Span {
  start: number;
  end: number;
}

// Lines with their start offsets; `end` includes the line break.
function lines(text: string): { text: string; start: number; end: number }[] {
  const out: { text: string; start: number; end: number }[] = [];
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf("\n", start);
    const end = nl < 0 ? text.length : nl + 1;
    out.push({ text: text.slice(start, end).replace(/\r?\n$/, ""), start, end });
    start = end;
  }
  return out;
}

const isHeader = (line: string): boolean => line.trimStart().startsWith("[");

/** headroom's block: the marker line, our header, and the non-blank lines of that table after it. */
export function findCodexBlock(text: string): Span | undefined {
  const ls = lines(text);
  for (let i = 0; i < ls.length; i++) {
    if ((ls[i]?.text ?? "") !== CODEX_MARKER || ls[i + 1]?.text.trim() !== HEADER) continue;
    let j = i + 2;
    while (j < ls.length && ls[j]?.text.trim() !== "" && !isHeader(ls[j]?.text ?? "")) j++;
    return { start: (ls[i] as { start: number }).start, end: (ls[j - 1] as { end: number }).end };
  }
  return undefined;
}

/**
 * Where the user's own configuration already defines `mcp_servers.headroom` (a table, a dotted
 * key, an inline table in `[mcp_servers]`) or makes `mcp_servers` an inline table we cannot add
 * to: the line number (1-based), else undefined. Call it on text without headroom's block.
 */
export function userDefinition(text: string): number | undefined {
  let table: string[] = [];
  const ls = lines(text);
  for (let i = 0; i < ls.length; i++) {
    const line = (ls[i]?.text ?? "").trim();
    if (line === "" || line.startsWith("#")) continue;
    if (line.startsWith("[")) {
      const inner = line.startsWith("[[") ? line.slice(2, line.indexOf("]]")) : line.slice(1, line.indexOf("]"));
      table = splitKey(inner) ?? [];
      if (table[0] === "mcp_servers" && table[1] === "headroom") return i + 1;
      continue;
    }
    const eq = line.indexOf("=");
    const key = eq > 0 ? splitKey(line.slice(0, eq)) : undefined;
    if (key === undefined) continue;
    const path = [...table, ...key];
    if (path[0] === "mcp_servers" && (path.length === 1 || path[1] === "headroom")) return i + 1;
  }
  return undefined;
}

/** `text` without headroom's block and the one line break install put before it. */
export function withoutCodexBlock(text: string, block: Span): string {
  let start = block.start;
  if (start > 0) start -= text.slice(0, start).endsWith("\r\n") ? 2 : 1;
  return text.slice(0, start) + text.slice(block.end);
}

/** What install does to `text` (undefined: no file). Pure, for tests. */
export function codexInstallEdit(text: string | undefined, server: ServerCommand): FileEdit<InstallStatus> {
  if (text === undefined || text === "") return { status: "installed", next: codexBlock(server), detail: `added [mcp_servers.headroom]: ${describeCommand(server)}` };
  const eol = eolOf(text);
  const block = findCodexBlock(text);
  const want = codexBlock(server, eol);
  if (block !== undefined && text.slice(block.start, block.end) === want) return { status: "already-installed", next: undefined, detail: "nothing changed" };
  const base = block === undefined ? text : withoutCodexBlock(text, block);
  const line = userDefinition(base);
  if (line !== undefined) {
    return { status: "conflict", next: undefined, detail: `line ${line} already defines mcp_servers.headroom (or an inline mcp_servers) that headroom did not write; left as it is` };
  }
  const next = base === "" ? codexBlock(server) : base + eol + want;
  return block === undefined
    ? { status: "installed", next, detail: `added [mcp_servers.headroom]: ${describeCommand(server)}` }
    : { status: "updated", next, detail: `updated headroom's [mcp_servers.headroom]: ${describeCommand(server)}` };
}

/** What uninstall does to `text`. Pure, for tests. */
export function codexUninstallEdit(text: string | undefined): FileEdit<UninstallStatus> {
  const block = text === undefined ? undefined : findCodexBlock(text);
  if (text === undefined || block === undefined) {
    const line = text === undefined ? undefined : userDefinition(text);
    return line === undefined
      ? { status: "not-installed", next: undefined, detail: "not installed" }
      : { status: "conflict", next: undefined, detail: `line ${line} defines mcp_servers.headroom without headroom's marker comment: yours, left as it is` };
  }
  const next = withoutCodexBlock(text, block);
  return { status: "removed", next: next === "" ? null : next, detail: "removed headroom's [mcp_servers.headroom]" };
}

export async function installCodex(ctx: InstallContext): Promise<Outcome<InstallStatus>> {
  return editConfigFile("codex", codexConfigPath(ctx.env), (text) => codexInstallEdit(text, ctx.server));
}

export async function uninstallCodex(ctx: Pick<InstallContext, "env">): Promise<Outcome<UninstallStatus>> {
  return editConfigFile("codex", codexConfigPath(ctx.env), (text) => codexUninstallEdit(text));
}
