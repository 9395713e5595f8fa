// Helpers every adapter uses: PATH search, NO_PROXY, flag detection, URL shapes, the
// not-found error. No agent knowledge lives here.
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import { HeadroomError } from "../src/errors.js";
import type { Adapter, Env, LaunchPlan } from "./types.js";

export const AdapterErrorCodes = {
  /** `headroom wrap X` with an X no adapter handles. */
  UnknownAgent: "HR_UNKNOWN_AGENT",
  /** The agent's executable is not on PATH (or `--bin` is not an executable file). */
  AgentNotFound: "HR_AGENT_NOT_FOUND",
} as const;

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** First `names[i]` found in `env.PATH` as an executable file (PATHEXT on Windows), absolute. */
export function findOnPath(names: readonly string[], env: Env): string | undefined {
  const dirs = (env.PATH ?? env.Path ?? "").split(delimiter).filter((d) => d !== "");
  const exts = process.platform === "win32" ? (env.PATHEXT ?? ".EXE;.CMD;.BAT").split(";") : [""];
  for (const name of names) {
    for (const dir of dirs) {
      for (const ext of exts) {
        const candidate = resolve(dir, name + ext);
        if (isExecutableFile(candidate)) return candidate;
      }
    }
  }
  return undefined;
}

/** The `findBinary` shared by all adapters: an override wins, then PATH. */
export function findBinaryFor(names: readonly string[], env: Env, override?: string): string | undefined {
  if (override !== undefined) {
    const path = isAbsolute(override) ? override : resolve(override);
    return isExecutableFile(path) ? path : undefined;
  }
  return findOnPath(names, env);
}

/** Resolves the binary or throws HR_AGENT_NOT_FOUND with the install hint. */
export function requireBinary(adapter: Adapter, env: Env, override?: string): string {
  const bin = adapter.findBinary(env, override);
  if (bin !== undefined) return bin;
  const where = override !== undefined ? `--bin ${override} is not an executable file` : `${adapter.binaryNames.join(" / ")} is not on PATH`;
  throw new HeadroomError(
    AdapterErrorCodes.AgentNotFound,
    `${adapter.displayName} not found: ${where}. ${adapter.installHint} (or pass --bin PATH).`,
  );
}

const LOOPBACK = ["127.0.0.1", "localhost", "::1"];

/** `list` (comma-separated) with the loopback names appended where missing. */
export function withLoopback(list: string | undefined): string {
  const items = (list ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "");
  for (const host of LOOPBACK) if (!items.includes(host)) items.push(host);
  return items.join(",");
}

/**
 * A copy of `env` without undefined values, loopback added to NO_PROXY and no_proxy (both, since
 * tools disagree on the case), then `extra` applied.
 */
export function planEnv(env: Env, extra: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  const merged = withLoopback([env.NO_PROXY, env.no_proxy].filter((v) => v !== undefined && v !== "").join(","));
  out.NO_PROXY = merged;
  out.no_proxy = merged;
  return Object.assign(out, extra);
}

/** Trailing slashes removed. */
export const trimSlash = (u: string): string => u.replace(/\/+$/, "");
/** OpenAI style: the URL ending in `/v1` exactly once. */
export const withV1 = (u: string): string => (/\/v1$/.test(trimSlash(u)) ? trimSlash(u) : `${trimSlash(u)}/v1`);

/**
 * The value of `--name VALUE` / `--name=VALUE` (any of `names`) in argv, last one wins; arguments
 * after a `--` terminator are not flags. `undefined` when absent.
 */
export function flagValue(args: readonly string[], names: readonly string[]): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === "--") break;
    for (const n of names) {
      if (a === n && i + 1 < args.length) found = args[i + 1];
      else if (a.startsWith(`${n}=`)) found = a.slice(n.length + 1);
    }
  }
  return found;
}

/** Every value of a repeatable flag (`-c a=1 -c b=2`), in order. */
export function flagValues(args: readonly string[], names: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === "--") break;
    for (const n of names) {
      if (a === n && i + 1 < args.length) out.push(args[++i] as string);
      else if (a.startsWith(`${n}=`)) out.push(a.slice(n.length + 1));
    }
  }
  return out;
}

/** Whether a flag (`--x`, `--x=...`) appears before any `--` terminator. */
export function hasFlag(args: readonly string[], names: readonly string[]): boolean {
  for (const a of args) {
    if (a === "--") return false;
    if (names.some((n) => a === n || a.startsWith(`${n}=`))) return true;
  }
  return false;
}

/**
 * The user's args with `ours` appended, but before a `--` terminator if there is one. Appending
 * (rather than prepending) keeps a variadic option of ours (claude `--mcp-config <configs...>`)
 * from swallowing the user's positional prompt.
 */
export function appendFlags(userArgs: readonly string[], ours: readonly string[]): string[] {
  const end = userArgs.indexOf("--");
  if (end < 0) return [...userArgs, ...ours];
  return [...userArgs.slice(0, end), ...ours, ...userArgs.slice(end)];
}

/** A plan with nothing to undo. */
export function envOnlyPlan(p: Omit<LaunchPlan, "undo">): LaunchPlan {
  return { ...p, undo: async () => {} };
}

/** A host is loopback (the proxy itself, a local gateway). */
export function isLoopbackUrl(url: string): boolean {
  try {
    const h = new URL(url).hostname.replace(/^\[|\]$/g, "");
    return h === "localhost" || h === "::1" || /^127\./.test(h);
  } catch {
    return false;
  }
}

/** The user's home for an env (HOME, else USERPROFILE). */
export function homeOf(env: Env): string {
  return env.HOME ?? env.USERPROFILE ?? join("/", "nonexistent-home");
}
