// What the per-agent installers share: the command they register, how they recognise an entry
// headroom wrote, outcomes, and atomic file writes that keep the file's mode.
import { randomBytes } from "node:crypto";
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Env } from "../../adapters/types.js";

export type McpAgent = "claude" | "codex" | "copilot";
export const MCP_AGENTS: readonly McpAgent[] = ["claude", "codex", "copilot"];

/** The name the server is registered under with every agent. */
export const SERVER_NAME = "headroom";

/** How an agent starts `headroom mcp serve`. */
export interface ServerCommand {
  readonly command: string;
  readonly args: readonly string[];
}

export type InstallStatus = "installed" | "updated" | "already-installed" | "conflict" | "skipped" | "failed";
export type UninstallStatus = "removed" | "not-installed" | "conflict" | "failed";

export interface Outcome<S extends string> {
  readonly agent: McpAgent;
  readonly status: S;
  /** One line for humans. */
  readonly detail: string;
  /** The file holding the registration. */
  readonly path?: string;
}

export interface InstallContext {
  readonly env: Env;
  readonly server: ServerCommand;
  /** headroom's data dir (claude keeps its install record there). */
  readonly dataDir: string;
  /** The agent's executable, when found. */
  readonly binary?: string;
}

/**
 * The command every agent gets: this Node binary and this package's bin/headroom.js, both
 * absolute and with symlinks resolved, so the registration keeps working whatever PATH the agent
 * has (a global npm install, nvm, a checkout). Reinstall after moving either.
 */
export function defaultServerCommand(): ServerCommand {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 5; depth++) {
    const bin = join(dir, "bin", "headroom.js");
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string };
      if (pkg.name === "headroom-cli" && existsSync(bin)) return { command: realpathSync(process.execPath), args: [realpathSync(bin), "mcp", "serve"] };
    } catch {
      // not the package root: keep walking up
    }
    dir = dirname(dir);
  }
  return { command: "headroom", args: ["mcp", "serve"] };
}

/** The command and args of an MCP entry, when it has that shape. */
export function entryCommand(entry: unknown): ServerCommand | undefined {
  if (typeof entry !== "object" || entry === null) return undefined;
  const { command, args } = entry as { command?: unknown; args?: unknown };
  if (typeof command !== "string") return undefined;
  const list = Array.isArray(args) ? args : [];
  return list.every((a) => typeof a === "string") ? { command, args: list as string[] } : undefined;
}

/** An entry that runs `headroom mcp serve` (any headroom install): ours to update or remove. */
export function looksLikeOurs(entry: unknown): boolean {
  const c = entryCommand(entry);
  if (c === undefined) return false;
  const [mcp, serve] = c.args.slice(-2);
  if (mcp !== "mcp" || serve !== "serve") return false;
  return /^headroom(\.cmd|\.exe)?$/.test(basename(c.command)) || c.args.some((a) => basename(a) === "headroom.js");
}

export function sameCommand(entry: unknown, server: ServerCommand): boolean {
  const c = entryCommand(entry);
  return c !== undefined && c.command === server.command && JSON.stringify(c.args) === JSON.stringify(server.args);
}

export const describeCommand = (s: ServerCommand): string => [s.command, ...s.args].join(" ");

/** The file's bytes as text, or undefined when it does not exist. */
export function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * Replaces `path` atomically (temp file + rename), keeping an existing file's mode. A symlinked
 * file (dotfiles) is written where the link points, so the link stays.
 */
export function writeAtomic(link: string, data: string | Buffer, newFileMode = 0o600): void {
  const path = existsSync(link) ? realpathSync(link) : link;
  mkdirSync(dirname(path), { recursive: true });
  const mode = existsSync(path) ? statSync(path).mode & 0o7777 : newFileMode;
  const tmp = `${path}.headroom-${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
  const fd = openSync(tmp, "w", mode);
  try {
    writeFileSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}

/** A planned change to an agent's config file, made from its text alone (pure, testable). */
export interface FileEdit<S extends InstallStatus | UninstallStatus> {
  readonly status: S;
  /** The new file content; undefined: leave the file as it is; null: delete it (install created it). */
  readonly next: string | undefined | null;
  readonly detail: string;
}

/** Plans an edit from the file's current text, applies it, and reports it as the agent's outcome. */
export function editConfigFile<S extends InstallStatus | UninstallStatus>(agent: McpAgent, path: string, plan: (text: string | undefined) => FileEdit<S>): Outcome<S> {
  const edit = plan(readText(path));
  if (edit.next === null) rmSync(path, { force: true });
  else if (edit.next !== undefined) writeAtomic(path, edit.next);
  return { agent, status: edit.status, detail: edit.detail, path };
}

export const eolOf = (text: string): string => (text.includes("\r\n") ? "\r\n" : "\n");
