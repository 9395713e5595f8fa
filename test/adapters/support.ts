// Fresh HOMEs, stand-in binaries on a PATH the test controls, and file hashing for adapter tests.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const RECORDER = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "adapters", "record-invocation.mjs");

export interface Sandbox {
  root: string;
  home: string;
  bin: string;
  cwd: string;
  dataDir: string;
  /** A minimal env: PATH = the stand-in dir + the system dirs, HOME, XDG dirs inside HOME. */
  env: Record<string, string>;
  cleanup(): void;
}

export function sandbox(): Sandbox {
  const root = mkdtempSync(join(tmpdir(), "headroom-adapter-"));
  const home = join(root, "home");
  const bin = join(root, "bin");
  const cwd = join(home, "project");
  const dataDir = join(root, "headroom-data");
  for (const d of [home, bin, cwd]) mkdirSync(d, { recursive: true });
  const env: Record<string, string> = {
    PATH: [bin, "/usr/local/bin", "/usr/bin", "/bin"].join(":"),
    HOME: home,
    XDG_CONFIG_HOME: join(home, ".config"),
    XDG_DATA_HOME: join(home, ".local", "share"),
    HEADROOM_HOME: dataDir,
    LANG: "C.UTF-8",
  };
  return { root, home, bin, cwd, dataDir, env, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Puts an executable `name` in `dir` that runs the recorder with node. */
export function installStandIn(dir: string, name: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\nexec "${process.execPath}" "${RECORDER}" "$@"\n`);
  chmodSync(path, 0o755);
  return path;
}

/** sha256 of every file under `root`, by relative path. */
export function hashTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out[relative(root, p)] = createHash("sha256").update(readFileSync(p)).digest("hex");
    }
  };
  walk(root);
  return out;
}

export interface Recorded {
  argv: string[];
  env: Record<string, string>;
  status: number | null;
}

/** Runs a plan's bin/args/env (the stand-in) and returns what it recorded. */
export function runRecorded(plan: { bin: string; args: string[]; env: Record<string, string> }, recordFile: string): Recorded {
  const r = spawnSync(plan.bin, plan.args, { env: { ...plan.env, HEADROOM_TEST_RECORD: recordFile }, stdio: ["ignore", "pipe", "pipe"] });
  const rec = JSON.parse(readFileSync(recordFile, "utf8")) as { argv: string[]; env: Record<string, string> };
  return { ...rec, status: r.status };
}
