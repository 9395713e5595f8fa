// `headroom doctor`: checks the install, the store, the optional resources, the agents and the
// settings in force, each ok / warn / fail with one line of detail. Read-only: the store is opened
// read-only after its header is checked, so a damaged file is reported exactly as it is.
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { styleText } from "node:util";
import type { Env } from "../../adapters/types.js";
import { JSON_SCHEMA_VERSION, VERSION } from "../version.js";
import type { Settings } from "./settings.js";

export type CheckStatus = "ok" | "warn" | "fail";

export interface Check {
  /** Stable id for scripts: node, install, sqlite, store, grammars, prose-model, agent:claude, settings. */
  readonly id: string;
  readonly status: CheckStatus;
  readonly detail: string;
}

export interface DoctorReport {
  readonly checks: readonly Check[];
  /** 0 when no check failed (warnings do not fail), else 1. */
  readonly exitCode: 0 | 1;
}

export interface DoctorOptions {
  /** Environment to resolve settings and find agents in (default process.env). */
  readonly env?: Env;
  /** How long an agent's `--version` may take (default 5 s). */
  readonly agentTimeoutMs?: number;
}

const check = (id: string, status: CheckStatus, detail: string): Check => ({ id, status, detail });
const message = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";

function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 5; depth++, dir = dirname(dir)) {
    try {
      if ((JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string }).name === "headroom-cli") return dir;
    } catch {
      // keep walking up
    }
  }
  return dir;
}

// `>=20.19` style ranges (what package.json declares); anything else is reported, not judged.
export function satisfiesMinimum(version: string, range: string): boolean | undefined {
  const min = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(range.trim());
  if (min === null) return undefined;
  const have = version.replace(/^v/, "").split(".").map(Number);
  for (let i = 0; i < 3; i++) {
    const a = have[i] ?? 0;
    const b = Number(min[i + 1] ?? 0);
    if (a !== b) return a > b;
  }
  return true;
}

function nodeCheck(root: string): Check {
  const engines = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { engines?: { node?: string } }).engines?.node ?? "";
  const ok = satisfiesMinimum(process.versions.node, engines);
  if (ok === false) return check("node", "fail", `Node ${process.versions.node} is older than headroom needs (${engines}); install a newer Node.`);
  return check("node", ok === undefined ? "warn" : "ok", `Node ${process.versions.node} (package needs ${engines || "any"})`);
}

function installCheck(root: string): Check {
  const built = join(root, "dist", "src", "cli", "main.js");
  if (!existsSync(built)) return check("install", "fail", `headroom ${VERSION} at ${root}: ${built} is missing; run \`npm run build\` (or reinstall).`);
  return check("install", "ok", `headroom ${VERSION} at ${root}, built CLI present`);
}

async function sqliteCheck(): Promise<Check> {
  try {
    const { default: Sqlite } = await import("better-sqlite3");
    const db = new Sqlite(":memory:");
    const version = db.prepare("select sqlite_version() as v").get() as { v: string };
    db.close();
    return check("sqlite", "ok", `better-sqlite3 loads (SQLite ${version.v})`);
  } catch (error) {
    return check("sqlite", "fail", `better-sqlite3 does not load: ${message(error)}. Reinstall headroom (npm rebuild better-sqlite3).`);
  }
}

