// Claude Code: `claude mcp add --scope user headroom -- <command>`, Claude's own mechanism, which
// stores the entry under `mcpServers` in ~/.claude.json ($CLAUDE_CONFIG_DIR/.claude.json when set).
// Measured on 2.1.331: `mcp add` and `mcp remove` rewrite that whole file (reindented, and the
// fields Claude keeps up to date on every run added: firstStartTime, machineID, userID,
// migrationVersion...). So install remembers the file as it was (in headroom's data dir, 0600) and
// a hash of the file as `mcp add` left it; uninstall puts the old bytes back when nothing touched the
// file since, and otherwise takes out only the headroom member's bytes (json-edit.ts), leaving what
// Claude or the user wrote in between as it is.
import { createHash } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { claude } from "../../adapters/claude.js";
import { homeOf } from "../../adapters/common.js";
import type { Env } from "../../adapters/types.js";
import { memberOf, objectValue, removeMember, rootObject } from "./json-edit.js";
import { describeCommand, looksLikeOurs, sameCommand, SERVER_NAME, writeAtomic, type InstallContext, type InstallStatus, type Outcome, type UninstallStatus } from "./install-common.js";

export const claudeConfigPath = (env: Env): string => (env.CLAUDE_CONFIG_DIR ? join(env.CLAUDE_CONFIG_DIR, ".claude.json") : join(homeOf(env), ".claude.json"));

/** Where install keeps what it needs to undo itself exactly. */
export const claudeRecordPath = (dataDir: string): string => join(dataDir, "mcp-install", "claude.json");

interface Record1 {
  version: 1;
  /** The config file the record is about. */
  path: string;
  /** The file before install, base64; null: it did not exist; absent: not kept (see below). */
  before?: string | null;
  /** sha256 of the file right after `claude mcp add`. */
  afterSha256: string;
}

function readBytes(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}
const sha256 = (data: string | Buffer): string => createHash("sha256").update(data).digest("hex");
const CLAUDE_TIMEOUT_MS = 30_000;

/** The user-scope `mcpServers.headroom` entry of the config text, with its position. */
function userEntry(text: string): { entry: unknown; remove: () => string } | undefined {
  JSON.parse(text);
  const root = rootObject(text);
  const m = memberOf(root, "mcpServers");
  const servers = m === undefined ? undefined : objectValue(text, m);
  const index = servers?.members.findLastIndex((s) => s.key === SERVER_NAME) ?? -1;
  if (servers === undefined || index < 0) return undefined;
  const span = servers.members[index] as { valueStart: number; valueEnd: number };
  return { entry: JSON.parse(text.slice(span.valueStart, span.valueEnd)), remove: () => removeMember(text, servers, index) };
}

function readRecord(dataDir: string): Record1 | undefined {
  try {
    const r = JSON.parse(readFileSync(claudeRecordPath(dataDir), "utf8")) as Record1;
    return r.version === 1 ? r : undefined;
  } catch {
    return undefined;
  }
}

async function runClaude(bin: string, args: string[], env: Env): Promise<{ ok: boolean; output: string }> {
  const r = await execa(bin, args, { env: { ...env } as Record<string, string>, extendEnv: false, stdin: "ignore", reject: false, timeout: CLAUDE_TIMEOUT_MS, all: true });
  return { ok: r.exitCode === 0, output: String(r.all ?? "").trim().split("\n").at(-1) ?? "" };
}

