// Settings resolved once at the edge: flags > env > config file > defaults. Commands pass the
// resulting plain object down; nothing below src/cli reads env or the config file.
import { resolveHome } from "../config/home.js";
import { parseDuration } from "./duration.js";
import { HeadroomError } from "../errors.js";

export type Mode = "compress" | "measure" | "off";

export interface Settings {
  readonly dataDir: string;
  readonly configDir: string;
  readonly dbPath: string;
  readonly retentionMs: number;
  readonly storeMaxBytes: number;
  readonly mode: Mode;
  /** How file reads (what an agent edits against) are treated; see src/pipeline/read-policy.ts. */
  readonly fileReads: FileReadMode;
  /** Reads below this many estimated tokens stay exact under "large". */
  readonly fileReadMinTokens: number;
  /** Directory of the optional prose model (model.onnx + tokenizer.json); undefined: extractive path. */
  readonly proseModel: string | undefined;
}

export type FileReadMode = "exact" | "large";
const FILE_READ_MODES: readonly FileReadMode[] = ["exact", "large"];

export interface SettingFlags {
  readonly retention?: string;
  readonly mode?: string;
}

const DEFAULTS = { retention: "7d", storeMaxMb: 512, mode: "compress" as Mode, fileReads: "large" as FileReadMode, fileReadMinTokens: 2000 };
const MODES: readonly Mode[] = ["compress", "measure", "off"];

export async function resolveSettings(flags: SettingFlags = {}, env: NodeJS.ProcessEnv = process.env): Promise<Settings> {
  const home = resolveHome(env);
  const file = await readConfigFile(home.configDir);
  const retention = flags.retention ?? env.HEADROOM_RETENTION ?? stringOf(file.retention) ?? DEFAULTS.retention;
  const maxMb = Number(env.HEADROOM_STORE_MAX_MB ?? file.storeMaxMb ?? DEFAULTS.storeMaxMb);
  const mode = flags.mode ?? env.HEADROOM_MODE ?? stringOf(file.mode) ?? DEFAULTS.mode;
  if (!MODES.includes(mode as Mode)) {
    throw new HeadroomError("HR_BAD_OPTION", `Unknown mode "${mode}": expected one of ${MODES.join(", ")} (--mode or HEADROOM_MODE).`);
  }
  const fileReads = env.HEADROOM_FILE_READS ?? stringOf(file.fileReads) ?? DEFAULTS.fileReads;
  if (!FILE_READ_MODES.includes(fileReads as FileReadMode)) {
    throw new HeadroomError("HR_BAD_OPTION", `Unknown file-read mode "${fileReads}": expected one of ${FILE_READ_MODES.join(", ")} (HEADROOM_FILE_READS).`);
  }
  const fileReadMinTokens = Number(env.HEADROOM_FILE_READ_MIN_TOKENS ?? file.fileReadMinTokens ?? DEFAULTS.fileReadMinTokens);
  if (!Number.isInteger(fileReadMinTokens) || fileReadMinTokens < 0) {
    throw new HeadroomError("HR_BAD_OPTION", `HEADROOM_FILE_READ_MIN_TOKENS must be a whole number of tokens, got "${fileReadMinTokens}".`);
  }
  const proseModel = env.HEADROOM_PROSE_MODEL ?? stringOf(file.proseModel);
  if (!Number.isFinite(maxMb) || maxMb <= 0) {
    throw new HeadroomError("HR_BAD_OPTION", `HEADROOM_STORE_MAX_MB must be a positive number of megabytes, got "${maxMb}".`);
  }
  return {
    ...home,
    retentionMs: parseDuration(retention, "retention"),
    storeMaxBytes: Math.round(maxMb * 1024 * 1024),
    mode: mode as Mode,
    fileReads: fileReads as FileReadMode,
    fileReadMinTokens,
    proseModel: proseModel === "" ? undefined : proseModel,
  };
}

// The optional config file (managed by conf) lives in the config dir; absent means defaults.
async function readConfigFile(configDir: string): Promise<Record<string, unknown>> {
  const { existsSync } = await import("node:fs");
  const { join } = await import("node:path");
  if (!existsSync(join(configDir, "config.json"))) return {};
  const { default: Conf } = await import("conf");
  return new Conf<Record<string, unknown>>({ cwd: configDir, configName: "config" }).store;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === "string" || typeof value === "number" ? String(value) : undefined;
}