const mode = (path: string): number => statSync(path).mode & 0o777;
const octal = (m: number): string => `0${m.toString(8)}`;
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(bytes < 1024 * 1024 ? 2 : 1)} MB`;

export function formatDuration(ms: number): string {
  for (const [unit, size] of [["d", 86_400_000], ["h", 3_600_000], ["m", 60_000]] as const) if (ms % size === 0 && ms >= size) return `${ms / size}${unit}`;
  return `${Math.round(ms / 1000)}s`;
}

async function storeCheck(settings: Settings): Promise<Check> {
  const path = settings.dbPath;
  const retention = `retention ${formatDuration(settings.retentionMs)}`;
  if (!existsSync(path)) return check("store", "ok", `${path} not created yet (made on first use), ${retention}`);
  const head = Buffer.alloc(16);
  const fd = openSync(path, "r");
  try {
    readSync(fd, head, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  const size = statSync(path).size;
  if (size > 0 && head.toString("latin1") !== "SQLite format 3\0") {
    return check("store", "fail", `${path} is not a SQLite database (left untouched): move it aside or delete it to start a fresh store.`);
  }
  const [{ default: Sqlite }, { latestVersion }] = await Promise.all([import("better-sqlite3"), import("../ccr/migrations.js")]);
  let schema: number;
  try {
    const db = new Sqlite(path, { readonly: true, fileMustExist: true });
    try {
      schema = db.pragma("user_version", { simple: true }) as number;
      db.prepare("select count(*) from sqlite_master").get();
    } finally {
      db.close();
    }
  } catch (error) {
    return check("store", "fail", `${path} cannot be read: ${message(error)} (left untouched).`);
  }
  const wal = existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0;
  const latest = latestVersion();
  const loose = [[path, 0o600], [settings.dataDir, 0o700]].filter(([p, want]) => (mode(p as string) & 0o077) !== 0 || mode(p as string) !== want);
  const modes = loose.length === 0 ? "modes 0600/0700" : `modes ${loose.map(([p, want]) => `${p} is ${octal(mode(p as string))} (want ${octal(want as number)})`).join(", ")}`;
  const detail = `${path}, schema ${schema}${schema === latest ? "" : ` (this headroom writes ${latest})`}, ${mb(size + wal)}, ${modes}, ${retention}`;
  if (schema > latest) return check("store", "fail", `${detail}: written by a newer headroom; upgrade headroom.`);
  return check("store", loose.length > 0 || schema < latest ? "warn" : "ok", detail + (schema < latest ? " (upgraded on next use)" : ""));
}

async function grammarsCheck(): Promise<Check> {
  try {
    const { loadGrammars, grammarStatus } = await import("../resources/grammars.js");
    await loadGrammars();
    const status = grammarStatus();
    const failed = status.grammars.filter((g) => g.state !== "loaded");
    if (status.runtimeError !== undefined) return check("grammars", "warn", `tree-sitter does not start: ${status.runtimeError}; code is compressed as plain text.`);
    const times = status.grammars.map((g) => `${g.language} ${g.state === "loaded" ? `${Math.round(g.loadMs ?? 0)} ms` : `failed: ${g.error ?? g.state}`}`).join(", ");
    const init = status.initMs !== undefined ? `runtime ${Math.round(status.initMs)} ms; ` : "";
    return check("grammars", failed.length > 0 ? "warn" : "ok", `${status.grammars.length - failed.length}/${status.grammars.length} loaded (${init}${times})`);
  } catch (error) {
    return check("grammars", "warn", `tree-sitter grammars unavailable: ${message(error)}; code is compressed as plain text.`);
  }
}

async function proseCheck(settings: Settings): Promise<Check> {
  const { proseModelStatus } = await import("../resources/prose-model.js");
  const s = await proseModelStatus(settings.proseModel);
  const runtime = s.runtime.importable ? `onnxruntime-node ${s.runtime.version ?? ""} importable`.replace("  ", " ") : "onnxruntime-node not importable";
  if (!s.configured) return check("prose-model", "ok", `not configured (HEADROOM_PROSE_MODEL / proseModel unset): extractive path; ${runtime}`);
  if (s.model?.loaded) return check("prose-model", "ok", `${s.dir} loads (${s.model.tokenizer ?? "?"} tokenizer): model path; ${runtime}`);
  return check("prose-model", "fail", `${s.dir} is configured but does not load: ${message(s.model?.error ?? "")}; prose falls back to the extractive path; ${runtime}`);
}

async function agentChecks(env: Env, timeoutMs: number): Promise<Check[]> {
  const [{ ADAPTER_NAMES, adapterFor }, { execa }] = await Promise.all([import("../../adapters/index.js"), import("execa")]);
  return Promise.all(
    ADAPTER_NAMES.map(async (name): Promise<Check> => {
      const adapter = adapterFor(name);
      const bin = adapter.findBinary(env);
      if (bin === undefined) return check(`agent:${name}`, "warn", `${adapter.displayName}: ${adapter.binaryNames.join(" / ")} not found on PATH. ${adapter.installHint}`);
      const r = await execa(bin, ["--version"], { env: { ...env } as Record<string, string>, extendEnv: false, stdin: "ignore", reject: false, timeout: timeoutMs });
      const version = String(r.stdout ?? "").trim().split("\n")[0] ?? "";
      if (r.exitCode !== 0 || version === "") {
        const why = r.timedOut ? `timed out after ${timeoutMs} ms` : `exit ${r.exitCode ?? r.signal}`;
        return check(`agent:${name}`, "warn", `${adapter.displayName}: ${bin} found but \`--version\` failed (${why})`);
      }
      return check(`agent:${name}`, "ok", `${adapter.displayName}: ${bin} (${version})`);
    }),
  );
}