export async function installClaude(ctx: InstallContext): Promise<Outcome<InstallStatus>> {
  const path = claudeConfigPath(ctx.env);
  const out = (status: InstallStatus, detail: string): Outcome<InstallStatus> => ({ agent: "claude", status, detail, path });
  const beforeBytes = readBytes(path);
  const before = beforeBytes?.toString("utf8");
  let current: ReturnType<typeof userEntry>;
  try {
    current = before === undefined ? undefined : userEntry(before);
  } catch (error) {
    return out("failed", `not valid JSON (${(error as Error).message}); left as it is`);
  }
  if (current !== undefined) {
    if (!looksLikeOurs(current.entry)) return out("conflict", "a user-scope MCP server named headroom that headroom did not write is there; left as it is");
    if (sameCommand(current.entry, ctx.server)) return out("already-installed", "nothing changed");
  }
  if (ctx.binary === undefined) return out("skipped", `claude is not on PATH. ${claude.installHint}`);
  // An older headroom entry (another node, another install) is replaced: Claude refuses to add over it.
  if (current !== undefined) writeAtomic(path, current.remove());
  const added = await runClaude(ctx.binary, ["mcp", "add", "--scope", "user", SERVER_NAME, "--", ctx.server.command, ...ctx.server.args], ctx.env);
  const afterBytes = readBytes(path);
  const after = afterBytes?.toString("utf8");
  let now: ReturnType<typeof userEntry>;
  try {
    now = after === undefined ? undefined : userEntry(after);
  } catch {
    now = undefined;
  }
  if (!added.ok || after === undefined || now === undefined || !sameCommand(now.entry, ctx.server)) {
    return out("failed", `claude mcp add did not register it${added.output ? `: ${added.output}` : ""}`);
  }
  const record: Record1 = { version: 1, path, afterSha256: sha256(afterBytes as Buffer) };
  // A file that may hold a credential is not copied: uninstall then removes the entry alone.
  if (before === undefined || !mayHoldSecrets(before)) record.before = beforeBytes === undefined ? null : beforeBytes.toString("base64");
  writeAtomic(claudeRecordPath(ctx.dataDir), JSON.stringify(record));
  return out(current === undefined ? "installed" : "updated", `claude mcp add --scope user headroom -- ${describeCommand(ctx.server)}`);
}

// An API key, a non-empty `env` or `headers` object (MCP servers' tokens live there), or any string
// under a key that names a token, secret, password, API key or authorization.
const SECRET_RE = /"(?:primaryApiKey|env|headers)"\s*:\s*(?:\{\s*"|"[^"])|"[^"]*(?:token|secret|passw|api[_-]?key|authoriz)[^"]*"\s*:\s*"[^"]/i;

/** True when ~/.claude.json text may hold a credential, so install keeps no copy of it. */
export function mayHoldSecrets(text: string): boolean {
  return SECRET_RE.test(text);
}

export async function uninstallClaude(ctx: Pick<InstallContext, "env" | "dataDir">): Promise<Outcome<UninstallStatus>> {
  const path = claudeConfigPath(ctx.env);
  const out = (status: UninstallStatus, detail: string): Outcome<UninstallStatus> => ({ agent: "claude", status, detail, path });
  const bytes = readBytes(path);
  const text = bytes?.toString("utf8");
  const record = readRecord(ctx.dataDir);
  const forget = (): void => rmSync(claudeRecordPath(ctx.dataDir), { force: true });
  let current: ReturnType<typeof userEntry>;
  try {
    current = text === undefined ? undefined : userEntry(text);
  } catch (error) {
    return out("failed", `not valid JSON (${(error as Error).message}); left as it is`);
  }
  if (text === undefined || current === undefined) {
    if (record?.path === path) forget();
    return out("not-installed", "not installed");
  }
  if (!looksLikeOurs(current.entry)) return out("conflict", "the user-scope MCP server named headroom does not run `headroom mcp serve`: yours, left as it is");
  if (record?.path === path && record.before !== undefined && record.afterSha256 === sha256(bytes as Buffer)) {
    if (record.before === null) rmSync(path, { force: true });
    else writeAtomic(path, Buffer.from(record.before, "base64"));
    forget();
    return out("removed", "restored the file as it was before install (unchanged since)");
  }
  writeAtomic(path, current.remove());
  if (record?.path === path) forget();
  return out("removed", "removed mcpServers.headroom (the rest of the file as it is now)");
}