function settingsCheck(s: Settings): Check {
  return check("settings", "ok", `mode ${s.mode}, data ${s.dataDir}, config ${s.configDir}, file reads ${s.fileReads} (exact below ${s.fileReadMinTokens} tokens)`);
}

/**
 * Runs every check and returns the report (nothing printed).
 * @example const report = await doctor({ env: process.env }); process.exitCode = report.exitCode;
 */
export async function doctor(options: DoctorOptions = {}): Promise<DoctorReport> {
  const env = options.env ?? process.env;
  const root = packageRoot();
  const checks: Check[] = [nodeCheck(root), installCheck(root), await sqliteCheck()];
  let settings: Settings | undefined;
  try {
    settings = await (await import("./settings.js")).resolveSettings({}, env as NodeJS.ProcessEnv);
  } catch (error) {
    checks.push(check("settings", "fail", message(error)));
  }
  if (settings !== undefined) {
    checks.push(await storeCheck(settings).catch((error: unknown) => check("store", "fail", message(error))));
    checks.push(await grammarsCheck());
    checks.push(await proseCheck(settings).catch((error: unknown) => check("prose-model", "fail", message(error))));
  }
  checks.push(...(await agentChecks(env, options.agentTimeoutMs ?? 5_000)));
  if (settings !== undefined) checks.push(settingsCheck(settings));
  return { checks, exitCode: checks.some((c) => c.status === "fail") ? 1 : 0 };
}

const COLORS: Record<CheckStatus, "green" | "yellow" | "red"> = { ok: "green", warn: "yellow", fail: "red" };

/** The report as text lines; colour only where util.styleText allows it on `stream`. */
export function formatDoctor(report: DoctorReport, stream: NodeJS.WriteStream = process.stdout): string {
  const width = Math.max(...report.checks.map((c) => c.id.length));
  const lines = report.checks.map((c) => `${styleText(COLORS[c.status], c.status.padEnd(4), { stream })}  ${c.id.padEnd(width)}  ${c.detail}`);
  const failed = report.checks.filter((c) => c.status === "fail").length;
  const warned = report.checks.filter((c) => c.status === "warn").length;
  lines.push("", `${failed} failed, ${warned} warning${warned === 1 ? "" : "s"}, ${report.checks.length - failed - warned} ok`);
  return `${lines.join("\n")}\n`;
}

/** `headroom doctor [--json]`. */
export async function doctorCommand(options: { json?: boolean } = {}): Promise<number> {
  const report = await doctor();
  if (options.json) process.stdout.write(`${JSON.stringify({ version: JSON_SCHEMA_VERSION, headroom: VERSION, ok: report.exitCode === 0, checks: report.checks }, null, 2)}\n`);
  else process.stdout.write(formatDoctor(report));
  return report.exitCode;
}
